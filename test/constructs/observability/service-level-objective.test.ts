import { Duration, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SloIndicator, type BurnRateTier, type ServiceLevelObjective } from '../../../constructs';
import { COMPOSITE_CHILD_METADATA } from '../../../constructs/naming';
import { alarmNamed as alarmOrCompositeNamed } from '../../helpers/alarms';
import { monitoredShop } from '../../helpers/monitoring';
import { flatten } from '../../helpers/template';
import { keelRefusal as refusal } from '../../helpers/refusal';

/** The shop service, prod, maximum protection, monitored, with these sections in shop.md besides health. */
function shop(anchors: readonly string[] = []) {
  return monitoredShop({ environment: 'prod', protection: 'maximum', shopAnchors: anchors });
}

/** How a construct's ARN or reference appears in flattened strings. */
function arnOf(stack: Stack, alarm: cloudwatch.IAlarm): string {
  return flatten(stack.resolve(alarm.alarmArn));
}

interface AlarmProperties {
  AlarmName: string;
  Threshold: number;
  Metrics: { Id: string; Expression?: string; MetricStat?: { Period: number; Stat: string } }[];
}

function alarmNamed(template: Template, name: string): AlarmProperties {
  return alarmOrCompositeNamed<AlarmProperties>(template, name);
}

describe('an availability objective with the default tiers', () => {
  const { stack, service, monitoring } = shop([
    'availability-fast-burn',
    'availability-slow-burn',
    'latency-fast-burn',
    'latency-slow-burn',
  ]);
  const api = service.api;
  const availability = monitoring.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'Shop availability',
    indicator: SloIndicator.availability(api.metricServerError(), api.metricCount()),
    target: 0.999,
  });
  const latency = monitoring.addServiceLevelObjective('Latency', {
    slug: 'latency',
    description: 'Shop latency under 1 second',
    indicator: SloIndicator.latency(api.metricLatency(), Duration.seconds(1)),
    target: 0.99,
  });
  const template = Template.fromStack(stack);
  const topicRef = (severity: 'critical' | 'warning') => ({
    Ref: stack.getLogicalId(monitoring.routing.topics[severity].node.defaultChild as CfnElement),
  });
  const registered = (name: string) => {
    const entry = monitoring.alarms.find((a) => a.name === name);
    if (!entry) throw new Error(`${name} is not registered`);
    return entry;
  };

  test('is registered with the monitoring, one composite per tier', () => {
    expect(monitoring.objectives).toEqual([availability, latency]);
    expect(availability.slug).toBe('availability');
    expect(availability.target).toBe(0.999);
    expect(availability.indicator.kind).toBe('availability');
    expect(availability.composites).toHaveLength(2);
  });

  describe.each([
    { tier: 'fast-burn', severity: 'critical', long: 3600, short: 300, burnRate: 14.4 },
    { tier: 'slow-burn', severity: 'warning', long: 21600, short: 1800, burnRate: 6 },
  ] as const)('the $tier tier', ({ tier, severity, long, short, burnRate }) => {
    const longName = `shop-prod-availability-${tier}-long-${severity}`;
    const shortName = `shop-prod-availability-${tier}-short-${severity}`;

    test.each([
      { which: 'long', name: longName, period: long },
      { which: 'short', name: shortName, period: short },
    ])('has a $which window alarm over $period seconds on the error rate divided by the budget', ({ name, period }) => {
      const alarm = alarmNamed(template, name);
      expect(alarm.Threshold).toBe(burnRate);
      const expression = alarm.Metrics.find((m) => m.Expression !== undefined)?.Expression ?? '';
      const match = /^\(IF\(FILL\(valid, 0\) > 0, FILL\(bad, 0\) \/ valid, 0\)\) \/ ([0-9.]+)$/.exec(expression);
      expect(match).not.toBeNull();
      expect(Number(match?.[1])).toBeCloseTo(0.001, 12);
      const stats = alarm.Metrics.filter((m) => m.MetricStat).map((m) => [
        m.Id,
        m.MetricStat?.Period,
        m.MetricStat?.Stat,
      ]);
      expect(stats).toEqual([
        ['bad', period, 'Sum'],
        ['valid', period, 'Sum'],
      ]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp(
          `Runbook: https://github.com/example-org/keel/blob/main/runbooks/shop.md#availability-${tier}$`,
        ),
      });
    });

    test('marks both window alarms as composite children that notify no one', () => {
      for (const name of [longName, shortName]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: name,
          AlarmActions: Match.absent(),
          OKActions: Match.absent(),
        });
        const entry = registered(name);
        expect(entry).toMatchObject({ kind: 'slo', severity, compositeChild: true });
        expect(entry.alarm.node.metadata.map((m) => m.type)).toContain(COMPOSITE_CHILD_METADATA);
      }
    });

    test('has a composite that fires when both windows do and notifies the matching topic', () => {
      const name = `shop-prod-availability-${tier}-${severity}`;
      const composites = Object.values(
        template.findResources('AWS::CloudWatch::CompositeAlarm', { Properties: { AlarmName: name } }),
      );
      expect(composites).toHaveLength(1);
      const properties = composites[0].Properties as { AlarmRule: unknown };
      const arn = (n: string) => arnOf(stack, registered(n).alarm);
      expect(flatten(properties.AlarmRule)).toBe(`(ALARM("${arn(longName)}") AND ALARM("${arn(shortName)}"))`);
      template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
        AlarmName: name,
        AlarmActions: [topicRef(severity)],
        OKActions: [topicRef(severity)],
        AlarmDescription: Match.stringLikeRegexp(`#availability-${tier}$`),
      });
      expect(registered(name)).toMatchObject({ kind: 'slo', severity, compositeChild: false });
      expect(availability.composites.map((c) => c.alarmArn)).toContain(registered(name).alarm.alarmArn);
    });
  });

  test('puts the fast-burn composite into the health composite, but neither window alarm nor the slow burn', () => {
    const health = Object.values(
      template.findResources('AWS::CloudWatch::CompositeAlarm', {
        Properties: { AlarmName: 'shop-prod-health-critical' },
      }),
    );
    expect(health).toHaveLength(1);
    const rule = flatten((health[0].Properties as { AlarmRule: unknown }).AlarmRule);
    const arn = (name: string) => `"${arnOf(stack, registered(name).alarm)}"`;
    expect(rule).toContain(arn('shop-prod-availability-fast-burn-critical'));
    expect(rule).toContain(arn('shop-prod-latency-fast-burn-critical'));
    for (const name of [
      'shop-prod-availability-fast-burn-long-critical',
      'shop-prod-availability-fast-burn-short-critical',
      'shop-prod-availability-slow-burn-warning',
      'shop-prod-availability-slow-burn-long-warning',
    ]) {
      expect(rule).not.toContain(arn(name));
    }
  });

  test('measures latency with the percentile rank of requests within the threshold', () => {
    for (const [name, period] of [
      ['shop-prod-latency-fast-burn-long-critical', 3600],
      ['shop-prod-latency-fast-burn-short-critical', 300],
    ] as const) {
      const alarm = alarmNamed(template, name);
      const stats = alarm.Metrics.filter((m) => m.MetricStat).map((m) => [
        m.Id,
        m.MetricStat?.Period,
        m.MetricStat?.Stat,
      ]);
      expect(stats).toEqual([['fast', period, 'PR(0:1000)']]);
      expect(alarm.Metrics.find((m) => m.Expression)?.Expression).toMatch(
        /^\(IF\(FILL\(fast, -1\) >= 0, \(100 - fast\) \/ 100, 0\)\) \/ 0\.01/,
      );
    }
    expect(latency.indicator.kind).toBe('latency');
  });

  test('expresses the error budget left over 30 days as metric math', () => {
    const left = availability.budgetLeft();
    expect(left).toBeInstanceOf(cloudwatch.MathExpression);
    expect(left.period.toDays()).toBe(30);
    expect(left.expression).toMatch(
      /^100 \* \(1 - \(IF\(FILL\(valid, 0\) > 0, FILL\(bad, 0\) \/ valid, 0\)\) \/ 0\.001/,
    );
    expect(Object.keys(left.usingMetrics).sort()).toEqual(['bad', 'valid']);
    for (const metric of Object.values(left.usingMetrics)) {
      expect((metric as cloudwatch.Metric).period.toDays()).toBe(30);
      expect((metric as cloudwatch.Metric).statistic).toBe('Sum');
    }
    expect(availability.budgetPeriod.toDays()).toBe(30);
  });
});

describe('objective input', () => {
  // Never synthesized: every objective here is refused, or only inspected through the registry.
  const { service, monitoring } = shop();
  const api = service.api;
  const indicator = SloIndicator.availability(api.metricServerError(), api.metricCount());
  let count = 0;
  const objective = (target: number, tiers?: readonly BurnRateTier[], budgetPeriod?: Duration): ServiceLevelObjective =>
    monitoring.addServiceLevelObjective(`Objective${++count}`, {
      slug: `objective-${count}`,
      description: 'Shop availability',
      indicator,
      target,
      ...(tiers ? { tiers } : {}),
      ...(budgetPeriod ? { budgetPeriod } : {}),
    });
  const tier = (overrides: Partial<BurnRateTier>): BurnRateTier => ({
    name: 'page',
    longWindow: Duration.hours(1),
    shortWindow: Duration.minutes(5),
    burnRate: 10,
    severity: 'critical',
    ...overrides,
  });

  test('accepts targets just above 0.9 and up to 0.9999', () => {
    expect(objective(0.90001).target).toBe(0.90001);
    expect(objective(0.9999).target).toBe(0.9999);
  });

  test.each([0.9, 0.5, 1, 0.99999, NaN])('fails when the target is %p', (target) => {
    const error = refusal(() => objective(target));
    expect(error.message).toContain('target');
    expect(error.message).toContain('(0.9, 0.9999]');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].where).toMatch(/ target$/);
    expect(error.problems[0].what).toBe(`${target} is outside (0.9, 0.9999]`);
  });

  test('builds custom tiers, named after the tier, with the budget period given', () => {
    const slo = objective(
      0.99,
      [tier({ longWindow: Duration.hours(2), shortWindow: Duration.minutes(10) })],
      Duration.days(7),
    );
    expect(slo.composites).toHaveLength(1);
    const names = monitoring.alarms.filter((a) => a.slug.startsWith(`${slo.slug}-`)).map((a) => a.name);
    expect(names).toEqual([
      `shop-prod-${slo.slug}-page-long-critical`,
      `shop-prod-${slo.slug}-page-short-critical`,
      `shop-prod-${slo.slug}-page-critical`,
    ]);
    expect(slo.budgetPeriod.toDays()).toBe(7);
    expect(slo.budgetLeft().period.toDays()).toBe(7);
  });

  test('fails when a window is not a whole number of minutes', () => {
    const error = refusal(() => objective(0.99, [tier({ shortWindow: Duration.seconds(90) })]));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/ tier page shortWindow$/),
        what: "1 minute 30 seconds is outside CloudWatch's alarm windows",
        fix: 'use a whole number of minutes from 1 minute to 1 day',
      },
    ]);
  });

  test('fails when a window is shorter than a minute', () => {
    const error = refusal(() => objective(0.99, [tier({ shortWindow: Duration.seconds(30) })]));
    expect(error.message).toContain("30 seconds is outside CloudWatch's alarm windows");
  });

  test('fails when a window is longer than a day', () => {
    const error = refusal(() => objective(0.99, [tier({ longWindow: Duration.days(2) })]));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].where).toMatch(/ tier page longWindow$/);
    expect(error.problems[0].what).toBe("2 days is outside CloudWatch's alarm windows");
  });

  test('accepts a window of exactly one day', () => {
    expect(objective(0.99, [tier({ longWindow: Duration.days(1) })]).composites).toHaveLength(1);
  });

  test('fails when the short window is not shorter than the long one', () => {
    const same = refusal(() =>
      objective(0.99, [tier({ longWindow: Duration.minutes(30), shortWindow: Duration.minutes(30) })]),
    );
    expect(same.problems).toHaveLength(1);
    expect(same.problems[0].what).toBe('the short window (30 minutes) is not shorter than the long one (30 minutes)');
    const reversed = refusal(() =>
      objective(0.99, [tier({ longWindow: Duration.minutes(5), shortWindow: Duration.hours(1) })]),
    );
    expect(reversed.message).toContain('the short window (1 hour) is not shorter than the long one (5 minutes)');
  });

  test.each([0, -1, NaN])('fails when the burn rate is %p', (burnRate) => {
    const error = refusal(() => objective(0.99, [tier({ burnRate })]));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/ tier page burnRate$/),
        what: `${burnRate} is not above 0`,
        fix: 'use e.g. 14.4 or 6',
      },
    ]);
  });

  test('fails when several things are wrong, naming each', () => {
    const error = refusal(() =>
      objective(1, [tier({ longWindow: Duration.days(2), shortWindow: Duration.seconds(90), burnRate: 0 })]),
    );
    expect(error.problems.map((p) => p.where.split(' ').slice(1).join(' '))).toEqual([
      'target',
      'tier page longWindow',
      'tier page shortWindow',
      'tier page burnRate',
    ]);
  });
});
