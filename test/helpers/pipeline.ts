import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  RollbackStageCommand,
  type CodePipelineClient,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** The pipeline stage of the fixture service `shop` in `prod`, as the manifest records it. */
export const PIPELINE = { name: 'shop-pipeline', stage: 'Shop-prod', account: '444444444444', region: 'eu-west-1' };

/** An execution that succeeded, from commit `commit` whose message's first line is `message`. */
export function execution(id: string, commit: string, message: string): PipelineExecutionSummary {
  return {
    pipelineExecutionId: id,
    status: 'Succeeded',
    lastUpdateTime: new Date('2026-11-20T10:00:00Z'),
    sourceRevisions: [
      {
        actionName: 'Source',
        revisionId: commit,
        revisionSummary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: `${message}\n\nbody` }),
      },
    ],
  };
}

/** The stage runs `current` (with `status`); `succeeded` lists the executions that succeeded in it, newest first. */
export function pipelineWith(
  cp: AwsClientStub<CodePipelineClient>,
  current: string,
  status: string,
  succeeded: PipelineExecutionSummary[],
): void {
  cp.on(GetPipelineStateCommand).resolves({
    pipelineName: 'shop-pipeline',
    stageStates: [
      { stageName: 'Shop-staging', latestExecution: { pipelineExecutionId: 'other', status: 'Succeeded' } },
      { stageName: 'Shop-prod', latestExecution: { pipelineExecutionId: current, status: status as 'Succeeded' } },
    ],
  });
  cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: succeeded });
  cp.on(RollbackStageCommand).resolves({ pipelineExecutionId: 'rollback-1' });
}
