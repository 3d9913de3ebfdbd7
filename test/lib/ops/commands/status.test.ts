import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CLI_NOW as now, oneLine, runKeel as run, testUsageErrors, type UsageErrorCase } from '../../../helpers/cli';
import {
  API_ERRORS,
  RUNBOOKS,
  allAlarms,
  answerMetrics,
  assemblyWith,
  describeAlarmsOutput,
  keelManifest,
  manifestService,
  removeTempDirs,
  sdkError,
  tempDir,
} from '../../../helpers/manifest';

const cw = mockClient(CloudWatchClient);
const service = manifestService();

let assembly: string;

beforeEach(() => {
  cw.reset();
  answerMetrics(cw, { sloBudgetLeft: 80, metricValues: [1, 2, 3] });
  assembly = assemblyWith(keelManifest());
});

afterAll(() => {
  removeTempDirs();
});

describe('keel status', () => {
  test('prints the status screen and returns 0 when healthy', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK')));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly]);

    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toHaveLength(1);
    expect(result.out[0]).toMatch(/^shop \(prod\): HEALTHY {2}health OK since 1h ago\n/);
    expect(result.out[0]).toContain('Business metrics (last 60 min)');
    expect(result.out[0]).toContain('80.0% of the error budget left');
    expect(cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNamePrefix).toBe('shop-prod-');
  });

  test('returns 1 and prints UNHEALTHY when a critical alarm is in ALARM', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK', { [API_ERRORS]: 'ALARM' })));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly]);

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^shop \(prod\): UNHEALTHY/);
    expect(result.out[0]).toContain(`${RUNBOOKS}/standard-alarms.md#${API_ERRORS}`);
  });

  test('prints parseable JSON with the API calls made', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK')));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly, '--json']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.out[0]) as { healthy: boolean; apiCalls: number; metrics: unknown[] };
    expect(report).toMatchObject({ service: 'shop', environment: 'prod', healthy: true, apiCalls: 3 });
    expect(report.metrics).toHaveLength(2);
  });

  test('reads the window from --since', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK')));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly, '--since', '3h']);

    expect(result.out[0]).toContain('Business metrics (last 180 min)');
    const call = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(call.StartTime).toEqual(new Date(now.getTime() - 3 * 3_600_000));
  });

  test("makes the client in the manifest's region, or --region, with --endpoint-url", async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK')));

    const fromManifest = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly]);
    const fromFlags = await run([
      ...['status', 'shop', '--env', 'prod', '--assembly', assembly],
      ...['--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:5000'],
    ]);

    expect(fromManifest.clients).toEqual([{ region: 'eu-west-1', endpoint: undefined }]);
    expect(fromFlags.clients).toEqual([{ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' }]);
  });

  test('picks the region of a service deployed to several (a wave) with --region, and refuses to guess', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput(allAlarms(service, 'OK')));
    const wave = assemblyWith(keelManifest([service, { ...service, region: 'us-east-1' }]));

    const guessed = await run(['status', 'shop', '--env', 'prod', '--assembly', wave]);
    const picked = await run(['status', 'shop', '--env', 'prod', '--assembly', wave, '--region', 'us-east-1']);

    expect(guessed.code).toBe(2);
    expect(oneLine(guessed)).toBe('keel: shop (prod) runs in eu-west-1, us-east-1; pass --region with one of them');
    expect(guessed.clients).toEqual([]);
    expect(picked.clients).toEqual([{ region: 'us-east-1', endpoint: undefined }]);
  });
});

describe('usage and configuration errors', () => {
  const cases: UsageErrorCase[] = [
    [
      'the service is unknown, listing the known services',
      (dir) => ['status', 'nope', '--env', 'prod', '--assembly', dir],
      'service "nope" is not in the manifest; known services: shop, billing',
    ],
    [
      'the environment is unknown, listing the known ones',
      (dir) => ['status', 'shop', '--env', 'qa', '--assembly', dir],
      'environment "qa" of shop is not in the manifest; known: prod, dev',
    ],
    [
      'the service is not given',
      (dir) => ['status', '--env', 'prod', '--assembly', dir],
      'keel status needs a service',
    ],
    ['--env is missing', (dir) => ['status', 'shop', '--assembly', dir], 'keel status needs --env <env>'],
    [
      '--env has no value',
      () => ['status', 'shop', '--env'],
      '--env needs a value: --env <env>; run keel status --help',
    ],
    [
      '--since is not a duration',
      (dir) => ['status', 'shop', '--env', 'prod', '--since', 'an hour', '--assembly', dir],
      '--since "an hour" is not a duration',
    ],
  ];

  testUsageErrors(
    cases,
    () => assembly,
    () => cw.calls(),
  );

  test('fails when the manifest is missing, telling to synthesize', async () => {
    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', tempDir()]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('no keel-manifest.json in ');
    expect(result.err[0]).toContain("run 'npx cdk synth'");
  });

  test('fails when the manifest is not JSON', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'keel-manifest.json'), '{ not json');

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', dir]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('is not valid JSON');
  });
});

describe('AWS errors', () => {
  test('fails when DescribeAlarms is denied, with exit code 3 and one line', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('AccessDeniedException', 'User x is not authorized'));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly]);

    expect(result.code).toBe(3);
    expect(oneLine(result)).toMatch(/^keel: listing alarms \(DescribeAlarms\) failed: access denied/);
    expect(result.out).toEqual([]);
  });
});
