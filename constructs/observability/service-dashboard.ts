import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { MonitoredContainer } from '../service/monitored-service';
import type { ServiceFunction } from '../service/service-function';
import type { RegisteredAlarm } from './alarm-factory';
import type { BusinessMetric } from './business-metric';
import { loadBalancerMetric, runningTasks, serviceMetric, targetGroupMetric } from './container-metrics';
import type { ServiceLevelObjective } from './service-level-objective';

/** What the dashboard shows, read when it is rendered at synth (ServiceMonitoring is one). */
export interface ServiceDashboardContent {
  readonly businessMetrics: readonly BusinessMetric[];
  /** The CloudWatch metric of a business metric. */
  metric(metric: BusinessMetric): cloudwatch.IMetric;
  readonly objectives: readonly ServiceLevelObjective[];
  readonly alarms: readonly Pick<RegisteredAlarm, 'alarm'>[];
  readonly service: {
    readonly api?: apigateway.RestApi;
    /**
     * The load-balanced containers.
     * @default - none: no load balancer or containers rows
     */
    readonly container?: MonitoredContainer;
    readonly functions: readonly ServiceFunction[];
    readonly tables: readonly dynamodb.ITable[];
  };
}

export interface ServiceDashboardProps {
  /** `<service>-<env>`. */
  readonly dashboardName: string;
  readonly content: ServiceDashboardContent;
}

/**
 * The service's one dashboard: business metrics and SLOs first, then the technical widgets, then the state of every
 * alarm. Its body is laid out at synth, so metrics, SLOs and alarms added after it appear too.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    this.dashboardName = props.dashboardName;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(new LazyLayout(() => sections(props.content)));
  }
}

/** Rows of widgets, top to bottom. */
function sections(content: ServiceDashboardContent): cloudwatch.IWidget[][] {
  const rows = [
    ...businessRows(content),
    ...objectiveRows(content.objectives),
    ...(content.service.api ? apiRows(content.service.api) : []),
    ...(content.service.container ? containerRows(content.service.container) : []),
    ...functionRows(content.service.functions),
    ...tableRows(content.service.tables),
    ...alarmRows(content.alarms),
  ];
  return rows.filter((row) => row.length > 0);
}

function title(text: string): cloudwatch.IWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
}

function businessRows(content: ServiceDashboardContent): cloudwatch.IWidget[][] {
  return [
    [title('Business')],
    content.businessMetrics.map(
      (metric) =>
        new cloudwatch.GraphWidget({
          title: `${metric.name}: ${metric.description}`,
          left: [content.metric(metric)],
          width: 8,
          height: 6,
        }),
    ),
  ];
}

function objectiveRows(objectives: readonly ServiceLevelObjective[]): cloudwatch.IWidget[][] {
  if (objectives.length === 0) return [];
  return [
    [title('Service level objectives')],
    objectives.map(
      (slo) =>
        new cloudwatch.SingleValueWidget({
          title: `${slo.slug}: error budget left over ${slo.budgetPeriod.toDays()} days (target ${slo.target * 100}%)`,
          metrics: [slo.budgetLeft()],
          start: `-P${slo.budgetPeriod.toDays()}D`,
          setPeriodToTimeRange: true,
          width: 8,
          height: 4,
        }),
    ),
  ];
}

function apiRows(api: apigateway.RestApi): cloudwatch.IWidget[][] {
  return [
    [title('API')],
    [
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx',
        left: [api.metricCount({ period: Duration.minutes(1) })],
        right: [api.metricServerError({ period: Duration.minutes(1) })],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency p50 / p99',
        left: [api.metricLatency({ statistic: 'p50' }), api.metricLatency({ statistic: 'p99' })],
        width: 12,
        height: 6,
      }),
    ],
  ];
}

/** A 'Load balancer' row (requests, 5xx, p99, hosts) and a 'Containers' row (CPU, memory, running tasks). */
function containerRows(container: MonitoredContainer): cloudwatch.IWidget[][] {
  const lb = (metricName: string, statistic: string) =>
    loadBalancerMetric(container.loadBalancer, metricName, statistic);
  const hosts = (metricName: string) =>
    container.targetGroups.map((group) => targetGroupMetric(container, group, metricName, 'Maximum'));
  return [
    [title('Load balancer')],
    [
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx (load balancer, tasks)',
        left: [lb('RequestCount', 'Sum')],
        right: [lb('HTTPCode_ELB_5XX_Count', 'Sum'), lb('HTTPCode_Target_5XX_Count', 'Sum')],
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Target response time p50 / p99',
        left: [lb('TargetResponseTime', 'p50'), lb('TargetResponseTime', 'p99')],
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Healthy and unhealthy hosts per target group',
        left: hosts('HealthyHostCount'),
        right: hosts('UnHealthyHostCount'),
        width: 8,
        height: 6,
      }),
    ],
    [title('Containers')],
    [
      new cloudwatch.GraphWidget({
        title: 'CPU and memory utilization (%)',
        left: [serviceMetric(container, 'CPUUtilization'), serviceMetric(container, 'MemoryUtilization')],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Running tasks',
        left: [runningTasks(container)],
        leftAnnotations: [{ value: container.minTasks, label: 'auto scaling minimum' }],
        width: 12,
        height: 6,
      }),
    ],
  ];
}

function functionRows(functions: readonly ServiceFunction[]): cloudwatch.IWidget[][] {
  if (functions.length === 0) return [];
  return [
    [title('Functions')],
    functions.map(
      (fn) =>
        new cloudwatch.GraphWidget({
          title: `${fn.node.id}: invocations, errors, throttles, max duration`,
          left: [fn.function.metricInvocations(), fn.function.metricErrors(), fn.function.metricThrottles()],
          right: [fn.function.metricDuration({ statistic: 'Maximum' })],
          width: 12,
          height: 6,
        }),
    ),
  ];
}

function tableRows(tables: readonly dynamodb.ITable[]): cloudwatch.IWidget[][] {
  if (tables.length === 0) return [];
  return [
    [title('Tables')],
    tables.map(
      (table) =>
        new cloudwatch.GraphWidget({
          title: `${table.node.id}: throttle events and system errors`,
          left: [
            table.metric('ReadThrottleEvents', { statistic: 'Sum' }),
            table.metric('WriteThrottleEvents', { statistic: 'Sum' }),
          ],
          right: [table.metricSystemErrorsForOperations({ period: Duration.minutes(5) })],
          width: 12,
          height: 6,
        }),
    ),
  ];
}

function alarmRows(alarms: readonly Pick<RegisteredAlarm, 'alarm'>[]): cloudwatch.IWidget[][] {
  return [
    [title('Alarms')],
    [
      new cloudwatch.AlarmStatusWidget({
        title: 'Every alarm of the service',
        alarms: alarms.map((a) => a.alarm),
        width: 24,
        height: Math.max(4, Math.ceil(alarms.length / 4) + 2),
      }),
    ],
  ];
}

/** A widget that lays out the rows `produce` returns when the dashboard is rendered. */
class LazyLayout implements cloudwatch.IWidget {
  public readonly width = 24;
  public readonly height = 1;
  public readonly warnings: string[] = [];
  public readonly warningsV2: Record<string, string> = {};
  private x = 0;
  private y = 0;

  constructor(private readonly produce: () => cloudwatch.IWidget[][]) {}

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): unknown[] {
    const column = new cloudwatch.Column(...this.produce().map((row) => new cloudwatch.Row(...row)));
    column.position(this.x, this.y);
    return column.toJson();
  }
}
