import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CustomThreshold, MetricWithAlarmSupport, MonitoringFacade } from 'cdk-monitoring-constructs';
import type { MonitoredContainer } from '../service/monitored-service';
import { ratioExpression } from './business-alarm-metrics';
import { loadBalancerMetric, REQUEST_PERIOD, runningTasks, unhealthyHosts } from './container-metrics';
import type { StandardAlarmSource, StandardAlarmSpec, StandardAlarmTarget } from './standard-alarm-types';

/** A 5xx rate is judged only on periods with at least this many requests: two failures of three is not an outage. */
export const MIN_REQUESTS_FOR_ERROR_RATE = 10;

/** A standard alarm on a metric cdk-monitoring-constructs has no `add…Alarm` for: `monitorCustom` alarms on it. */
interface CustomAlarm extends Omit<StandardAlarmSpec, 'alarm' | 'threshold' | 'file'> {
  readonly metric: MetricWithAlarmSupport;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
}

/**
 * One target for alarms cdk-monitoring-constructs' `monitorCustom` builds, one metric each. A spec's `alarm` is its
 * slug: the key under which buildStandardAlarms hands over the alarm's name, description, routing and evaluation.
 */
function customTarget(alarmFriendlyName: string, title: string, custom: readonly CustomAlarm[]): StandardAlarmTarget {
  return {
    monitor: (facade: MonitoringFacade, alarms) =>
      facade.monitorCustom({
        alarmFriendlyName,
        metricGroups: [
          {
            title,
            metrics: custom.map(({ slug, metric }) => ({
              metric,
              alarmFriendlyName: `${alarmFriendlyName}-${slug}`,
              // buildStandardAlarms merged the spec's threshold and comparison into Keel's CustomAlarmThreshold.
              addAlarm: alarms[slug] as Record<string, CustomThreshold>,
            })),
          },
        ],
      }),
    specs: custom.map(({ slug, anchor, severity, meaning, watches, threshold, comparisonOperator }) => ({
      slug,
      anchor,
      severity,
      meaning,
      watches,
      alarm: slug,
      threshold: { threshold, comparisonOperator },
    })),
  };
}

/** 5xx responses ÷ requests of the whole load balancer, 0 on a period with fewer than MIN_REQUESTS_FOR_ERROR_RATE. */
function errorRate(container: MonitoredContainer, errors: string, label: string): cloudwatch.MathExpression {
  return ratioExpression(
    loadBalancerMetric(container.loadBalancer, errors, 'Sum'),
    loadBalancerMetric(container.loadBalancer, 'RequestCount', 'Sum'),
    MIN_REQUESTS_FOR_ERROR_RATE,
    REQUEST_PERIOD,
    label,
  );
}

/**
 * The load balancer in front of a container service: 5xx rates of the load balancer and of the tasks (critical), p99
 * response time, unhealthy hosts and rejected connections (warnings). Each reads the whole load balancer, not one
 * target group, since blue and green swap roles every deployment; unhealthy hosts exist only per target group, so
 * that alarm adds up every target group of the service.
 */
export const loadBalancerAlarms: StandardAlarmSource = ({ container, thresholds, prefix }) => {
  if (!container) return [];
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const percent = thresholds.api5xxPercent;
  const enough = `at least ${MIN_REQUESTS_FOR_ERROR_RATE} requests per 5 minutes`;
  const latency = thresholds.apiP99Latency;
  return [
    customTarget(`${prefix}-lb`, 'Load balancer', [
      {
        slug: 'lb-5xx-rate',
        anchor: 'lb-5xx-rate',
        severity: 'critical',
        meaning: 'The load balancer answers too many requests with 5xx errors of its own: no healthy task took them.',
        watches: `load balancer 5xx rate (HTTPCode_ELB_5XX_Count / RequestCount) > ${percent}%, ${enough}`,
        metric: errorRate(container, 'HTTPCode_ELB_5XX_Count', 'Load balancer 5xx / requests'),
        threshold: percent / 100,
        comparisonOperator: above,
      },
      {
        slug: 'target-5xx-rate',
        anchor: 'target-5xx-rate',
        severity: 'critical',
        meaning: "The service's tasks answer too many requests with 5xx errors.",
        watches: `task 5xx rate (HTTPCode_Target_5XX_Count / RequestCount) > ${percent}%, ${enough}`,
        metric: errorRate(container, 'HTTPCode_Target_5XX_Count', 'Task 5xx / requests'),
        threshold: percent / 100,
        comparisonOperator: above,
      },
      {
        slug: 'target-p99-latency',
        anchor: 'target-p99-latency',
        severity: 'warning',
        meaning: "The slowest 1% of the service's responses are too slow.",
        watches: `TargetResponseTime p99 > ${latency.toHumanString()}`,
        metric: loadBalancerMetric(container.loadBalancer, 'TargetResponseTime', 'p99'),
        // TargetResponseTime is in seconds.
        threshold: latency.toMilliseconds() / 1000,
        comparisonOperator: above,
      },
      {
        slug: 'unhealthy-hosts',
        anchor: 'unhealthy-hosts',
        severity: 'warning',
        meaning: "Some of the service's tasks fail the load balancer's health check.",
        watches: `UnHealthyHostCount (maximum) of all ${container.targetGroups.length} target groups > 0 for 3 minutes`,
        metric: unhealthyHosts(container),
        threshold: 0,
        comparisonOperator: above,
      },
      {
        slug: 'rejected-connections',
        anchor: 'rejected-connections',
        severity: 'warning',
        meaning: 'The load balancer refuses connections: it reached its maximum number of connections.',
        watches: 'RejectedConnectionCount > 0',
        metric: loadBalancerMetric(container.loadBalancer, 'RejectedConnectionCount', 'Sum'),
        threshold: 0,
        comparisonOperator: above,
      },
    ]),
  ];
};

/**
 * The tasks of a container service: fewer running than the auto scaling minimum (critical, Container Insights), and
 * CPU and memory utilization (warnings, through cdk-monitoring-constructs' `monitorSimpleFargateService`).
 * cdk-monitoring-constructs' own running-task alarm fires on too many tasks, not too few, so `monitorCustom` builds
 * that one.
 */
export const containerAlarms: StandardAlarmSource = ({ container, thresholds, prefix }) => {
  if (!container) return [];
  const { containerCpuPercent: cpu, containerMemoryPercent: memory } = thresholds;
  return [
    {
      monitor: (facade, alarms) =>
        facade.monitorSimpleFargateService({
          fargateService: container.fargateService,
          alarmFriendlyName: `${prefix}-tasks`,
          ...alarms,
        }),
      specs: [
        {
          slug: 'container-cpu',
          anchor: 'container-cpu',
          severity: 'warning',
          meaning: "The service's tasks use most of the CPU they reserve.",
          watches: `average CPUUtilization > ${cpu}%`,
          alarm: 'addCpuUsageAlarm',
          threshold: { maxUsagePercent: cpu },
        },
        {
          slug: 'container-memory',
          anchor: 'container-memory',
          severity: 'warning',
          meaning: "The service's tasks use most of the memory they reserve.",
          watches: `average MemoryUtilization > ${memory}%`,
          alarm: 'addMemoryUsageAlarm',
          threshold: { maxUsagePercent: memory },
        },
      ],
    },
    customTarget(`${prefix}-task-count`, 'Running tasks', [
      {
        slug: 'tasks-below-desired',
        anchor: 'tasks-below-desired',
        severity: 'critical',
        meaning: 'Fewer tasks run than the auto scaling minimum: tasks fail to start or keep stopping.',
        watches: `Container Insights RunningTaskCount < ${container.minTasks} (the auto scaling minimum) for 3 minutes`,
        metric: runningTasks(container),
        threshold: container.minTasks,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      },
    ]),
  ];
};
