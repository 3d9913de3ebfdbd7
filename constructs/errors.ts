/**
 * One thing a user got wrong, said so they can fix it without reading Keel's source.
 */
export interface Problem {
  /** Where: a construct path or a config field, e.g. `services[0].owner`. */
  readonly where: string;
  /** What is wrong, including the bad value. */
  readonly what: string;
  /** How to put it right. */
  readonly fix: string;
}

/** Renders a problem as one readable paragraph. */
export function describeProblem(problem: Problem): string {
  return `${problem.where}: ${problem.what}\n    fix: ${problem.fix}`;
}

/**
 * A mistake in a user's own configuration or construct props.
 *
 * Entry points print its message and exit non-zero without a stack trace: it is the user's input that is
 * wrong, not Keel.
 */
export class KeelValidationError extends Error {
  public readonly problems: readonly Problem[];

  constructor(title: string, problems: readonly Problem[]) {
    super(`${title}\n${problems.map((p) => `  - ${describeProblem(p)}`).join('\n')}`);
    this.name = 'KeelValidationError';
    this.problems = problems;
  }
}

/** Problems as `node.addValidation` messages, in the same where/what/fix shape as a KeelValidationError. */
export function problemsToMessages(problems: readonly Problem[]): string[] {
  return problems.map(describeProblem);
}
