import { CodePipelineClient, GetPipelineStateCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsOptions } from '../../../../lib/ops/aws';
import { runCli } from '../../../../lib/ops/cli';
import { assemblyWith, keelManifest, manifestService, removeTempDirs, sdkError } from '../../../helpers/manifest';
import { PIPELINE, execution, pipelineWith } from '../../../helpers/pipeline';

const cp = mockClient(CodePipelineClient);
const client = new CodePipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly clients: AwsOptions[];
  readonly asked: string[];
}

const withPipeline = () => assemblyWith(keelManifest([manifestService({ pipeline: PIPELINE })]));

async function run(argv: readonly string[], answer?: boolean): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const clients: AwsOptions[] = [];
  const asked: string[] = [];
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    codePipeline: (options) => {
      clients.push(options);
      return client;
    },
    ...(answer === undefined
      ? {}
      : {
          confirm: (question: string) => {
            asked.push(question);
            return Promise.resolve(answer);
          },
        }),
  });
  return { code, out, err, clients, asked };
}

beforeEach(() => cp.reset());
afterAll(removeTempDirs);

describe('keel rollback', () => {
  test('shows what it will do, asks, and rolls the stage back to the last good execution', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [execution('exec-3', 'cccc', 'Bad'), execution('exec-2', 'bbbb', 'Good')]);
    const result = await run(['rollback', 'shop', '--env', 'prod', '--assembly', withPipeline()], true);
    expect(result.code).toBe(0);
    expect(result.asked).toEqual(['Roll back Shop-prod? [y/N] ']);
    expect(result.err.join('\n')).toContain('Roll back stage Shop-prod of pipeline shop-pipeline');
    expect(result.err.join('\n')).toMatch(
      /from: exec-3, commit cccc, "Bad"[^\n]*\(Succeeded\)\n {2}to: {3}exec-2, commit bbbb, "Good"/,
    );
    expect(cp.commandCalls(RollbackStageCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: 'shop-pipeline', stageName: 'Shop-prod', targetPipelineExecutionId: 'exec-2' },
    ]);
    expect(result.out).toEqual([
      'ROLLING BACK: Shop-prod of shop-pipeline to exec-2 (rollback execution rollback-1); watch it with: ' +
        'aws codepipeline get-pipeline-state --name shop-pipeline',
    ]);
    expect(result.clients).toEqual([{ region: 'eu-west-1' }]);
  });

  test('does nothing when the person says no, with exit code 1', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [execution('exec-2', 'bbbb', 'Good')]);
    const result = await run(['rollback', 'shop', '--env', 'prod', '--assembly', withPipeline()], false);
    expect(result.code).toBe(1);
    expect(cp.commandCalls(RollbackStageCommand)).toHaveLength(0);
    expect(result.out).toEqual(['not rolled back: Shop-prod stays on exec-3']);
  });

  test('rolls back without asking with --yes, and prints JSON with --json', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [execution('exec-2', 'bbbb', 'Good')]);
    const result = await run(['rollback', 'shop', '--env', 'prod', '--yes', '--json', '--assembly', withPipeline()]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0])).toMatchObject({ stage: 'Shop-prod', rollbackExecutionId: 'rollback-1' });
  });

  test('fails when nobody can confirm and --yes is missing, as a usage error, without calling RollbackStage', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [execution('exec-2', 'bbbb', 'Good')]);
    const result = await run(['rollback', 'shop', '--env', 'prod', '--assembly', withPipeline()]);
    expect(result.code).toBe(2);
    expect(result.err.at(-1)).toBe('keel: keel rollback asks before it acts; pass --yes when no one can answer');
    expect(cp.commandCalls(RollbackStageCommand)).toHaveLength(0);
  });

  test('fails when the manifest has no pipeline for the service, saying to synthesize every environment', async () => {
    const result = await run(['rollback', 'shop', '--env', 'prod', '--yes', '--assembly', assemblyWith()]);
    expect(result.code).toBe(2);
    expect(result.err.at(-1)).toContain('the manifest has no pipeline for shop (prod); synthesize every environment');
  });

  test('fails when the caller may not roll back, naming the permissions, with exit code 3', async () => {
    cp.on(GetPipelineStateCommand).rejects(
      sdkError('AccessDeniedException', 'User x is not authorized', { $metadata: { httpStatusCode: 403 } }),
    );
    const result = await run(['rollback', 'shop', '--env', 'prod', '--yes', '--assembly', withPipeline()]);
    expect(result.code).toBe(3);
    expect(result.err.at(-1)).toBe(
      'keel: reading pipeline shop-pipeline (GetPipelineState) failed: access denied (User x is not authorized); the ' +
        'caller needs codepipeline:GetPipelineState, codepipeline:ListPipelineExecutions and codepipeline:RollbackStage',
    );
  });

  test('fails when RollbackStage is throttled after retries, with exit code 3', async () => {
    pipelineWith(cp, 'exec-3', 'Succeeded', [execution('exec-2', 'bbbb', 'Good')]);
    cp.on(RollbackStageCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'));
    const result = await run(['rollback', 'shop', '--env', 'prod', '--yes', '--assembly', withPipeline()]);
    expect(result.code).toBe(3);
    expect(result.err.at(-1)).toContain('CodePipeline kept throttling the requests after retries');
  });

  test('fails when the service or environment is missing, as usage errors', async () => {
    expect((await run(['rollback'])).code).toBe(2);
    expect((await run(['rollback', 'shop', '--assembly', withPipeline()])).err.at(-1)).toBe(
      'keel: keel rollback needs --env <env>, e.g. --env prod',
    );
  });
});
