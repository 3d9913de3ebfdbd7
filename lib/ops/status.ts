import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import type { ManifestMetricStat, ManifestService } from '../../constructs/manifest/manifest-schema';
import { awsError } from './aws-errors';
import { paint } from './colour';
import { formatDuration } from './duration';
import { EXIT, type ExitCode } from './errors';

/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;

export interface AlarmState {
  readonly name: string;
  readonly severity: 'critical' | 'warning' | 'unknown';
  readonly state: StateValue | 'MISSING';
  /** When the alarm last changed state. */
  readonly since?: Date;
  readonly runbook?: string;
}

export interface MetricSeries {
  readonly name: string;
  readonly unit: string;
  readonly statistic: string;
  /** Oldest first. */
  readonly values: readonly number[];
  readonly latest?: number;
}

export interface ObjectiveStatus {
  readonly slug: string;
  readonly target: number;
  /** Percent of the budget period's error budget left; absent without data or query. */
  readonly budgetLeftPercent?: number;
}

export interface StatusReport {
  readonly service: string;
  readonly environment: string;
  readonly healthy: boolean;
  readonly health: AlarmState;
  readonly alarms: readonly AlarmState[];
  readonly metrics: readonly MetricSeries[];
  readonly objectives: readonly ObjectiveStatus[];
  readonly sinceMinutes: number;
  /** CloudWatch API calls made. */
  readonly apiCalls: number;
}

export interface StatusOptions {
  /** How far back metrics go, in milliseconds. */
  readonly sinceMs: number;
  readonly now?: Date;
}

/**
 * What the service is doing right now: its alarms (listed by name prefix, paginated), every business metric over
 * the window (one GetMetricData call per 500 queries) and each SLO's error budget left.
 */
export async function status(
  client: CloudWatchClient,
  entry: ManifestService,
  options: StatusOptions,
): Promise<StatusReport> {
  const now = options.now ?? new Date();
  const described = await describeServiceAlarms(client, entry);
  const metrics = await readBusinessMetrics(client, entry, options.sinceMs, now);
  const objectives = await readBudgets(client, entry, now).catch((error: unknown) => {
    throw awsError(error, 'reading SLO error budgets (GetMetricData)');
  });

  const health = described.alarms.find((a) => a.name === entry.healthAlarm) ?? {
    name: entry.healthAlarm,
    severity: 'critical' as const,
    state: 'MISSING' as const,
  };
  const alarms = described.alarms.filter((a) => a.name !== entry.healthAlarm);
  // A health alarm CloudWatch doesn't have (wrong account or region, stack not deployed) confirms nothing.
  const healthy =
    health.state !== 'ALARM' &&
    health.state !== 'MISSING' &&
    !alarms.some((a) => a.severity === 'critical' && a.state === 'ALARM');
  return {
    service: entry.service,
    environment: entry.environment,
    healthy,
    health,
    alarms,
    metrics: metrics.series,
    objectives: objectives.statuses,
    sinceMinutes: Math.round(options.sinceMs / 60_000),
    apiCalls: described.calls + metrics.calls + (objectives.called ? 1 : 0),
  };
}

/**
 * Every alarm under the service's name prefix, one DescribeAlarms call per page of 100, with the manifest's
 * severity and runbook; alarms the manifest promises but CloudWatch lacks are MISSING.
 */
async function describeServiceAlarms(
  client: CloudWatchClient,
  entry: ManifestService,
): Promise<{ alarms: AlarmState[]; calls: number }> {
  const alarms: AlarmState[] = [];
  const known = new Map(entry.alarms.map((a) => [a.name, a]));
  let calls = 0;
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: entry.alarmPrefix,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: 100,
          NextToken: nextToken,
        }),
      );
      calls++;
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        const name = alarm.AlarmName ?? '';
        alarms.push({
          name,
          severity: known.get(name)?.severity ?? 'unknown',
          state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
          since: alarm.StateUpdatedTimestamp,
          runbook: known.get(name)?.runbook,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw awsError(error, 'listing alarms (DescribeAlarms)');
  }
  // Alarms the manifest promises but CloudWatch lacks: the stack is not deployed, or was changed by hand.
  for (const alarm of entry.alarms) {
    if (!alarms.some((d) => d.name === alarm.name)) {
      alarms.push({ name: alarm.name, severity: alarm.severity, state: 'MISSING', runbook: alarm.runbook });
    }
  }
  return { alarms, calls };
}

/** Every business metric over the last `sinceMs`, in about 30 points, one GetMetricData call per 500 metrics. */
async function readBusinessMetrics(
  client: CloudWatchClient,
  entry: ManifestService,
  sinceMs: number,
  now: Date,
): Promise<{ series: MetricSeries[]; calls: number }> {
  const periodSeconds = Math.max(60, Math.ceil(sinceMs / 1000 / 30 / 60) * 60);
  const metricQueries: MetricDataQuery[] = entry.metrics.map((metric, i) => ({
    Id: `m${i}`,
    MetricStat: { Metric: metricOf(metric), Period: periodSeconds, Stat: metric.statistic },
    ReturnData: true,
  }));
  const values = new Map<string, number[]>();
  let calls = 0;
  try {
    for (let start = 0; start < metricQueries.length; start += MAX_QUERIES_PER_CALL) {
      const result = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: metricQueries.slice(start, start + MAX_QUERIES_PER_CALL),
          StartTime: new Date(now.getTime() - sinceMs),
          EndTime: now,
          ScanBy: 'TimestampAscending',
        }),
      );
      calls++;
      for (const r of result.MetricDataResults ?? []) values.set(r.Id ?? '', [...(r.Values ?? [])]);
    }
  } catch (error) {
    throw awsError(error, 'reading business metrics (GetMetricData)');
  }
  const series = entry.metrics.map((metric, i) => {
    const points = values.get(`m${i}`) ?? [];
    return { name: metric.name, unit: metric.unit, statistic: metric.statistic, values: points, latest: points.at(-1) };
  });
  return { series, calls };
}

function metricOf(metric: { namespace: string; name: string; dimensions: Readonly<Record<string, string>> }) {
  return {
    Namespace: metric.namespace,
    MetricName: metric.name,
    Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}

/** Each SLO's error budget left over its budget period, all in one GetMetricData call. */
async function readBudgets(
  client: CloudWatchClient,
  entry: ManifestService,
  now: Date,
): Promise<{ statuses: ObjectiveStatus[]; called: boolean }> {
  const queries: MetricDataQuery[] = [];
  const withQuery = entry.objectives.filter((o) => o.errorRate);
  const days = Math.max(1, ...withQuery.map((o) => o.budgetPeriodDays));
  withQuery.forEach((objective, i) => {
    const rate = objective.errorRate as { expression: string; metrics: Readonly<Record<string, ManifestMetricStat>> };
    let expression = rate.expression;
    for (const [id, metric] of Object.entries(rate.metrics)) {
      const scoped = `s${i}_${id}`;
      expression = expression.replace(new RegExp(`\\b${id}\\b`, 'g'), scoped);
      queries.push({
        Id: scoped,
        MetricStat: { Metric: metricOf(metric), Period: days * 86_400, Stat: metric.stat },
        ReturnData: false,
      });
    }
    queries.push({
      Id: `slo${i}`,
      Expression: `100 * (1 - (${expression}) / ${Number((1 - objective.target).toPrecision(6))})`,
      ReturnData: true,
    });
  });
  const left = new Map<string, number | undefined>();
  if (queries.length > 0) {
    const result = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now.getTime() - days * 86_400_000),
        EndTime: now,
      }),
    );
    for (const r of result.MetricDataResults ?? []) left.set(r.Id ?? '', r.Values?.[0]);
  }
  return {
    called: queries.length > 0,
    statuses: entry.objectives.map((objective) => {
      const index = withQuery.indexOf(objective);
      const value = index >= 0 ? left.get(`slo${index}`) : undefined;
      return {
        slug: objective.slug,
        target: objective.target,
        ...(value !== undefined ? { budgetLeftPercent: value } : {}),
      };
    }),
  };
}

/** Exit 0 when healthy, 1 when any critical alarm (or health) is in ALARM. */
export function statusExitCode(report: StatusReport): ExitCode {
  return report.healthy ? EXIT.ok : EXIT.unhealthy;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values`, oldest first. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '(no data)';
  const min = Math.min(...values);
  const max = Math.max(...values);
  // Halfway rounds down, so [1, 2, 3] reads ▁▄█.
  const bar = (v: number) => Math.max(0, Math.round(((v - min) / (max - min)) * (BARS.length - 1) - 1e-9));
  return values.map((v) => BARS[max === min ? 0 : bar(v)]).join('');
}

/** The one screen `keel status` prints; with `colour`, the verdict and each alarm's state in ANSI colours. */
export function renderStatus(report: StatusReport, now: Date = new Date(), colour = false): string {
  const ago = (since?: Date) => (since ? `${formatDuration(now.getTime() - since.getTime())} ago` : '-');
  const verdict = report.healthy ? paint('HEALTHY', 'green', colour) : paint('UNHEALTHY', 'red', colour);
  const lines = [
    `${report.service} (${report.environment}): ${verdict}  health ${report.health.state} since ${ago(report.health.since)}`,
    '',
    'Alarms',
  ];
  const order = { ALARM: 0, INSUFFICIENT_DATA: 1, MISSING: 2, OK: 3 } as const;
  const severities = ['critical', 'warning', 'unknown'] as const;
  for (const severity of severities) {
    const alarms = report.alarms
      .filter((a) => a.severity === severity)
      .sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
    if (alarms.length === 0) continue;
    const counts = Object.entries(
      alarms.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.state]: (acc[a.state] ?? 0) + 1 }), {}),
    )
      .map(([state, count]) => `${count} ${state}`)
      .join(', ');
    lines.push(`  ${severity} (${counts})`);
    for (const alarm of alarms.filter((a) => a.state !== 'OK')) {
      lines.push(
        `    ${paint(alarm.state.padEnd(17), alarm.state === 'ALARM' ? 'red' : 'yellow', colour)} ${alarm.name.padEnd(52)} ${ago(alarm.since).padEnd(10)} ${alarm.runbook ?? ''}`,
      );
    }
  }
  lines.push('', `Business metrics (last ${report.sinceMinutes} min)`);
  for (const metric of report.metrics) {
    const latest = metric.latest === undefined ? '-' : String(Math.round(metric.latest * 100) / 100);
    lines.push(
      `  ${metric.name.padEnd(24)} ${sparkline(metric.values).padEnd(32)} latest ${latest} (${metric.statistic})`,
    );
  }
  if (report.objectives.length > 0) {
    lines.push('', 'Service level objectives');
    for (const objective of report.objectives) {
      const left =
        objective.budgetLeftPercent === undefined
          ? 'no data'
          : `${objective.budgetLeftPercent.toFixed(1)}% of the error budget left`;
      lines.push(`  ${objective.slug.padEnd(24)} target ${(objective.target * 100).toFixed(2)}%  ${left}`);
    }
  }
  return lines.join('\n');
}
