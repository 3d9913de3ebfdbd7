import { Errors, Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { KeelValidationError } from '../constructs';

/** A Stage that could not be built or synthesized because of the user's own config or code. */
export interface StageFailure {
  /** The Stage's construct path, e.g. `Orders-dev`. */
  readonly stage: string;
  /** The error's message, as Keel or aws-cdk-lib said it. */
  readonly message: string;
}

/**
 * Every Stage that failed in one synth, each with its whole message: entry points print it, without a stack trace,
 * like a KeelValidationError.
 */
export class StageFailures extends Error {
  public readonly failures: readonly StageFailure[];

  constructor(failures: readonly StageFailure[]) {
    const names = failures.map((f) => f.stage).join(', ');
    const body = failures.map((f) => `${f.stage}:\n${f.message.replace(/^/gm, '  ')}`).join('\n\n');
    super(`Synth failed in ${failures.length} Stage(s) (${names}); every problem of each:\n\n${body}`);
    this.name = 'StageFailures';
    this.failures = failures;
  }
}

/** True for an error in the user's config or constructs: Keel's own, or an aws-cdk-lib validation error. */
export function isUserMistake(error: unknown): error is Error {
  return (
    error instanceof KeelValidationError ||
    error instanceof StageFailures ||
    (Errors.isConstructError(error) && error.type === 'validation')
  );
}

/**
 * Synthesizes every Stage under `root`, nested ones first, before `root` itself is: aws-cdk-lib synthesizes the
 * Stages of an App one after the other and stops at the first that fails its validation, so one mistake made in dev,
 * staging and prod would be reported for dev alone. Each Stage keeps its assembly, which the App's own synth then
 * reuses: the output is the same.
 * @returns one failure per Stage that failed with a user's mistake (a Stage whose nested Stage failed is not tried)
 * @throws any other error, as it is
 */
export function synthesizeStages(root: IConstruct): StageFailure[] {
  const failures: StageFailure[] = [];
  for (const stage of childStages(root)) {
    const nested = synthesizeStages(stage);
    failures.push(...nested);
    if (nested.length > 0) continue;
    try {
      stage.synth();
    } catch (error) {
      if (!isUserMistake(error)) throw error;
      failures.push({ stage: stage.node.path, message: error.message });
    }
  }
  return failures;
}

/** The Stages directly under `scope`: children, or deeper descendants that no other Stage holds. */
function childStages(scope: IConstruct): Stage[] {
  return scope.node.children.flatMap((child) => (Stage.isStage(child) ? [child] : childStages(child)));
}
