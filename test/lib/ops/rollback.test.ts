import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { planRollback } from '../../../lib/ops/rollback';
import { PIPELINE, execution, pipelineWith } from '../../helpers/pipeline';
import { cliFailure } from '../../helpers/refusal';

const cp = mockClient(CodePipelineClient);
const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

beforeEach(() => cp.reset());

describe('planRollback', () => {
  test('goes back to the last execution that succeeded in the stage before the one it runs now', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [
      execution('exec-3', 'cccccccccccccccc', 'Bad change'),
      execution('exec-2', 'bbbbbbbbbbbbbbbb', 'Good change'),
      execution('exec-1', 'aaaaaaaaaaaaaaaa', 'Older change'),
    ]);
    const plan = await planRollback(client, PIPELINE);
    expect(plan).toMatchObject({
      pipeline: 'shop-pipeline',
      stage: 'Shop-prod',
      current: { executionId: 'exec-3', status: 'Succeeded', revision: 'cccccccccccc', summary: 'Bad change' },
      target: { executionId: 'exec-2', revision: 'bbbbbbbbbbbb', summary: 'Good change' },
    });
    expect(cp.commandCalls(ListPipelineExecutionsCommand)[0].args[0].input).toMatchObject({
      pipelineName: 'shop-pipeline',
      filter: { succeededInStage: { stageName: 'Shop-prod' } },
    });
  });

  test('goes back to the last success when the current execution failed in the stage', async () => {
    pipelineWith(cp, 'exec-4', 'Failed', [execution('exec-2', 'bbbb', 'Good change')]);
    expect((await planRollback(client, PIPELINE)).target.executionId).toBe('exec-2');
  });

  test('fails while the stage is deploying, with exit code 1', async () => {
    pipelineWith(cp, 'exec-4', 'InProgress', [execution('exec-2', 'bbbb', 'Good change')]);
    const error = await cliFailure(planRollback(client, PIPELINE));
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('Shop-prod of shop-pipeline is deploying execution exec-4 right now');
  });

  test('fails when there is no earlier successful execution, with exit code 1', async () => {
    pipelineWith(cp, 'exec-1', 'Succeeded', [execution('exec-1', 'aaaa', 'First change')]);
    const error = await cliFailure(planRollback(client, PIPELINE));
    expect(error).toMatchObject({ exitCode: 1 });
    expect(error.message).toContain('has no earlier successful execution to roll back to');
  });

  test('fails when the pipeline has no such stage, as a usage error that says to deploy the pipeline', async () => {
    cp.on(GetPipelineStateCommand).resolves({ stageStates: [{ stageName: 'Source' }] });
    const error = await cliFailure(planRollback(client, PIPELINE));
    expect(error).toMatchObject({ exitCode: 2 });
    expect(error.message).toContain('pipeline shop-pipeline has no stage Shop-prod; deploy the pipeline stack');
  });
});
