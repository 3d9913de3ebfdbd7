import { Template } from 'aws-cdk-lib/assertions';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { buildManifest, KeelValidationError } from '../../../constructs';
import { MIN_REQUESTS_FOR_ERROR_RATE } from '../../../constructs/observability/container-alarms';
import { ServiceStack } from '../../../constructs/service/service-stack';
import { alarmNamed, logicalIdOfAlarm, type AlarmProperties } from '../../helpers/alarms';
import { unbundledTestApp } from '../../helpers/app';
import { ContainerShop } from '../../helpers/container-shop';
import { monitoredShop, monitorShop, RUNBOOK_REPOSITORY_URL } from '../../helpers/monitoring';
import { flatten } from '../../helpers/template';

const app = unbundledTestApp();
const stack = new ServiceStack(app, 'Containers');
const service = new ContainerShop(stack, 'Service');
const { monitoring } = monitorShop(stack, service);
let template: Template;
beforeAll(() => {
  template = Template.fromStack(stack);
});

const { loadBalancer, targetGroups, fargateService } = service.container;
const resolved = (value: unknown) => stack.resolve(value) as unknown;
const LOAD_BALANCER = [{ Name: 'LoadBalancer', Value: resolved(loadBalancer.loadBalancerFullName) }];
const hostDimensions = (group: elbv2.ApplicationTargetGroup) => [
  { Name: 'LoadBalancer', Value: resolved(loadBalancer.loadBalancerFullName) },
  { Name: 'TargetGroup', Value: resolved(group.targetGroupFullName) },
];
const ECS_SERVICE = [
  { Name: 'ClusterName', Value: resolved(fargateService.cluster.clusterName) },
  { Name: 'ServiceName', Value: resolved(fargateService.serviceName) },
];

/** One metric an alarm reads, as CloudWatch sees it. */
interface WatchedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: unknown;
  readonly stat: string;
  readonly period: number;
}

interface MetricDataQuery {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: {
    readonly Metric: { Namespace: string; MetricName: string; Dimensions: unknown };
    readonly Period: number;
    readonly Stat: string;
  };
}

/** The metric of a plain alarm, or the metrics of a metric math alarm by id with its expression. */
function watched(props: AlarmProperties): { expression?: string; metrics: Record<string, WatchedMetric> } {
  const queries = props.Metrics as MetricDataQuery[] | undefined;
  if (!queries) {
    const stat = (props.Statistic ?? props.ExtendedStatistic) as string;
    const metric = {
      namespace: props.Namespace as string,
      name: props.MetricName as string,
      dimensions: props.Dimensions,
      stat,
      period: props.Period as number,
    };
    return { metrics: { m: metric } };
  }
  const expression = queries.find((q) => q.Expression)?.Expression;
  const metrics = Object.fromEntries(
    queries.flatMap(({ Id: id, MetricStat: stat }) => {
      if (!stat) return [];
      const { Namespace: namespace, MetricName: name, Dimensions: dimensions } = stat.Metric;
      return [[id, { namespace, name, dimensions, stat: stat.Stat, period: stat.Period }]];
    }),
  );
  return { expression, metrics };
}

const elb = (name: string, stat: string, period = 300): WatchedMetric => ({
  namespace: 'AWS/ApplicationELB',
  name,
  dimensions: LOAD_BALANCER,
  stat,
  period,
});
const ratio = `IF(FILL(d, 0) >= ${MIN_REQUESTS_FOR_ERROR_RATE}, FILL(n, 0) / d, 0)`;
const requests = elb('RequestCount', 'Sum');

/** Every container alarm: name, what it reads, and when it fires. */
const EXPECTED = [
  {
    name: 'shop-prod-lb-5xx-rate-critical',
    anchor: 'lb-5xx-rate',
    expression: ratio,
    metrics: { n: elb('HTTPCode_ELB_5XX_Count', 'Sum'), d: requests },
    threshold: 0.01,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-target-5xx-rate-critical',
    anchor: 'target-5xx-rate',
    expression: ratio,
    metrics: { n: elb('HTTPCode_Target_5XX_Count', 'Sum'), d: requests },
    threshold: 0.01,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-target-p99-latency-warning',
    anchor: 'target-p99-latency',
    metrics: { m: elb('TargetResponseTime', 'p99') },
    threshold: 3,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-unhealthy-hosts-warning',
    anchor: 'unhealthy-hosts',
    expression: 'FILL(tg0, 0) + FILL(tg1, 0)',
    metrics: Object.fromEntries(
      targetGroups.map((group, i) => [
        `tg${i}`,
        {
          namespace: 'AWS/ApplicationELB',
          name: 'UnHealthyHostCount',
          dimensions: hostDimensions(group),
          stat: 'Maximum',
          period: 60,
        },
      ]),
    ),
    threshold: 0,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-rejected-connections-warning',
    anchor: 'rejected-connections',
    metrics: { m: elb('RejectedConnectionCount', 'Sum') },
    threshold: 0,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-container-cpu-warning',
    anchor: 'container-cpu',
    // cdk-monitoring-constructs labels its metric, so CloudFormation gets it as a one-query metric math alarm.
    metrics: {
      m1: { namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: ECS_SERVICE, stat: 'Average', period: 300 },
    },
    threshold: 80,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-container-memory-warning',
    anchor: 'container-memory',
    metrics: {
      m1: { namespace: 'AWS/ECS', name: 'MemoryUtilization', dimensions: ECS_SERVICE, stat: 'Average', period: 300 },
    },
    threshold: 80,
    operator: 'GreaterThanThreshold',
  },
  {
    name: 'shop-prod-tasks-below-desired-critical',
    anchor: 'tasks-below-desired',
    metrics: {
      m: {
        namespace: 'ECS/ContainerInsights',
        name: 'RunningTaskCount',
        dimensions: ECS_SERVICE,
        stat: 'Average',
        period: 60,
      },
    },
    threshold: 2,
    operator: 'LessThanThreshold',
  },
];

describe('the standard alarms of a load-balanced container service', () => {
  test.each(EXPECTED)('$name reads what it should and fires when it should', (expected) => {
    const props = alarmNamed(template, expected.name);
    const { expression, metrics } = watched(props);
    expect(expression).toBe(expected.expression);
    expect(metrics).toEqual(expected.metrics);
    expect(props.Threshold).toBe(expected.threshold);
    expect(props.ComparisonOperator).toBe(expected.operator);
  });

  test.each(EXPECTED)('$name links its runbook section and is judged as every standard alarm', (expected) => {
    const props = alarmNamed(template, expected.name);
    expect(props.AlarmDescription).toMatch(
      new RegExp(`\\n\\nRunbook: ${RUNBOOK_REPOSITORY_URL}/blob/main/runbooks/standard-alarms.md#${expected.anchor}$`),
    );
    expect(props).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
  });

  test('route critical alarms to the on-call topic and warnings to the ticket topic, on ALARM and OK', () => {
    const topic = (severity: 'critical' | 'warning') => resolved(monitoring.routing.topics[severity].topicArn);
    for (const { name } of EXPECTED) {
      const props = alarmNamed(template, name);
      const severity = name.endsWith('-critical') ? 'critical' : 'warning';
      expect(props.AlarmActions).toEqual([topic(severity)]);
      expect(props.OKActions).toEqual([topic(severity)]);
    }
  });

  test('put the critical ones, and only those, in the health composite', () => {
    const rule = flatten(alarmNamed(template, 'shop-prod-health-critical').AlarmRule);
    for (const { name } of EXPECTED) {
      const inRule = rule.includes(`${logicalIdOfAlarm(template, name)}.Arn`);
      expect([name, inRule]).toEqual([name, name.endsWith('-critical')]);
    }
  });

  test('are the only alarms of a service without functions, tables or an API, besides undelivered alerts', () => {
    const standard = monitoring.alarms.filter((a) => a.kind === 'standard').map((a) => a.name);
    expect(standard).toEqual(['shop-prod-alerts-undelivered-warning', ...EXPECTED.map((e) => e.name)]);
  });

  test('are in the manifest, each with its severity, runbook and what it watches', () => {
    const [entry] = buildManifest(app).services;
    const alarms = new Map(entry.alarms.map((a) => [a.name, a]));
    for (const { name, anchor } of EXPECTED) {
      expect(alarms.get(name)).toMatchObject({
        severity: name.endsWith('-critical') ? 'critical' : 'warning',
        kind: 'standard',
        runbook: `${RUNBOOK_REPOSITORY_URL}/blob/main/runbooks/standard-alarms.md#${anchor}`,
      });
    }
    expect(alarms.get('shop-prod-tasks-below-desired-critical')?.watches).toBe(
      'Container Insights RunningTaskCount < 2 (the auto scaling minimum) for 3 minutes',
    );
    expect(alarms.get('shop-prod-lb-5xx-rate-critical')?.watches).toBe(
      `load balancer 5xx rate (HTTPCode_ELB_5XX_Count / RequestCount) > 1%, at least ${MIN_REQUESTS_FOR_ERROR_RATE} requests per 5 minutes`,
    );
  });
});

describe('the dashboard of a load-balanced container service', () => {
  interface Widget {
    readonly type: string;
    readonly properties: { readonly title?: string; readonly markdown?: string; readonly metrics?: unknown[][] };
  }
  const widgets = () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = flatten((dashboard.Properties as { DashboardBody: unknown }).DashboardBody);
    return (JSON.parse(body) as { widgets: Widget[] }).widgets;
  };

  test("has a 'Load balancer' and a 'Containers' row, and no empty 'Functions' row", () => {
    const titles = widgets()
      .map((w) => w.properties.markdown)
      .filter((m) => m !== undefined);
    expect(titles).toEqual(['## Business', '## Load balancer', '## Containers', '## Alarms']);
  });

  test('graphs requests, 5xx, p99, hosts of both target groups, CPU, memory and running tasks', () => {
    const graphed = (title: string) =>
      JSON.stringify(widgets().find((w) => w.properties.title === title)?.properties.metrics ?? []);
    const requestsAnd5xx = graphed('Requests and 5xx (load balancer, tasks)');
    for (const name of ['RequestCount', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']) {
      expect(requestsAnd5xx).toContain(name);
    }
    expect(graphed('Target response time p50 / p99')).toContain('"p99"');
    const hosts = graphed('Healthy and unhealthy hosts per target group');
    for (const group of targetGroups) expect(hosts).toContain(flatten(resolved(group.targetGroupFullName)));
    expect(hosts).toContain('UnHealthyHostCount');
    expect(graphed('CPU and memory utilization (%)')).toMatch(/CPUUtilization.*MemoryUtilization/);
    expect(graphed('Running tasks')).toContain('ECS/ContainerInsights');
  });

  test('lists every container alarm in the alarm status widget', () => {
    const status = JSON.stringify(widgets().find((w) => w.type === 'alarm')?.properties ?? {});
    for (const { name } of EXPECTED) expect(status).toContain(`${logicalIdOfAlarm(template, name)}.Arn`);
  });
});

describe('the container thresholds', () => {
  test.each([
    ['containerCpuPercent', 0],
    ['containerMemoryPercent', 101],
    ['containerCpuPercent', Number.NaN],
  ] as const)('refuse %s %s, naming the field, the value, what is allowed and the fix', (field, value) => {
    const refusal = () => monitoredShop({ monitoringProps: { standardThresholds: { [field]: value } } });
    expect(refusal).toThrow(KeelValidationError);
    expect(refusal).toThrow(`Monitoring standardThresholds.${field}`);
    expect(refusal).toThrow(`${value} is not a percentage in (0, 100]`);
    expect(refusal).toThrow('use e.g. 80 for 80%');
  });
});
