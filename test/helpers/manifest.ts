import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type {
  KeelManifest,
  ManifestAlarm,
  ManifestMetric,
  ManifestObjective,
  ManifestService,
} from '../../constructs/manifest/manifest-schema';
import { removeTempDirs, tempDir } from './temp-dir';

export const RUNBOOKS = 'https://github.com/example-org/keel/blob/main/runbooks';

/** An alarm of the fixture service, with a runbook link derived from its name. */
export function manifestAlarm(
  name: string,
  severity: ManifestAlarm['severity'],
  overrides: Partial<ManifestAlarm> = {},
): ManifestAlarm {
  return {
    name,
    severity,
    kind: 'standard',
    runbook: `${RUNBOOKS}/standard-alarms.md#${name}`,
    watches: `${name} in words`,
    compositeChild: false,
    ...overrides,
  };
}

/** `count` business metrics named `Metric0`, `Metric1`, ... */
export function manifestMetrics(count: number): ManifestMetric[] {
  return Array.from({ length: count }, (_, i) => ({
    namespace: 'Keel/Shop',
    name: `Metric${i}`,
    dimensions: { service: 'shop' },
    unit: 'Count',
    statistic: 'Sum',
    description: `Business metric ${i}`,
  }));
}

/** An availability objective with an error-rate query over two metrics. */
export function availabilityObjective(overrides: Partial<ManifestObjective> = {}): ManifestObjective {
  return {
    slug: 'availability',
    kind: 'availability',
    target: 0.999,
    budgetPeriodDays: 30,
    errorRate: {
      expression: 'IF(FILL(valid, 0) > 0, FILL(bad, 0) / valid, 0)',
      metrics: {
        valid: { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: { ApiName: 'shop-prod' }, stat: 'Sum' },
        bad: { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: { ApiName: 'shop-prod' }, stat: 'Sum' },
      },
    },
    alarms: ['shop-prod-availability-fast-burn-critical', 'shop-prod-availability-slow-burn-warning'],
    ...overrides,
  };
}

export const HEALTH = 'shop-prod-health-critical';
export const API_ERRORS = 'shop-prod-api-5xx-rate-critical';
export const DLQ = 'shop-prod-dlq-depth-critical';
export const FAST_BURN = 'shop-prod-availability-fast-burn-critical';
export const FAST_BURN_LONG = 'shop-prod-availability-fast-burn-long-window';
export const LATENCY_WARNING = 'shop-prod-api-p99-latency-warning';

/**
 * The `shop` service in `prod`: a health composite, three critical alarms (one an SLO composite), one critical SLO
 * window alarm that only feeds its composite, one warning, two business metrics and one objective.
 */
export function manifestService(overrides: Partial<ManifestService> = {}): ManifestService {
  return {
    service: 'shop',
    environment: 'prod',
    stackName: 'Shop-prod',
    account: '111111111111',
    region: 'eu-west-1',
    healthAlarm: HEALTH,
    alarmPrefix: 'shop-prod-',
    dashboard: 'shop-prod',
    alarms: [
      manifestAlarm(HEALTH, 'critical', { kind: 'health' }),
      manifestAlarm(API_ERRORS, 'critical'),
      manifestAlarm(DLQ, 'critical'),
      manifestAlarm(FAST_BURN, 'critical', { kind: 'slo' }),
      manifestAlarm(FAST_BURN_LONG, 'critical', { kind: 'slo', compositeChild: true }),
      manifestAlarm(LATENCY_WARNING, 'warning'),
    ],
    metrics: manifestMetrics(2),
    objectives: [availabilityObjective()],
    ...overrides,
  };
}

/** A version 1 manifest with `shop` in `prod` and `dev`, and `billing` in `prod`. */
export function keelManifest(services?: readonly ManifestService[]): KeelManifest {
  return {
    version: 1,
    generatedAt: '2025-01-01T00:00:00.000Z',
    services: services ?? [
      manifestService(),
      manifestService({ environment: 'dev', healthAlarm: 'shop-dev-health-critical', alarmPrefix: 'shop-dev-' }),
      manifestService({
        service: 'billing',
        healthAlarm: 'billing-prod-health-critical',
        alarmPrefix: 'billing-prod-',
      }),
    ],
  };
}

// The CLI tests import these from here; they live in temp-dir.ts with every other test's temporary directories.
export { removeTempDirs, tempDir };

/** A temporary cloud assembly directory holding `keel-manifest.json` with `manifest` (any JSON); see tempDir. */
export function assemblyWith(manifest: unknown = keelManifest()): string {
  const dir = tempDir('keel-assembly-');
  fs.writeFileSync(path.join(dir, 'keel-manifest.json'), `${JSON.stringify(manifest, undefined, 2)}\n`);
  return dir;
}

/** Composite alarms of the fixture; every other name is a metric alarm. */
const COMPOSITES = new Set([HEALTH, FAST_BURN, 'shop-dev-health-critical', 'billing-prod-health-critical']);

/** A DescribeAlarms response with each named alarm in its state, composites and metric alarms apart. */
export function describeAlarmsOutput(
  states: Readonly<Record<string, StateValue>>,
  nextToken?: string,
): DescribeAlarmsCommandOutput {
  const alarms = Object.entries(states).map(([AlarmName, StateValue]) => ({
    AlarmName,
    StateValue,
    StateUpdatedTimestamp: new Date('2025-01-01T11:00:00.000Z'),
  }));
  return {
    $metadata: {},
    MetricAlarms: alarms.filter((a) => !COMPOSITES.has(a.AlarmName)),
    CompositeAlarms: alarms.filter((a) => COMPOSITES.has(a.AlarmName)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** Every alarm of `service` in `state`, with `overrides` for some. */
export function allAlarms(
  service: ManifestService,
  state: StateValue,
  overrides: Readonly<Record<string, StateValue>> = {},
): Record<string, StateValue> {
  return { ...Object.fromEntries(service.alarms.map((a) => [a.name, state])), ...overrides };
}

/** A CloudWatch client that never looks for credentials or retries; tests stub its `send` with `mockClient`. */
export function testCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
}

/** A clock whose sleep only moves time on. */
export function fakeClock(start = 0): { now(): number; sleep(ms: number): Promise<void>; readonly slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

/** An error as the AWS SDK throws it: a name, a message, optionally a socket code. */
export function sdkError(name: string, message: string, extra: Readonly<Record<string, unknown>> = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: {}, ...extra });
}

/**
 * A DescribeAlarms stand-in over `states`, answering as CloudWatch does: the named alarms for `AlarmNames`, those
 * starting with `AlarmNamePrefix` otherwise.
 */
export function describeAlarmsLike(
  states: Readonly<Record<string, StateValue>>,
): (input: DescribeAlarmsCommandInput) => DescribeAlarmsCommandOutput {
  return (input) =>
    describeAlarmsOutput(
      Object.fromEntries(
        Object.entries(states).filter(([name]) =>
          input.AlarmNames ? input.AlarmNames.includes(name) : name.startsWith(input.AlarmNamePrefix ?? ''),
        ),
      ),
    );
}

/**
 * Makes `cw` answer every GetMetricData query that returns data: the error budget queries (ids starting `slo`) with
 * `sloBudgetLeft` percent, every other query (the business metrics) with `metricValues`.
 */
export function answerMetrics(
  cw: AwsClientStub<CloudWatchClient>,
  { sloBudgetLeft, metricValues }: { sloBudgetLeft: number; metricValues: readonly number[] },
): void {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput): GetMetricDataCommandOutput => ({
    $metadata: {},
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData)
      .map((q) => ({ Id: q.Id, Values: q.Id?.startsWith('slo') ? [sloBudgetLeft] : [...metricValues] })),
  }));
}
