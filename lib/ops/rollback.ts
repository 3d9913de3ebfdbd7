import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  RollbackStageCommand,
  type CodePipelineClient,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import type { ManifestPipelineStage } from '../../constructs/manifest/manifest-schema';
import { awsError } from './aws-errors';
import { EXIT, KeelCliError } from './errors';

/** How many pages of successful executions to look through for an earlier one. */
const MAX_PAGES = 5;

export interface ExecutionInfo {
  readonly executionId: string;
  readonly status?: string;
  /** The source commit, shortened, and its message's first line. */
  readonly revision?: string;
  readonly summary?: string;
  readonly when?: string;
}

/** What `keel rollback` is about to do. */
export interface RollbackPlan {
  readonly pipeline: string;
  readonly stage: string;
  /** What the stage runs now. */
  readonly current?: ExecutionInfo;
  /** The last execution that succeeded in the stage before the current one: what it goes back to. */
  readonly target: ExecutionInfo;
}

/**
 * Finds what the stage would go back to: the most recent execution that succeeded in the stage and is not the one
 * the stage runs now.
 * @throws KeelCliError (exit 1) when the stage is deploying right now or has no earlier successful execution; (exit 3)
 *   for AWS failures.
 */
export async function planRollback(client: CodePipelineClient, where: ManifestPipelineStage): Promise<RollbackPlan> {
  let current: ExecutionInfo | undefined;
  try {
    const state = await client.send(new GetPipelineStateCommand({ name: where.name }));
    const stage = state.stageStates?.find((s) => s.stageName === where.stage);
    if (!stage) {
      throw new KeelCliError(
        `pipeline ${where.name} has no stage ${where.stage}; deploy the pipeline stack from this synth, or synthesize again`,
        EXIT.usage,
      );
    }
    const latest = stage.latestExecution;
    if (latest?.pipelineExecutionId) current = { executionId: latest.pipelineExecutionId, status: latest.status };
  } catch (error) {
    throw awsError(error, `reading pipeline ${where.name} (GetPipelineState)`, 'codepipeline');
  }
  if (current?.status === 'InProgress') {
    throw new KeelCliError(
      `stage ${where.stage} of ${where.name} is deploying execution ${current.executionId} right now; ` +
        'wait for it to finish (a failure rolls back by itself) or stop it in the console, then run keel rollback again',
      EXIT.unhealthy,
    );
  }

  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let executions: PipelineExecutionSummary[];
    try {
      const result = await client.send(
        new ListPipelineExecutionsCommand({
          pipelineName: where.name,
          filter: { succeededInStage: { stageName: where.stage } },
          maxResults: 20,
          nextToken,
        }),
      );
      executions = result.pipelineExecutionSummaries ?? [];
      nextToken = result.nextToken;
    } catch (error) {
      throw awsError(error, `listing executions of ${where.name} (ListPipelineExecutions)`, 'codepipeline');
    }
    const target = executions.find((e) => e.pipelineExecutionId && e.pipelineExecutionId !== current?.executionId);
    if (target) {
      const currentSummary = executions.find((e) => e.pipelineExecutionId === current?.executionId);
      return {
        pipeline: where.name,
        stage: where.stage,
        ...(current ? { current: { ...describe(currentSummary), ...current } } : {}),
        target: describe(target),
      };
    }
    if (!nextToken) break;
  }
  throw new KeelCliError(
    `stage ${where.stage} of ${where.name} has no earlier successful execution to roll back to`,
    EXIT.unhealthy,
  );
}

/** Starts the rollback and returns the new execution's id. */
export async function rollback(client: CodePipelineClient, plan: RollbackPlan): Promise<string> {
  try {
    const result = await client.send(
      new RollbackStageCommand({
        pipelineName: plan.pipeline,
        stageName: plan.stage,
        targetPipelineExecutionId: plan.target.executionId,
      }),
    );
    return result.pipelineExecutionId ?? '(unknown)';
  } catch (error) {
    throw awsError(error, `rolling back ${plan.stage} of ${plan.pipeline} (RollbackStage)`, 'codepipeline');
  }
}

/** The plan in words, for the confirmation prompt. */
export function renderPlan(plan: RollbackPlan): string {
  const line = (e: ExecutionInfo) =>
    [e.executionId, e.revision && `commit ${e.revision}`, e.summary && `"${e.summary}"`, e.when]
      .filter(Boolean)
      .join(', ');
  return [
    `Roll back stage ${plan.stage} of pipeline ${plan.pipeline}`,
    `  from: ${plan.current ? `${line(plan.current)} (${plan.current.status ?? 'unknown'})` : '(no execution)'}`,
    `  to:   ${line(plan.target)}`,
    "The stage redeploys the target execution's artifacts; later stages are not touched.",
  ].join('\n');
}

function describe(summary: PipelineExecutionSummary | undefined): ExecutionInfo {
  const source = summary?.sourceRevisions?.[0];
  return {
    executionId: summary?.pipelineExecutionId ?? '',
    ...(summary?.status ? { status: summary.status } : {}),
    ...(source?.revisionId ? { revision: source.revisionId.slice(0, 12) } : {}),
    ...(source?.revisionSummary ? { summary: firstLine(source.revisionSummary) } : {}),
    ...(summary?.lastUpdateTime ? { when: summary.lastUpdateTime.toISOString() } : {}),
  };
}

function firstLine(text: string): string {
  // CodeConnections summaries are JSON ({"ProviderType":..,"CommitMessage":..}); others are the message itself.
  try {
    const parsed = JSON.parse(text) as { CommitMessage?: string };
    if (parsed.CommitMessage) return parsed.CommitMessage.split('\n')[0];
  } catch {
    // not JSON
  }
  return text.split('\n')[0];
}
