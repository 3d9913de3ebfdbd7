import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { ServiceMonitoring } from './service-monitoring';

/**
 * The service's one dashboard: business metrics and SLOs first, then the technical widgets, then the state of every
 * alarm. Its body is laid out at synth, so metrics, SLOs and alarms added after it appear too.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, monitoring: ServiceMonitoring) {
    super(scope, id);
    this.dashboardName = `${monitoring.service.serviceName}-${monitoring.service.environment}`;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(new LazyLayout(() => sections(monitoring)));
  }
}

/** Rows of widgets, top to bottom. */
function sections(monitoring: ServiceMonitoring): cloudwatch.IWidget[][] {
  const service = monitoring.service;
  const title = (text: string) => new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
  const rows: cloudwatch.IWidget[][] = [];

  rows.push([title('Business')]);
  rows.push(
    monitoring.businessMetrics.map(
      (metric) =>
        new cloudwatch.GraphWidget({
          title: `${metric.name}: ${metric.description}`,
          left: [monitoring.metric(metric)],
          width: 8,
          height: 6,
        }),
    ),
  );
  if (monitoring.objectives.length > 0) {
    rows.push([title('Service level objectives')]);
    rows.push(
      monitoring.objectives.map(
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
    );
  }

  rows.push([title('API')]);
  rows.push([
    new cloudwatch.GraphWidget({
      title: 'Requests and 5xx',
      left: [service.api.metricCount({ period: Duration.minutes(1) })],
      right: [service.api.metricServerError({ period: Duration.minutes(1) })],
      width: 12,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Latency p50 / p99',
      left: [service.api.metricLatency({ statistic: 'p50' }), service.api.metricLatency({ statistic: 'p99' })],
      width: 12,
      height: 6,
    }),
  ]);
  rows.push([title('Functions')]);
  rows.push(
    service.functions.map(
      (fn) =>
        new cloudwatch.GraphWidget({
          title: `${fn.node.id}: invocations, errors, throttles, max duration`,
          left: [fn.function.metricInvocations(), fn.function.metricErrors(), fn.function.metricThrottles()],
          right: [fn.function.metricDuration({ statistic: 'Maximum' })],
          width: 12,
          height: 6,
        }),
    ),
  );
  if (service.tables.length > 0) {
    rows.push([title('Tables')]);
    rows.push(
      service.tables.map(
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
    );
  }
  rows.push([title('Alarms')]);
  rows.push([
    new cloudwatch.AlarmStatusWidget({
      title: 'Every alarm of the service',
      alarms: monitoring.alarms.map((a) => a.alarm),
      width: 24,
      height: Math.max(4, Math.ceil(monitoring.alarms.length / 4) + 2),
    }),
  ]);
  return rows.filter((row) => row.length > 0);
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
