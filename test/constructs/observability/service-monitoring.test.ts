import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  addAlarmNameCheck,
  defineBusinessMetrics,
  parseRunbook,
  SloIndicator,
  type ProductionService,
  type ServiceFunction,
  type ThresholdAlarmOptions,
} from '../../../constructs';
import { alarmNamed, alarmsOf, allAlarmsOf, logicalIdOfAlarm, type AlarmProperties } from '../../helpers/alarms';
import { ECHO_HANDLER, unbundledTestApp } from '../../helpers/app';
import {
  monitoredShop,
  runbookFile,
  runbookSection,
  runbooksDirectory,
  shopMetrics,
  type MonitoredShop,
  type MonitoredShopOptions,
} from '../../helpers/monitoring';
import { refusal } from '../../helpers/refusal';

const RUNBOOK_LINK =
  /\n\nRunbook: https:\/\/github\.com\/example-org\/keel\/blob\/main\/runbooks\/([a-z-]+\.md)#([a-z0-9-]+)$/;

function topicRef(stack: Stack, topic: sns.Topic): { Ref: string } {
  return { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
}

/** The message of the error `synth` throws (construct validations run at synth). */
function synthError(synth: () => unknown): string {
  try {
    synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail');
}

const missingIsFine = cloudwatch.TreatMissingData.NOT_BREACHING;

/** A threshold alarm that is fine in every respect, for tests that break one thing. */
function valueLow(overrides: Partial<ThresholdAlarmOptions> = {}): ThresholdAlarmOptions {
  return {
    slug: 'value-low',
    severity: 'warning' as const,
    description: 'Orders are worth too little.',
    below: 100,
    treatMissingData: missingIsFine,
    ...overrides,
  };
}

/** A shop whose business metrics are registered as emitted by its handler. */
function shopWithMetrics(options: MonitoredShopOptions = {}) {
  const shop = monitoredShop(options);
  const metrics = shopMetrics();
  shop.monitoring.addBusinessMetrics(metrics, [shop.fn]);
  return { ...shop, metrics };
}

const SHOP_ANCHORS = [
  'value-high',
  'value-low',
  'value-unjudged',
  'failure-rate',
  'failure-rate-default',
  'value-anomaly-above',
  'value-anomaly-below',
  'value-anomaly-outside',
  'orders-stopped',
  'orders-stopped-hourly',
  'availability-fast-burn',
  'availability-slow-burn',
  'late-failures',
];

describe('a monitored service in dev', () => {
  const shop: MonitoredShop = monitoredShop({ shopAnchors: SHOP_ANCHORS });
  const { stack, monitoring } = shop;
  const m = shopMetrics();
  monitoring.addBusinessMetrics(m, [shop.fn]);
  monitoring.addThresholdAlarm(m.value, {
    slug: 'value-high',
    severity: 'warning',
    description: 'Orders are worth more than ever.',
    above: 100_000,
    minSamples: 5,
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  });
  monitoring.addThresholdAlarm(m.value, {
    slug: 'value-low',
    severity: 'warning',
    description: 'Orders are worth too little.',
    below: 100,
    minSamples: 10,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  monitoring.addThresholdAlarm(m.value, {
    slug: 'value-unjudged',
    severity: 'warning',
    description: 'Orders are worth too much, every period judged.',
    above: 50_000,
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });
  monitoring.addRatioAlarm(m.failed, m.requests, {
    slug: 'failure-rate',
    severity: 'warning',
    description: 'Too many order requests fail.',
    above: 0.05,
    minSamples: 20,
    treatMissingData: missingIsFine,
  });
  monitoring.addRatioAlarm(m.failed, m.requests, {
    slug: 'failure-rate-default',
    severity: 'warning',
    description: 'Too many order requests fail, default sample guard.',
    above: 0.1,
    treatMissingData: missingIsFine,
  });
  for (const direction of ['above', 'below', 'outside'] as const) {
    monitoring.addAnomalyAlarm(m.value, {
      slug: `value-anomaly-${direction}`,
      severity: 'warning',
      description: `Order value is ${direction} its usual band.`,
      bandWidth: 2.5,
      direction,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
  }
  monitoring.addHeartbeatAlarm(m.placed, {
    slug: 'orders-stopped',
    severity: 'critical',
    description: 'No order was placed for 15 minutes.',
  });
  monitoring.addHeartbeatAlarm(m.placed, {
    slug: 'orders-stopped-hourly',
    severity: 'warning',
    description: 'No order was placed for an hour.',
    window: Duration.hours(1),
  });
  monitoring.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'Shop API availability',
    indicator: SloIndicator.availability(shop.service.api.metricServerError(), shop.service.api.metricCount()),
    target: 0.999,
  });
  // Added last, long after the health composite was created.
  monitoring.addRatioAlarm(m.failed, m.placed, {
    slug: 'late-failures',
    severity: 'critical',
    description: 'Failures outnumber placed orders.',
    above: 0.5,
    treatMissingData: missingIsFine,
  });
  const template = Template.fromStack(stack);
  const alarms = alarmsOf(template);
  const critical = topicRef(stack, monitoring.routing.topics.critical);
  const warning = topicRef(stack, monitoring.routing.topics.warning);
  const compositeChildren = new Set(monitoring.alarms.filter((a) => a.compositeChild).map((a) => a.name));

  test('has standard alarms on the API, the routed function and the table, named <service>-<env>-<slug>-<severity>', () => {
    const names = Object.values(alarms).map((p) => p.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'shop-dev-api-5xx-rate-critical',
        'shop-dev-api-p99-latency-warning',
        'shop-dev-handler-errors-critical',
        'shop-dev-handler-throttles-warning',
        'shop-dev-handler-duration-warning',
        'shop-dev-handler-dlq-not-empty-warning',
        'shop-dev-orders-read-throttles-warning',
        'shop-dev-orders-write-throttles-warning',
        'shop-dev-orders-system-errors-critical',
      ]),
    );
    expect(names.filter((n) => n.includes('concurrency'))).toEqual([]);
    for (const name of names) expect(name).toMatch(/^shop-dev-[a-z0-9-]+-(critical|warning)$/);
  });

  test('watches the right CloudWatch metrics with the default thresholds, over three of three 5-minute periods', () => {
    const metricStat = (metricName: string, stat: string) =>
      Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName }), Stat: stat }),
        }),
      ]);
    const expected: [string, Record<string, unknown>][] = [
      ['shop-dev-api-5xx-rate-critical', { Metrics: metricStat('5XXError', 'Average') }],
      ['shop-dev-api-p99-latency-warning', { Threshold: 3000, Metrics: metricStat('Latency', 'p99') }],
      ['shop-dev-handler-errors-critical', { Threshold: 5, Metrics: metricStat('Errors', 'Sum') }],
      ['shop-dev-handler-throttles-warning', { Threshold: 0, Metrics: metricStat('Throttles', 'Sum') }],
      // 80% of the default 10-second timeout.
      ['shop-dev-handler-duration-warning', { Threshold: 8000, Metrics: metricStat('Duration', 'Maximum') }],
      [
        'shop-dev-handler-dlq-not-empty-warning',
        { Threshold: 0, Metrics: metricStat('ApproximateNumberOfMessagesVisible', 'Maximum') },
      ],
      ['shop-dev-orders-read-throttles-warning', { Threshold: 0, Metrics: metricStat('ReadThrottleEvents', 'Sum') }],
      ['shop-dev-orders-write-throttles-warning', { Threshold: 0, Metrics: metricStat('WriteThrottleEvents', 'Sum') }],
      ['shop-dev-orders-system-errors-critical', { Threshold: 0, Metrics: metricStat('SystemErrors', 'Sum') }],
    ];
    for (const [name, props] of expected) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        ...props,
      });
    }
  });

  test('fires the API 5xx alarm when more than 1% of requests fail', () => {
    expect(api5xxPercentThreshold(alarmNamed(template, 'shop-dev-api-5xx-rate-critical'))).toBe(1);
  });

  test('sends every alarm to the topic of its severity on ALARM and OK, except SLO window alarms', () => {
    expect(compositeChildren.size).toBe(4);
    for (const props of Object.values(allAlarmsOf(template))) {
      if (compositeChildren.has(props.AlarmName)) {
        expect(props.AlarmActions ?? []).toEqual([]);
        expect(props.OKActions ?? []).toEqual([]);
        continue;
      }
      const topic = props.AlarmName.endsWith('-critical') ? critical : warning;
      expect({ name: props.AlarmName, alarm: props.AlarmActions, ok: props.OKActions }).toEqual({
        name: props.AlarmName,
        alarm: [topic],
        ok: [topic],
      });
    }
  });

  test("ends every alarm's description with a link to an existing runbook section", () => {
    const all = Object.values(allAlarmsOf(template));
    expect(all.length).toBe(Object.keys(monitoring.alarms).length);
    const links = Object.fromEntries(
      all.map((p) => {
        expect(typeof p.AlarmDescription).toBe('string');
        const match = RUNBOOK_LINK.exec(p.AlarmDescription);
        if (!match) throw new Error(`${p.AlarmName} has no runbook link: ${p.AlarmDescription}`);
        return [p.AlarmName, `${match[1]}#${match[2]}`];
      }),
    );
    expect(links).toEqual(
      expect.objectContaining({
        'shop-dev-api-5xx-rate-critical': 'standard-alarms.md#api-5xx-rate',
        'shop-dev-api-p99-latency-warning': 'standard-alarms.md#api-p99-latency',
        'shop-dev-handler-errors-critical': 'standard-alarms.md#function-errors',
        'shop-dev-handler-throttles-warning': 'standard-alarms.md#function-throttles',
        'shop-dev-handler-duration-warning': 'standard-alarms.md#function-duration',
        'shop-dev-handler-dlq-not-empty-warning': 'standard-alarms.md#function-dlq-not-empty',
        'shop-dev-orders-read-throttles-warning': 'standard-alarms.md#table-read-throttles',
        'shop-dev-orders-write-throttles-warning': 'standard-alarms.md#table-write-throttles',
        'shop-dev-orders-system-errors-critical': 'standard-alarms.md#table-system-errors',
        'shop-dev-health-critical': 'shop.md#health',
        'shop-dev-value-low-warning': 'shop.md#value-low',
        'shop-dev-orders-stopped-critical': 'shop.md#orders-stopped',
        'shop-dev-availability-fast-burn-critical': 'shop.md#availability-fast-burn',
        'shop-dev-availability-fast-burn-long-critical': 'shop.md#availability-fast-burn',
      }),
    );
    for (const link of Object.values(links)) {
      const [file, anchor] = link.split('#');
      const sections = parseRunbook(fs.readFileSync(path.join(shop.runbooksDirectory, file), 'utf8'));
      expect({ link, found: sections.has(anchor) }).toEqual({ link, found: true });
    }
  });

  test('pages the on-call endpoint for critical alarms and opens tickets for warnings, through encrypted topics', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.allResourcesProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceKey'), 'Arn'] },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: critical,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'tickets@example.com',
      TopicArn: warning,
    });
  });

  test('puts every critical alarm, even one added after the monitoring, and no warning into the health composite', () => {
    const health = alarmNamed(template, 'shop-dev-health-critical');
    const referenced = JSON.stringify(health.AlarmRule);
    const all = Object.entries(allAlarmsOf(template)).filter(([, p]) => p.AlarmName !== 'shop-dev-health-critical');
    const expectedCritical = all
      .filter(([, p]) => p.AlarmName.endsWith('-critical') && !compositeChildren.has(p.AlarmName))
      .map(([, p]) => p.AlarmName);
    expect(expectedCritical).toEqual(
      expect.arrayContaining([
        'shop-dev-api-5xx-rate-critical',
        'shop-dev-handler-errors-critical',
        'shop-dev-orders-system-errors-critical',
        'shop-dev-orders-stopped-critical',
        'shop-dev-availability-fast-burn-critical',
        'shop-dev-late-failures-critical',
      ]),
    );
    const inRule = all.filter(([id]) => referenced.includes(`"${id}"`)).map(([, p]) => p.AlarmName);
    expect(inRule.sort()).toEqual(expectedCritical.sort());
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'shop-dev-health-critical',
      AlarmRule: {
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOfAlarm(template, 'shop-dev-late-failures-critical'), 'Arn'] }]),
        ],
      },
    });
  });

  test('guards a threshold alarm with minSamples by a SampleCount expression that never breaches on too few samples', () => {
    const samples = (metricName: string) =>
      Match.objectLike({
        Id: 'samples',
        ReturnData: false,
        MetricStat: Match.objectLike({
          Metric: { MetricName: metricName, Namespace: 'Keel/Shop', Dimensions: [{ Name: 'service', Value: 'shop' }] },
          Stat: 'SampleCount',
        }),
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-value-high-warning',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 100_000,
      TreatMissingData: 'missing',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(samples, 0) >= 5, value, 100000)', ReturnData: true }),
        Match.objectLike({
          Id: 'value',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'OrderValue' }), Stat: 'Average' }),
        }),
        samples('OrderValue'),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-value-low-warning',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 100,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('^IF\\(FILL\\(samples, 0\\) >= 10, value, 100\\)$') }),
        samples('OrderValue'),
      ]),
    });
  });

  test('watches the plain business metric when a threshold alarm has no minSamples', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-value-unjudged-warning',
      Namespace: 'Keel/Shop',
      MetricName: 'OrderValue',
      Dimensions: [{ Name: 'service', Value: 'shop' }],
      Statistic: 'Average',
      Period: 300,
      Threshold: 50_000,
      TreatMissingData: 'ignore',
      Metrics: Match.absent(),
    });
  });

  test('divides summed business metrics in a ratio alarm, judged only with enough samples (10 by default)', () => {
    const summed = (id: string, metricName: string) =>
      Match.objectLike({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { MetricName: metricName, Namespace: 'Keel/Shop', Dimensions: [{ Name: 'service', Value: 'shop' }] },
          Period: 300,
          Stat: 'Sum',
        },
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-failure-rate-warning',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.05,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(d, 0) >= 20, FILL(n, 0) / d, 0)', ReturnData: true }),
        summed('n', 'OrderFailures'),
        summed('d', 'OrderRequests'),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-failure-rate-default-warning',
      Threshold: 0.1,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(FILL(d, 0) >= 10, FILL(n, 0) / d, 0)' })]),
    });
  });

  test("compares an anomaly alarm with CloudWatch's band on the side its direction names", () => {
    const operators = {
      above: 'GreaterThanUpperThreshold',
      below: 'LessThanLowerThreshold',
      outside: 'LessThanLowerOrGreaterThanUpperThreshold',
    };
    for (const [direction, operator] of Object.entries(operators)) {
      const props = alarmNamed(template, `shop-dev-value-anomaly-${direction}-warning`);
      const metrics = props.Metrics as { Id: string; Expression?: string }[];
      const band = metrics.find((metric) => metric.Expression?.startsWith('ANOMALY_DETECTION_BAND('));
      expect(band?.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(\w+, 2\.5\)$/);
      expect(props).toMatchObject({
        ComparisonOperator: operator,
        ThresholdMetricId: band?.Id,
        TreatMissingData: 'ignore',
      });
      expect(props.Threshold).toBeUndefined();
    }
  });

  test('treats a missing heartbeat as breaching, with one window of at least one sample', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-orders-stopped-critical',
      MetricName: 'OrdersPlaced',
      Namespace: 'Keel/Shop',
      Statistic: 'SampleCount',
      Period: 900,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-dev-orders-stopped-hourly-warning',
      Period: 3600,
      TreatMissingData: 'breaching',
    });
  });
});

/** The percentage of failed requests above which the API 5xx alarm fires, from its metric and threshold. */
function api5xxPercentThreshold(props: AlarmProperties): number {
  const metrics = props.Metrics as { ReturnData?: boolean; Expression?: string; MetricStat?: { Stat: string } }[];
  const returned = metrics.find((metric) => metric.ReturnData !== false);
  const threshold = props.Threshold as number;
  // 5XXError's Average is the share of requests that failed, 0 to 1.
  if (returned?.MetricStat?.Stat === 'Average') return threshold * 100;
  if (returned?.Expression && /\b100\s*\*/.test(returned.Expression)) return threshold;
  throw new Error(`unexpected 5xx metric: ${JSON.stringify(metrics)}`);
}

describe('a monitored service in prod at maximum protection', () => {
  const shop = monitoredShop({ environment: 'prod', protection: 'maximum' });
  const template = Template.fromStack(shop.stack);

  test('warns when a function nears its reserved concurrency, at 80% of it', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-prod-handler-concurrency-warning',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 20,
      AlarmActions: [topicRef(shop.stack, shop.monitoring.routing.topics.warning)],
      AlarmDescription: Match.stringLikeRegexp(
        'Runbook: https://github.com/example-org/keel/blob/main/runbooks/standard-alarms.md#function-concurrency$',
      ),
    });
  });

  test('names alarms after the environment', () => {
    const names = Object.values(allAlarmsOf(template)).map((p) => p.AlarmName);
    expect(names).toContain('shop-prod-health-critical');
    expect(names).toContain('shop-prod-api-5xx-rate-critical');
    for (const name of names) expect(name).toMatch(/^shop-prod-/);
  });
});

describe('standard thresholds', () => {
  const shop = monitoredShop({
    environment: 'prod',
    protection: 'maximum',
    // A function no route reaches, with a long timeout.
    beforeMonitoring: (service) => service.addFunction('Worker', { entry: ECHO_HANDLER, timeout: Duration.minutes(5) }),
    monitoringProps: {
      standardThresholds: {
        api5xxPercent: 5,
        apiP99Latency: Duration.millis(1500),
        functionErrors: 10,
        functionThrottles: 4,
        durationPercentOfTimeout: 50,
        concurrencyPercentOfReserved: 40,
      },
    },
  });
  const template = Template.fromStack(shop.stack);

  test('can be overridden one by one', () => {
    const thresholds: Record<string, number> = {
      'shop-prod-api-p99-latency-warning': 1500,
      'shop-prod-handler-errors-critical': 10,
      'shop-prod-handler-throttles-warning': 4,
      'shop-prod-handler-duration-warning': 5000,
      'shop-prod-handler-concurrency-warning': 10,
    };
    for (const [name, threshold] of Object.entries(thresholds)) {
      expect({ name, threshold: alarmNamed(template, name).Threshold }).toEqual({ name, threshold });
    }
  });

  test('watch throttles, duration and concurrency only where callers wait: functions behind routes', () => {
    const names = Object.values(alarmsOf(template)).map((p) => p.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining(['shop-prod-handler-duration-warning', 'shop-prod-handler-concurrency-warning']),
    );
    expect(names).not.toEqual(expect.arrayContaining(['shop-prod-worker-duration-warning']));
    expect(names).not.toEqual(expect.arrayContaining(['shop-prod-worker-throttles-warning']));
    expect(names).toContain('shop-prod-worker-dlq-not-empty-warning');
  });

  test('only warn about errors of a function no route reaches', () => {
    const names = Object.values(alarmsOf(template)).map((p) => p.AlarmName);
    expect(names).toContain('shop-prod-worker-errors-warning');
    expect(names).not.toContain('shop-prod-worker-errors-critical');
    expect(alarmNamed(template, 'shop-prod-worker-errors-warning')).toMatchObject({
      Threshold: 10,
      AlarmActions: [topicRef(shop.stack, shop.monitoring.routing.topics.warning)],
    });
  });

  test('fails when a standard threshold is not finite', () => {
    expect(() =>
      Template.fromStack(
        monitoredShop({ monitoringProps: { standardThresholds: { functionErrors: Number.NaN } } }).stack,
      ),
    ).toThrow(/functionErrors[^]*NaN/);
  });

  test('keep the defaults of those not overridden', () => {
    const shopDefaults = monitoredShop({ monitoringProps: { standardThresholds: { functionErrors: 7 } } });
    const defaults = Template.fromStack(shopDefaults.stack);
    expect(alarmNamed(defaults, 'shop-dev-handler-errors-critical').Threshold).toBe(7);
    expect(alarmNamed(defaults, 'shop-dev-api-p99-latency-warning').Threshold).toBe(3000);
    expect(alarmNamed(defaults, 'shop-dev-handler-duration-warning').Threshold).toBe(8000);
  });

  test('override the API 5xx percentage', () => {
    expect(api5xxPercentThreshold(alarmNamed(template, 'shop-prod-api-5xx-rate-critical'))).toBe(5);
  });
});

describe('refuses', () => {
  test('fails when a threshold is not finite', () => {
    const { monitoring, metrics } = shopWithMetrics();
    for (const bad of [
      { above: Number.NaN },
      { below: Number.POSITIVE_INFINITY },
      { above: Number.NEGATIVE_INFINITY },
    ]) {
      const message = refusal(() =>
        monitoring.addThresholdAlarm(metrics.value, valueLow({ below: undefined, ...bad })),
      );
      expect(message).toContain('Test/Monitoring alarm value-low threshold');
      expect(message).toContain(`${String(Object.values(bad)[0])} is not a finite number`);
    }
    expect(refusal(() => monitoring.addThresholdAlarm(metrics.value, valueLow({ minSamples: Number.NaN })))).toContain(
      'value-low minSamples: NaN is not a finite number',
    );
    expect(
      refusal(() =>
        monitoring.addRatioAlarm(metrics.failed, metrics.requests, {
          ...valueLow(),
          slug: 'failure-rate',
          above: Number.NaN,
        }),
      ),
    ).toContain('alarm failure-rate above: NaN is not a finite number');
  });

  test('fails when both or neither of above and below are given', () => {
    const { monitoring, metrics } = shopWithMetrics();
    for (const bounds of [{ above: 10, below: 1 }, { below: undefined }]) {
      const message = refusal(() => monitoring.addThresholdAlarm(metrics.value, valueLow(bounds)));
      expect(message).toContain('Test/Monitoring alarm value-low: needs exactly one of above and below');
    }
  });

  test('fails when an anomaly band width is not above 0', () => {
    const { monitoring, metrics } = shopWithMetrics();
    for (const bandWidth of [0, -1]) {
      const message = refusal(() =>
        monitoring.addAnomalyAlarm(metrics.value, {
          slug: 'value-anomaly',
          severity: 'warning',
          description: 'Order value left its band.',
          bandWidth,
          direction: 'outside',
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        }),
      );
      expect(message).toContain(`Test/Monitoring alarm value-anomaly: band width ${bandWidth} is not above 0`);
    }
  });

  test('fails when a business metric has a name CloudWatch would reject', () => {
    const { monitoring, fn } = monitoredShop();
    const spec = { unit: 'Count', statistic: 'Sum', description: 'Something happened.' } as const;
    const cases: [string, string][] = [
      [':bad', "starts with ':'"],
      ['x'.repeat(300), 'is 300 characters long; CloudWatch allows 255'],
      ['Bestellungen€', 'has characters outside printable ASCII'],
      ['', 'is empty'],
    ];
    for (const [name, why] of cases) {
      const message = refusal(() =>
        monitoring.addBusinessMetrics(defineBusinessMetrics('shop', { bad: { ...spec, name } }), [fn]),
      );
      expect(message).toContain(`Test/Monitoring business metric ${JSON.stringify(name)}: the name ${why}`);
    }
    expect(monitoring.businessMetrics).toEqual([]);
  });

  test('fails when a business metric belongs to another service', () => {
    const { monitoring, fn } = monitoredShop();
    const other = defineBusinessMetrics('billing', {
      paid: { name: 'InvoicesPaid', unit: 'Count', statistic: 'Sum', description: 'An invoice was paid.' },
    });
    expect(refusal(() => monitoring.addBusinessMetrics(other, [fn]))).toContain(
      'business metric InvoicesPaid: belongs to service billing, not shop',
    );
  });

  test('fails when addBusinessMetrics is given no functions', () => {
    const { monitoring } = monitoredShop();
    expect(refusal(() => monitoring.addBusinessMetrics(shopMetrics(), []))).toContain(
      'Test/Monitoring business metrics: no function is said to emit them',
    );
  });

  test('fails when an emitter is a construct whose code Keel cannot read, naming what to pass instead', () => {
    const { monitoring, stack } = monitoredShop();
    const message = refusal(() => monitoring.addBusinessMetrics(shopMetrics(), [new Construct(stack, 'Worker')]));
    expect(message).toContain(
      'Test/Worker is neither a ServiceFunction nor a construct whose code Keel knows, so nothing can check that it emits the metrics',
    );
    expect(message).toContain('pass the ServiceFunctions or the ProductionContainerService whose code emits them');
  });

  test('fails when an alarm watches a business metric that nothing emits', () => {
    const { monitoring } = monitoredShop();
    const metrics = shopMetrics();
    const attempts: [string, () => unknown][] = [
      ['threshold', () => monitoring.addThresholdAlarm(metrics.value, valueLow())],
      [
        'ratio',
        () =>
          monitoring.addRatioAlarm(metrics.failed, metrics.requests, {
            ...valueLow(),
            slug: 'failure-rate',
            above: 0.1,
          }),
      ],
      [
        'anomaly',
        () =>
          monitoring.addAnomalyAlarm(metrics.value, {
            ...valueLow(),
            slug: 'value-anomaly',
            bandWidth: 2,
            direction: 'outside',
          }),
      ],
      [
        'heartbeat',
        () =>
          monitoring.addHeartbeatAlarm(metrics.placed, {
            slug: 'orders-stopped',
            severity: 'critical',
            description: 'x',
          }),
      ],
    ];
    for (const [kind, attempt] of attempts) {
      const message = refusal(attempt);
      expect({ kind, message }).toEqual({ kind, message: expect.stringContaining('nothing emits it') });
      expect(message).toContain('business metric Keel/Shop/');
    }
  });

  test('fails when the same set is defined again rather than the registered one reused', () => {
    const { monitoring } = shopWithMetrics();
    const again = shopMetrics();
    expect(refusal(() => monitoring.addThresholdAlarm(again.value, valueLow()))).toContain(
      'business metric Keel/Shop/OrderValue: is declared for alarms but nothing emits it',
    );
  });

  test('fails when the slug is not kebab-case', () => {
    const { monitoring, metrics } = shopWithMetrics();
    for (const slug of ['ValueLow', 'value_low', 'value low', '-value', 'value--low', '']) {
      expect(refusal(() => monitoring.addThresholdAlarm(metrics.value, valueLow({ slug })))).toContain(
        `slug ${JSON.stringify(slug)} is not kebab-case`,
      );
    }
    expect(
      refusal(() =>
        monitoring.addHeartbeatAlarm(metrics.placed, { slug: 'OrdersStopped', severity: 'critical', description: 'x' }),
      ),
    ).toContain('Test/Monitoring alarm OrdersStopped: slug "OrdersStopped" is not kebab-case');
  });

  test('fails when an alarm needs more breaching datapoints than it evaluates', () => {
    const { monitoring, metrics } = shopWithMetrics();
    expect(
      refusal(() =>
        monitoring.addThresholdAlarm(metrics.value, valueLow({ evaluationPeriods: 2, datapointsToAlarm: 4 })),
      ),
    ).toContain('datapointsToAlarm');
  });

  test('renders a heartbeat alarm on one period that one missing datapoint breaches', () => {
    const { stack, monitoring, metrics } = shopWithMetrics({ shopAnchors: ['orders-stopped'] });
    monitoring.addHeartbeatAlarm(metrics.placed, {
      slug: 'orders-stopped',
      severity: 'critical',
      description: 'No order was placed.',
    });
    const props = alarmNamed(Template.fromStack(stack), 'shop-dev-orders-stopped-critical');
    expect(props).toMatchObject({ DatapointsToAlarm: 1, EvaluationPeriods: 1, TreatMissingData: 'breaching' });
  });

  test('fails when treatMissingData is left to CloudWatch', () => {
    const { monitoring, metrics } = shopWithMetrics();
    expect(
      refusal(() => monitoring.addThresholdAlarm(metrics.value, valueLow({ treatMissingData: undefined }))),
    ).toContain('Test/Monitoring alarm value-low: treatMissingData is not set');
  });

  test('fails when two alarms share a slug and severity, naming both call sites, not with a constructs error', () => {
    const { monitoring, metrics } = shopWithMetrics();
    const file = path.relative(process.cwd(), __filename);
    const first = Number(/:(\d+):\d+\)?$/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1]) + 1;
    monitoring.addThresholdAlarm(metrics.value, valueLow());
    const message = refusal(() =>
      monitoring.addAnomalyAlarm(metrics.value, {
        ...valueLow(),
        bandWidth: 2,
        direction: 'below',
      }),
    );
    expect(message).toContain(
      "Test/Monitoring alarm value-low (warning): service shop already has an alarm with slug 'value-low' and severity warning",
    );
    expect(message).toContain(`added at ${file}:${first}; this one is added at ${file}:${first + 2}`);
  });
});

describe('just in time', () => {
  /** A routed function, a function no route reaches yet, and a table. */
  function grow(service: ProductionService): ServiceFunction {
    const reports = service.addFunction('Reports', { entry: ECHO_HANDLER });
    service.addRoute('GET', '/reports', reports);
    service.addTable('Ledger', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    return service.addFunction('Exports', { entry: ECHO_HANDLER });
  }

  test('a function, route and table added after the monitoring get exactly the alarms they get before it', () => {
    const before = monitoredShop({ beforeMonitoring: grow });
    const after = monitoredShop();
    grow(after.service);
    const expected = allAlarmsOf(Template.fromStack(before.stack));
    expect(allAlarmsOf(Template.fromStack(after.stack))).toEqual(expected);
    expect(Object.values(expected).map((a) => a.AlarmName)).toEqual(
      expect.arrayContaining([
        'shop-dev-reports-errors-critical',
        'shop-dev-reports-throttles-warning',
        'shop-dev-reports-duration-warning',
        'shop-dev-exports-errors-warning',
        'shop-dev-ledger-read-throttles-warning',
        'shop-dev-ledger-write-throttles-warning',
        'shop-dev-ledger-system-errors-critical',
      ]),
    );
    expect(after.monitoring.alarms.map((a) => a.name)).toEqual(before.monitoring.alarms.map((a) => a.name));
  });

  test('a route added after the monitoring makes its function critical, as a route added before does', () => {
    const before = monitoredShop({
      beforeMonitoring: (service) => service.addRoute('GET', '/exports', grow(service)),
    });
    const after = monitoredShop();
    after.service.addRoute('GET', '/exports', grow(after.service));
    const expected = allAlarmsOf(Template.fromStack(before.stack));
    expect(allAlarmsOf(Template.fromStack(after.stack))).toEqual(expected);
    const names = Object.values(expected).map((a) => a.AlarmName);
    expect(names).toContain('shop-dev-exports-errors-critical');
    expect(names).toContain('shop-dev-exports-throttles-warning');
    expect(names).not.toContain('shop-dev-exports-errors-warning');
  });

  test('the health composite watches the critical alarms of a table added after the monitoring', () => {
    const { stack, service } = monitoredShop();
    grow(service);
    const template = Template.fromStack(stack);
    const rule = JSON.stringify(alarmNamed(template, 'shop-dev-health-critical').AlarmRule);
    expect(rule).toContain(logicalIdOfAlarm(template, 'shop-dev-ledger-system-errors-critical'));
    expect(rule).toContain(logicalIdOfAlarm(template, 'shop-dev-reports-errors-critical'));
  });
});

describe('at synth', () => {
  test('fails when two alarms of a service share a name', () => {
    const { stack, monitoring, metrics } = shopWithMetrics({ shopAnchors: ['api-5xx-rate'] });
    monitoring.addThresholdAlarm(metrics.failed, {
      slug: 'api-5xx-rate',
      severity: 'critical',
      description: 'Order failures.',
      above: 5,
      treatMissingData: missingIsFine,
    });
    const message = synthError(() => Template.fromStack(stack));
    expect(message).toContain(
      'alarm name shop-dev-api-5xx-rate-critical is used by more than one alarm in the app; give one of them another slug',
    );
    expect(message).not.toContain('shop-dev-api-p99-latency-warning is used');
  });

  test('fails when two stacks of an app monitor services with the same name and environment', () => {
    const app = unbundledTestApp();
    addAlarmNameCheck(app);
    monitoredShop({ app, stackId: 'First' });
    monitoredShop({ app, stackId: 'Second' });
    const message = synthError(() => app.synth());
    expect(message).toContain('alarm name shop-dev-health-critical is used by more than one alarm in the app');
    expect(message).toContain('alarm name shop-dev-handler-errors-critical is used by more than one alarm in the app');
  });

  test('fails when the runbook file is missing', () => {
    const { stack } = monitoredShop({ runbooksDirectory: runbooksDirectory() });
    expect(synthError(() => Template.fromStack(stack))).toContain(
      "alarm shop-dev-health-critical: runbooks/shop.md does not exist; create it with a '## health' section",
    );
  });

  test('fails when the standard runbook file is missing', () => {
    const directory = runbooksDirectory({ 'shop.md': runbookFile('shop', ['health']) });
    fs.rmSync(path.join(directory, 'standard-alarms.md'));
    const message = synthError(() => Template.fromStack(monitoredShop({ runbooksDirectory: directory }).stack));
    expect(message).toContain(
      "alarm shop-dev-api-5xx-rate-critical: runbooks/standard-alarms.md does not exist; create it with a '## api-5xx-rate' section",
    );
  });

  test("fails when the runbook has no section for an alarm's anchor", () => {
    const { stack, monitoring, metrics } = shopWithMetrics();
    monitoring.addThresholdAlarm(metrics.value, valueLow());
    monitoring.addThresholdAlarm(metrics.value, valueLow({ slug: 'value-tiny', runbookAnchor: 'value-small' }));
    const message = synthError(() => Template.fromStack(stack));
    expect(message).toContain(
      "alarm shop-dev-value-low-warning: runbooks/shop.md has no section '#value-low'; add '## value-low' with Meaning, Impact, Diagnosis, Mitigation, Escalation",
    );
    expect(message).toContain("alarm shop-dev-value-tiny-warning: runbooks/shop.md has no section '#value-small'");
  });

  test('fails when a runbook section lacks a required heading', () => {
    const directory = runbooksDirectory({
      'shop.md': [
        runbookFile('shop', ['health']),
        runbookSection('value-low', ['Meaning', 'Impact', 'Diagnosis', 'Mitigation']),
        runbookSection('value-high', ['Meaning', 'Mitigation']),
      ].join('\n'),
    });
    const { stack, monitoring, metrics } = shopWithMetrics({ runbooksDirectory: directory });
    monitoring.addThresholdAlarm(metrics.value, valueLow());
    monitoring.addThresholdAlarm(metrics.value, valueLow({ slug: 'value-high', below: undefined, above: 1e6 }));
    const message = synthError(() => Template.fromStack(stack));
    expect(message).toContain(
      "alarm shop-dev-value-low-warning: runbooks/shop.md#value-low lacks the heading(s) '### Escalation'",
    );
    expect(message).toContain(
      "alarm shop-dev-value-high-warning: runbooks/shop.md#value-high lacks the heading(s) '### Impact', '### Diagnosis', '### Escalation'",
    );
  });

  test('fails when resources are added after the standard alarms were built early', () => {
    const { stack, service, monitoring } = monitoredShop();
    monitoring.buildStandardAlarms();
    service.addFunction('Late', { entry: ECHO_HANDLER });
    expect(synthError(() => Template.fromStack(stack))).toContain(
      'Test/Service: got functions, tables or routes after the standard alarms of Test/Monitoring were built, so they have no standard alarms',
    );
  });

  test('links a runbookAnchor instead of the slug when given', () => {
    const { stack, monitoring, metrics } = shopWithMetrics({ shopAnchors: ['order-value'] });
    monitoring.addThresholdAlarm(metrics.value, valueLow({ runbookAnchor: 'order-value' }));
    expect(alarmNamed(Template.fromStack(stack), 'shop-dev-value-low-warning').AlarmDescription).toMatch(
      /runbooks\/shop\.md#order-value$/,
    );
  });
});
