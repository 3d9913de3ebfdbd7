import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { ComplianceReport } from '../../../constructs/governance/compliance-report';
import type { AwsOptions } from '../../../lib/ops/aws';
import { runCli, USAGE, type CliIo } from '../../../lib/ops/cli';
import {
  API_ERRORS,
  DLQ,
  FAST_BURN,
  HEALTH,
  RUNBOOKS,
  allAlarms,
  assemblyWith,
  describeAlarmsLike,
  describeAlarmsOutput,
  fakeClock,
  keelManifest,
  manifestService,
  removeTempDirs,
  sdkError,
  tempDir,
  testCloudWatchClient,
} from '../../helpers/manifest';

const cw = mockClient(CloudWatchClient);
const client = testCloudWatchClient();
const now = new Date('2025-01-01T12:00:00.000Z');
const service = manifestService();

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** What each AWS client was made with. */
  readonly clients: AwsOptions[];
}

async function run(argv: readonly string[], makeClient?: CliIo['client']): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const clients: AwsOptions[] = [];
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    client:
      makeClient ??
      ((options) => {
        clients.push(options);
        return client;
      }),
    now: () => now,
    clock: fakeClock(now.getTime()),
  });
  return { code, out, err, clients };
}

/** The one error line of a run, checked to be one `keel: ...` line without a stack trace. */
function oneLine(result: Run): string {
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(/^keel: /);
  expect(result.err[0]).not.toContain('\n');
  expect(result.err.join('\n')).not.toContain('\n    at ');
  return result.err[0];
}

function answerMetrics(): void {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput): GetMetricDataCommandOutput => ({
    $metadata: {},
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData)
      .map((q) => ({ Id: q.Id, Values: q.Id?.startsWith('slo') ? [80] : [1, 2, 3] })),
  }));
}

let assembly: string;

beforeEach(() => {
  cw.reset();
  answerMetrics();
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

describe('keel gate', () => {
  const gateArgs = () => ['gate', 'shop', '--env', 'prod', '--bake', '1m', '--poll', '30s', '--assembly', assembly];
  const watched = [HEALTH, API_ERRORS, DLQ, FAST_BURN];

  test('returns 0 and prints PASSED when the watched alarms stay OK', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run(gateArgs());

    expect(result.code).toBe(0);
    expect(result.out).toEqual(['PASSED: shop (prod) stayed healthy for 1m (3 polls)']);
    expect(result.err).toEqual([
      'bake 1m left · watching 4 alarms · 4 OK',
      'bake 30s left · watching 4 alarms · 4 OK',
      'bake 0s left · watching 4 alarms · 4 OK',
    ]);
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0].args[0].input.AlarmNames).toEqual(watched);
  });

  test('with a zero bake, looks once and says the service is healthy now: the pipeline entry check', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '0s', '--assembly', assembly]);

    expect(result.code).toBe(0);
    expect(result.out).toEqual(['PASSED: shop (prod) is healthy now (4 alarms watched, none in ALARM)']);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });

  test('returns 1 and prints FAILED with the alarm and its runbook when one goes into ALARM', async () => {
    cw.on(DescribeAlarmsCommand)
      .callsFakeOnce(describeAlarmsLike(allAlarms(service, 'OK')))
      .callsFake(describeAlarmsLike(allAlarms(service, 'OK', { [API_ERRORS]: 'ALARM' })));

    const result = await run(gateArgs());

    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `FAILED: ${API_ERRORS} is ALARM; runbook: ${RUNBOOKS}/standard-alarms.md#${API_ERRORS}`,
    ]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });

  test('fails on INSUFFICIENT_DATA only with --fail-on-insufficient-data', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(
      describeAlarmsLike(allAlarms(service, 'OK', { [DLQ]: 'INSUFFICIENT_DATA' })),
    );

    const lenient = await run(gateArgs());
    const strict = await run([...gateArgs(), '--fail-on-insufficient-data']);

    expect(lenient.code).toBe(0);
    expect(strict.code).toBe(1);
    expect(strict.out[0]).toMatch(new RegExp(`^FAILED: ${DLQ} is INSUFFICIENT_DATA; runbook: `));
  });

  test('prints the result as parseable JSON with --json', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run([...gateArgs(), '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0])).toEqual({ passed: true, polls: 3, watched });
  });
});

describe('usage and configuration errors', () => {
  const cases: [string, (dir: string) => string[], string][] = [
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
    ['--env has no value', () => ['status', 'shop', '--env'], "Option '--env <value>' argument missing"],
    [
      '--since is not a duration',
      (dir) => ['status', 'shop', '--env', 'prod', '--since', 'an hour', '--assembly', dir],
      '--since "an hour" is not a duration',
    ],
    [
      '--bake is missing',
      (dir) => ['gate', 'shop', '--env', 'prod', '--assembly', dir],
      'keel gate needs --bake <duration>',
    ],
    [
      '--bake is not a duration',
      (dir) => ['gate', 'shop', '--env', 'prod', '--bake', 'ten minutes', '--assembly', dir],
      '--bake "ten minutes" is not a duration',
    ],
    [
      'the poll is longer than the bake',
      (dir) => ['gate', 'shop', '--env', 'prod', '--bake', '1m', '--poll', '5m', '--assembly', dir],
      '--poll 5m is longer than --bake 1m',
    ],
    ['the command is unknown', (dir) => ['deploy', 'shop', '--assembly', dir], 'unknown command "deploy shop"'],
    ['a flag is unknown', () => ['status', 'shop', '--env', 'prod', '--frobnicate'], "Unknown option '--frobnicate'"],
  ];

  test.each(cases)('fails when %s, with exit code 2 and one line', async (_, argv, message) => {
    const result = await run(argv(assembly));

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain(message);
    expect(result.out).toEqual([]);
    expect(cw.calls()).toHaveLength(0);
  });

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

  test('fails when the manifest has version 2', async () => {
    const dir = assemblyWith({ ...keelManifest(), version: 2 });

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', dir]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('has manifest version 2; this keel reads version 1');
  });

  test('fails when a parse error has a flag unknown, pointing at --help', async () => {
    const result = await run(['--frobnicate']);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toMatch(/; run keel --help$/);
  });

  test('adds the stack trace with --debug', async () => {
    const result = await run(['status', 'nope', '--env', 'prod', '--assembly', assembly, '--debug']);

    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('\n    at ');
    expect(result.err.at(-1)).toMatch(/^keel: service "nope" is not in the manifest/);
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

  test('fails when the gate cannot read alarm states, with exit code 3 and one line', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'));

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', assembly]);

    expect(result.code).toBe(3);
    expect(oneLine(result)).toContain('kept throttling');
  });

  test('adds the stack trace of an AWS error with --debug', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('AccessDeniedException', 'User x is not authorized'));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly, '--debug']);

    expect(result.code).toBe(3);
    expect(result.err.join('\n')).toContain('\n    at ');
  });

  test('fails when something unexpected breaks, in one line that asks for a report and points at --debug', async () => {
    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly], () => {
      throw new TypeError('boom');
    });

    expect(result.code).toBe(3);
    expect(oneLine(result)).toBe(
      'keel: internal error: boom (please report this; rerun with --debug for the stack trace)',
    );
  });
});

describe('help', () => {
  test('prints the usage and returns 0 with --help', async () => {
    const result = await run(['--help']);

    expect(result.code).toBe(0);
    expect(result.out).toEqual([USAGE]);
    expect(result.err).toEqual([]);
  });

  test("prints the command's own usage and returns 0 with -h after a command", async () => {
    const result = await run(['status', '-h']);

    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(1);
    expect(result.out[0]).toMatch(
      /^keel status: .*\n\nUsage: keel status <service> --env <env> \[--since 1h\] \[--json\]\n/,
    );
    expect(result.out[0]).toContain('--since <duration>');
  });

  test('fails when there are no arguments, printing the usage with exit code 2', async () => {
    const result = await run([]);

    expect(result.code).toBe(2);
    expect(result.out).toEqual([USAGE]);
  });
});

describe('keel runbooks check', () => {
  const HEADINGS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'];

  function fixture(headings: readonly string[]): { assembly: string; runbooks: string } {
    // Service stacks live in Stages, so their templates sit in nested assemblies.
    const dir = tempDir('keel-runbooks-assembly-');
    fs.mkdirSync(path.join(dir, 'assembly-Shop-prod'));
    fs.writeFileSync(
      path.join(dir, 'assembly-Shop-prod', 'Shop-prod.template.json'),
      JSON.stringify({
        Resources: {
          ApiErrors: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              AlarmName: 'shop-prod-a-critical',
              AlarmDescription: 'API errors. Runbook: https://github.com/x/y/blob/main/runbooks/a.md#sec',
            },
          },
          Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        },
      }),
    );
    const runbooks = tempDir('keel-runbooks-');
    fs.writeFileSync(
      path.join(runbooks, 'a.md'),
      ['# A', '', '## sec', '', ...headings.flatMap((h) => [`### ${h}`, '', `${h}.`, ''])].join('\n'),
    );
    return { assembly: dir, runbooks };
  }

  test('returns 0 when every alarm links a complete runbook section', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS);

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks]);

    expect(result.code).toBe(0);
    expect(result.out).toEqual([`1 alarm(s) checked in ${path.resolve(dir)}: 0 problem(s)`]);
  });

  test('fails when a required heading is missing, naming the alarm and the heading', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS.filter((h) => h !== 'Escalation'));

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks]);

    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      "✗ shop-prod-a-critical (assembly-Shop-prod/Shop-prod.template.json): runbooks/a.md#sec lacks the heading(s) '### Escalation'",
      `1 alarm(s) checked in ${path.resolve(dir)}: 1 problem(s)`,
    ]);
  });

  test('prints the problems as JSON with --json', async () => {
    const { assembly: dir, runbooks } = fixture(HEADINGS.slice(1));

    const result = await run(['runbooks', 'check', dir, '--runbooks', runbooks, '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.out[0])).toEqual({
      checked: 1,
      problems: [
        {
          template: 'assembly-Shop-prod/Shop-prod.template.json',
          alarm: 'shop-prod-a-critical',
          problem: "runbooks/a.md#sec lacks the heading(s) '### Meaning'",
        },
      ],
    });
  });

  test('fails when the runbooks directory does not exist, with exit code 2', async () => {
    const { assembly: dir } = fixture(HEADINGS);

    const result = await run(['runbooks', 'check', dir, '--runbooks', path.join(dir, 'nowhere')]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('no runbooks directory at');
  });
});

describe('keel compliance report', () => {
  const report: ComplianceReport = {
    version: 1,
    generatedAt: '2025-01-01T00:00:00.000Z',
    enabled: true,
    result: 'pass',
    packs: [{ name: 'AwsSolutions', stacks: ['Shop-prod'], resourcesChecked: 12 }],
    stacks: 1,
    resourcesChecked: 12,
    findings: { total: 2, acknowledged: 2, open: 0 },
    rules: [
      {
        ruleId: 'AwsSolutions-IAM5',
        source: 'AwsSolutions',
        severity: 'error',
        info: 'Wildcard permissions.',
        open: [],
        acknowledged: [
          { path: 'Shop-prod/Service/Role', findingId: 'AwsSolutions-IAM5[Resource::*]', acknowledgedAt: 'Shop-prod' },
        ],
      },
    ],
    acknowledgments: [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        path: 'Shop-prod',
        reason: 'X-Ray needs a wildcard resource for PutTraceSegments',
        owner: 'team-shop',
        expires: '2025-01-11',
        daysLeft: 10,
        findingsCovered: 1,
        evaluated: true,
        stale: false,
      },
      {
        id: 'AwsSolutions-SQS3',
        path: 'Shop-prod/Queue',
        reason: 'The queue is itself the dead-letter queue of the service',
        owner: 'team-shop',
        expires: '2026-01-01',
        daysLeft: 365,
        findingsCovered: 1,
        evaluated: true,
        stale: false,
      },
    ],
    warnings: [],
  };

  function reportDir(): string {
    const dir = tempDir('keel-compliance-');
    fs.writeFileSync(path.join(dir, 'keel-compliance.json'), JSON.stringify(report));
    return dir;
  }

  test('prints markdown with the expiring acknowledgment in bold', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'md']);

    expect(result.code).toBe(0);
    const md = result.out[0];
    expect(md).toContain('# Keel compliance report');
    const expiring = md.split('\n').find((l) => l.includes('2025-01-11'));
    const later = md.split('\n').find((l) => l.includes('2026-01-01'));
    expect(expiring).toContain('**10 (expiring soon)**');
    expect(expiring).toContain('**team-shop**');
    expect(later).not.toContain('**');
  });

  test('prints markdown by default', async () => {
    const result = await run(['compliance', 'report', reportDir()]);

    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^# Keel compliance report/);
  });

  test('prints HTML with the expiring acknowledgment highlighted', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'html']);

    expect(result.code).toBe(0);
    const html = result.out[0];
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/class="expiring"/g)).toHaveLength(1);
    expect(html).toMatch(/<tr class="expiring"><td>AwsSolutions-IAM5\[Resource::\*\]<\/td>/);
  });

  test('prints the report as parseable JSON', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0])).toEqual(report);
  });

  test('fails when the format is unknown, with exit code 2', async () => {
    const result = await run(['compliance', 'report', reportDir(), '--format', 'xml']);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe('keel: --format "xml" is not md, html or json');
  });

  test('fails when the report is missing, with exit code 2', async () => {
    const result = await run(['compliance', 'report', tempDir()]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('no keel-compliance.json in');
  });
});
