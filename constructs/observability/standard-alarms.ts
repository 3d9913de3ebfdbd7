import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CustomAlarmThreshold } from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import type { Problem } from '../errors';
import type { KeelAlarmFactory } from './alarm-factory';
import { containerAlarms, loadBalancerAlarms } from './container-alarms';
import type {
  StandardAlarmSource,
  StandardAlarmSpec,
  StandardAlarmTarget,
  StandardAlarmThresholds,
} from './standard-alarm-types';

export type {
  StandardAlarmScope,
  StandardAlarmSource,
  StandardAlarmSpec,
  StandardAlarmTarget,
  StandardAlarmThresholds,
} from './standard-alarm-types';
export { containerAlarms, loadBalancerAlarms } from './container-alarms';

export const DEFAULT_STANDARD_THRESHOLDS: StandardAlarmThresholds = {
  api5xxPercent: 1,
  apiP99Latency: Duration.seconds(3),
  functionErrors: 5,
  functionThrottles: 0,
  durationPercentOfTimeout: 80,
  concurrencyPercentOfReserved: 80,
  containerCpuPercent: 80,
  containerMemoryPercent: 80,
};

/** The standard runbook sections every service shares (`runbooks/standard-alarms.md`). */
export const STANDARD_RUNBOOK_FILE = 'standard-alarms.md';

/** What is wrong with standard alarm thresholds, each problem placed by `where(field)`. */
export function standardThresholdProblems(
  thresholds: Partial<StandardAlarmThresholds>,
  where: (field: keyof StandardAlarmThresholds) => string,
): Problem[] {
  const problems: Problem[] = [];
  const percent = (
    field:
      | 'api5xxPercent'
      | 'durationPercentOfTimeout'
      | 'concurrencyPercentOfReserved'
      | 'containerCpuPercent'
      | 'containerMemoryPercent',
  ) => {
    const value = thresholds[field];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0 || value > 100)) {
      problems.push({
        where: where(field),
        what: `${value} is not a percentage in (0, 100]`,
        fix: `use e.g. ${DEFAULT_STANDARD_THRESHOLDS[field]} for ${DEFAULT_STANDARD_THRESHOLDS[field]}%`,
      });
    }
  };
  const count = (field: 'functionErrors' | 'functionThrottles') => {
    const value = thresholds[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      problems.push({ where: where(field), what: `${value} is not a whole number of 0 or more`, fix: 'use e.g. 5' });
    }
  };
  percent('api5xxPercent');
  percent('durationPercentOfTimeout');
  percent('concurrencyPercentOfReserved');
  percent('containerCpuPercent');
  percent('containerMemoryPercent');
  count('functionErrors');
  count('functionThrottles');
  const latency = thresholds.apiP99Latency;
  if (latency !== undefined && !(latency.toMilliseconds() > 0)) {
    problems.push({ where: where('apiP99Latency'), what: 'is not above 0', fix: 'use e.g. Duration.seconds(3)' });
  }
  return problems;
}

/** The API: 5xx rate (critical) and p99 latency (warning). */
export const apiAlarms: StandardAlarmSource = ({ api, stage, thresholds, prefix }) =>
  !api
    ? []
    : [
        {
          monitor: (facade, alarms) =>
            facade.monitorApiGateway({ api, apiStage: stage, alarmFriendlyName: prefix, ...alarms }),
          specs: [
            {
              slug: 'api-5xx-rate',
              anchor: 'api-5xx-rate',
              severity: 'critical',
              meaning: 'The API answers too many requests with 5xx errors.',
              watches: `API 5xx rate > ${thresholds.api5xxPercent}%`,
              alarm: 'add5XXFaultRateAlarm',
              // cdk-monitoring-constructs alarms on the Average of 5XXError: the failed share, from 0 to 1.
              threshold: { maxErrorRate: thresholds.api5xxPercent / 100 },
            },
            {
              slug: 'api-p99-latency',
              anchor: 'api-p99-latency',
              severity: 'warning',
              meaning: 'The slowest 1% of API requests are too slow.',
              watches: `API p99 latency > ${thresholds.apiP99Latency.toHumanString()}`,
              alarm: 'addLatencyP99Alarm',
              threshold: { maxLatency: thresholds.apiP99Latency },
            },
          ],
        },
      ];

/**
 * Every function: errors (critical behind a route, else warning) and a non-empty dead-letter queue. Throttles,
 * duration and concurrency matter where callers wait: functions behind routes. Functions no route reaches (secret
 * rotation) fail into the errors alarm and their dead-letter queue instead.
 */
export const functionAlarms: StandardAlarmSource = (scope) =>
  scope.functions.flatMap((fn) => {
    const name = scope.resourceName(fn);
    const path = fn.node.path;
    const { thresholds } = scope;
    const routed = scope.routedFunctions.has(fn);
    const specs: StandardAlarmSpec[] = [
      {
        slug: `${name}-errors`,
        anchor: 'function-errors',
        severity: routed ? 'critical' : 'warning',
        meaning: `Function ${path} keeps failing.`,
        watches: `${path} errors > ${thresholds.functionErrors} per 5 minutes`,
        alarm: 'addFaultCountAlarm',
        threshold: { maxErrorCount: thresholds.functionErrors },
      },
    ];
    if (routed) {
      specs.push(
        {
          slug: `${name}-throttles`,
          anchor: 'function-throttles',
          severity: 'warning',
          meaning: `Function ${path} is being throttled.`,
          watches: `${path} throttles > ${thresholds.functionThrottles} per 5 minutes`,
          alarm: 'addThrottlesCountAlarm',
          threshold: { maxErrorCount: thresholds.functionThrottles },
        },
        {
          slug: `${name}-duration`,
          anchor: 'function-duration',
          severity: 'warning',
          meaning: `Function ${path} runs close to its timeout.`,
          watches: `${path} maximum duration > ${thresholds.durationPercentOfTimeout}% of its timeout`,
          alarm: 'addMaxLatencyAlarm',
          threshold: {
            maxLatency: Duration.millis((fn.timeout.toMilliseconds() * thresholds.durationPercentOfTimeout) / 100),
          },
        },
      );
      const reserved = (fn.function.node.defaultChild as { reservedConcurrentExecutions?: number })
        .reservedConcurrentExecutions;
      if (typeof reserved === 'number' && reserved > 0) {
        specs.push({
          slug: `${name}-concurrency`,
          anchor: 'function-concurrency',
          severity: 'warning',
          meaning: `Function ${path} nears its reserved concurrency.`,
          watches: `${path} concurrency > ${thresholds.concurrencyPercentOfReserved}% of reserved`,
          alarm: 'addConcurrentExecutionsCountAlarm',
          threshold: {
            maxRunningTasks: Math.max(1, Math.floor((reserved * thresholds.concurrencyPercentOfReserved) / 100)),
          },
        });
      }
    }
    return [
      {
        monitor: (facade, alarms) =>
          facade.monitorLambdaFunction({
            lambdaFunction: fn.function,
            alarmFriendlyName: `${scope.prefix}-${name}`,
            ...alarms,
          }),
        specs,
      },
      queueNotEmpty(`${scope.prefix}-${name}-dlq`, fn.deadLetterQueue, {
        slug: `${name}-dlq-not-empty`,
        anchor: 'function-dlq-not-empty',
        meaning: `Failed asynchronous invocations of ${path} are waiting.`,
        watches: `${path} dead-letter queue holds messages`,
      }),
    ];
  });

/** Alerts SNS could not deliver to the owner team (warning). */
export const undeliveredAlertAlarms: StandardAlarmSource = (scope) => [
  queueNotEmpty(`${scope.prefix}-alerts-undelivered`, scope.undeliveredAlerts, {
    slug: 'alerts-undelivered',
    anchor: 'alerts-undelivered',
    meaning: "SNS could not deliver an alert to the owner team's on-call or ticket endpoint.",
    watches: 'undelivered-alerts queue holds messages',
  }),
];

/** Every table: read and write throttles (warning) and system errors (critical). */
export const tableAlarms: StandardAlarmSource = (scope) =>
  scope.tables.map((table) => {
    const name = scope.resourceName(table);
    const path = table.node.path;
    return {
      monitor: (facade, alarms) =>
        facade.monitorDynamoTable({ table, alarmFriendlyName: `${scope.prefix}-${name}`, ...alarms }),
      specs: [
        {
          slug: `${name}-read-throttles`,
          anchor: 'table-read-throttles',
          severity: 'warning',
          meaning: `Table ${path} throttles reads.`,
          watches: `${path} read throttle events`,
          alarm: 'addReadThrottledEventsCountAlarm',
          threshold: { maxThrottledEventsThreshold: 0 },
        },
        {
          slug: `${name}-write-throttles`,
          anchor: 'table-write-throttles',
          severity: 'warning',
          meaning: `Table ${path} throttles writes.`,
          watches: `${path} write throttle events`,
          alarm: 'addWriteThrottledEventsCountAlarm',
          threshold: { maxThrottledEventsThreshold: 0 },
        },
        {
          slug: `${name}-system-errors`,
          anchor: 'table-system-errors',
          severity: 'critical',
          meaning: `DynamoDB fails requests to ${path}.`,
          watches: `${path} system errors`,
          alarm: 'addSystemErrorCountAlarm',
          threshold: { maxErrorCount: 0 },
        },
      ],
    };
  });

/** The standard alarms of every service, in the order they are listed (manifest, health composite, dashboard). */
export const STANDARD_ALARM_SOURCES: readonly StandardAlarmSource[] = [
  apiAlarms,
  functionAlarms,
  undeliveredAlertAlarms,
  tableAlarms,
  loadBalancerAlarms,
  containerAlarms,
];

/**
 * Builds the targets' alarms through cdk-monitoring-constructs under `scope`/Standard, with Keel's names, runbook
 * descriptions and routing, and registers each with `factory` as a standard alarm.
 */
export function buildStandardAlarms(
  scope: Construct,
  factory: KeelAlarmFactory,
  prefix: string,
  targets: readonly StandardAlarmTarget[],
): void {
  // Loaded when the first alarms are built: about 0.15 s, which tools and tests that build no monitoring never pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cmc = require('cdk-monitoring-constructs') as typeof import('cdk-monitoring-constructs');
  const facade = new cmc.MonitoringFacade(scope, 'Standard', {
    alarmFactoryDefaults: { alarmNamePrefix: prefix, actionsEnabled: true },
    // Keel builds the service's one dashboard itself.
    dashboardFactory: { addDynamicSegment: () => undefined, getDashboard: () => undefined },
  });
  const topics = factory.topics;
  for (const target of targets) {
    const alarms: Record<string, Record<string, CustomAlarmThreshold>> = {};
    for (const spec of target.specs) {
      const topic = topics[spec.severity];
      const custom: CustomAlarmThreshold = {
        alarmNameOverride: factory.alarmName(spec.slug, spec.severity),
        alarmDescriptionOverride: factory.alarmDescription(
          spec.meaning,
          spec.anchor,
          spec.file ?? STANDARD_RUNBOOK_FILE,
        ),
        actionOverride: new cmc.SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic }),
        // No traffic means no errors, throttles or latency: missing data is not a failure for any standard alarm.
        treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
        datapointsToAlarm: 3,
        evaluationPeriods: 3,
      };
      alarms[spec.alarm] = { ...alarms[spec.alarm], [spec.severity]: { ...custom, ...spec.threshold } };
    }
    target.monitor(facade, alarms);
  }
  const created = new Map(facade.createdAlarms().map((a) => [a.alarmName, a.alarm]));
  for (const spec of targets.flatMap((t) => t.specs)) {
    const name = factory.alarmName(spec.slug, spec.severity);
    const alarm = created.get(name);
    if (!alarm) throw new Error(`cdk-monitoring-constructs did not create ${name}`);
    factory.register(alarm, {
      slug: spec.slug,
      severity: spec.severity,
      kind: 'standard',
      watches: spec.watches,
      anchor: spec.anchor,
      file: spec.file ?? STANDARD_RUNBOOK_FILE,
    });
  }
}

/** A warning as soon as `queue` holds a message. */
function queueNotEmpty(
  alarmFriendlyName: string,
  queue: sqs.IQueue,
  spec: Pick<StandardAlarmSpec, 'slug' | 'anchor' | 'meaning' | 'watches'>,
): StandardAlarmTarget {
  return {
    monitor: (facade, alarms) => facade.monitorSqsQueue({ queue, alarmFriendlyName, ...alarms }),
    specs: [{ ...spec, severity: 'warning', alarm: 'addQueueMaxSizeAlarm', threshold: { maxMessageCount: 0 } }],
  };
}
