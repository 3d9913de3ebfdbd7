import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SloIndicator, defineBusinessMetrics } from '../../../constructs';
import { monitoredShop } from '../../helpers/monitoring';
import { flatten } from '../../helpers/template';

/** The shop service, prod, maximum protection, monitored. */
function shop() {
  const {
    stack,
    service,
    fn: handler,
    monitoring,
  } = monitoredShop({
    environment: 'prod',
    protection: 'maximum',
    shopAnchors: ['sales-stopped', 'basket-value-low', 'availability-fast-burn', 'availability-slow-burn'],
  });
  return { stack, service, handler, monitoring };
}

interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly view?: string;
    readonly metrics?: unknown[][];
    readonly alarms?: string[];
    readonly start?: string;
    readonly setPeriodToTimeRange?: boolean;
  };
}

const shopMetrics = defineBusinessMetrics('shop', {
  sales: { name: 'Sales', unit: 'Count', statistic: 'Sum', description: 'Sales made' },
  basketValue: { name: 'BasketValue', unit: 'None', statistic: 'Average', description: 'Value of each basket' },
  visits: { name: 'Visits', unit: 'Count', statistic: 'Sum', description: 'Shop visits' },
  refunds: { name: 'Refunds', unit: 'Count', statistic: 'Sum', description: 'Refunds granted' },
});

describe('the dashboard of a monitored service with business metrics and an objective', () => {
  const { stack, service, handler, monitoring } = shop();
  const registeredBeforeAdditions = monitoring.alarms.length;
  monitoring.addBusinessMetrics(shopMetrics, [handler]);
  const heartbeat = monitoring.addHeartbeatAlarm(shopMetrics.sales, {
    slug: 'sales-stopped',
    severity: 'critical',
    description: 'No sale for 15 minutes.',
  });
  const availability = monitoring.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'Shop availability',
    indicator: SloIndicator.availability(service.api.metricServerError(), service.api.metricCount()),
    target: 0.999,
  });
  const threshold = monitoring.addThresholdAlarm(shopMetrics.basketValue, {
    slug: 'basket-value-low',
    severity: 'warning',
    description: 'Baskets are worth too little.',
    below: 100,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const template = Template.fromStack(stack);
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const [dashboard] = Object.values(dashboards);
  const body = flatten((dashboard.Properties as { DashboardBody: unknown }).DashboardBody);
  const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
  const arnOf = (alarm: cloudwatch.IAlarm) => flatten(stack.resolve(alarm.alarmArn));

  test('is the one dashboard, named <service>-<env>', () => {
    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard.Properties).toMatchObject({ DashboardName: 'shop-prod' });
    expect(monitoring.dashboard.dashboardName).toBe('shop-prod');
  });

  test('puts business metrics first, then objectives, then the API, functions and tables, then the alarms', () => {
    const at = (title: string) => body.indexOf(JSON.stringify(`## ${title}`));
    const order = ['Business', 'Service level objectives', 'API', 'Functions', 'Alarms'].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const titleRows = widgets.filter((w) => w.type === 'text').map((w) => [w.properties.markdown, w.y]);
    expect(titleRows.map(([markdown]) => markdown)).toEqual([
      '## Business',
      '## Service level objectives',
      '## API',
      '## Functions',
      '## Tables',
      '## Alarms',
    ]);
    const ys = titleRows.map(([, y]) => y as number);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  test('graphs every business metric as its handler emits it', () => {
    for (const metric of Object.values(shopMetrics)) {
      const graphs = widgets.filter((w) => w.properties.title === `${metric.name}: ${metric.description}`);
      expect(graphs).toHaveLength(1);
      expect(graphs[0].type).toBe('metric');
      expect(graphs[0].properties.view).toBe('timeSeries');
      // Average is the graphs' default statistic, which the dashboard leaves out.
      const options = metric.statistic === 'Average' ? [] : [{ stat: metric.statistic }];
      expect(graphs[0].properties.metrics).toEqual([['Keel/Shop', metric.name, 'service', 'shop', ...options]]);
    }
  });

  test('shows the error budget left of each objective as a single value over its budget period', () => {
    const singles = widgets.filter((w) => w.properties.view === 'singleValue');
    expect(singles).toHaveLength(1);
    expect(singles[0].properties).toMatchObject({
      title: 'availability: error budget left over 30 days (target 99.9%)',
      start: '-P30D',
      setPeriodToTimeRange: true,
    });
    const [expression] = singles[0].properties.metrics ?? [];
    expect(expression).toEqual([
      expect.objectContaining({
        expression: expect.stringMatching(/^100 \* \(1 - /),
        label: `${availability.slug} error budget left (%)`,
      }),
    ]);
  });

  test('lists every registered alarm in the alarm status widget, those added after the dashboard too', () => {
    const statuses = widgets.filter((w) => w.type === 'alarm');
    expect(statuses).toHaveLength(1);
    const listed = statuses[0].properties.alarms ?? [];
    expect(listed.length).toBeGreaterThanOrEqual(monitoring.alarms.length);
    expect(monitoring.alarms.length).toBeGreaterThan(registeredBeforeAdditions);
    for (const entry of monitoring.alarms) expect(listed).toContain(arnOf(entry.alarm));
    expect(listed).toContain(arnOf(heartbeat));
    expect(listed).toContain(arnOf(threshold));
    for (const composite of availability.composites) expect(listed).toContain(arnOf(composite));
    expect(listed).toContain(arnOf(monitoring.health));
  });

  test('lays widgets out on the 24-column grid without overlaps', () => {
    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
    const overlaps = (a: Widget, b: Widget) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const pairs = widgets.flatMap((a, i) =>
      widgets
        .slice(i + 1)
        .filter((b) => overlaps(a, b))
        .map((b) => [a, b]),
    );
    expect(pairs).toEqual([]);
  });
});

describe('the dashboard of a service without business metrics or objectives', () => {
  const { stack, monitoring } = shop();
  const dashboard = monitoring.dashboard.dashboard.node.defaultChild as cloudwatch.CfnDashboard;
  const body = flatten(stack.resolve(dashboard.dashboardBody) as unknown);
  const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;

  test('keeps the business title but leaves out the objectives section', () => {
    expect(body).toContain(JSON.stringify('## Business'));
    expect(body).not.toContain('Service level objectives');
    expect(widgets.filter((w) => w.properties.view === 'singleValue')).toEqual([]);
  });

  test('still lists the standard alarms and the health composite', () => {
    const [status] = widgets.filter((w) => w.type === 'alarm');
    expect(status.properties.alarms).toHaveLength(monitoring.alarms.length);
    expect(status.properties.alarms).toContain(flatten(stack.resolve(monitoring.health.alarmArn) as unknown));
  });
});
