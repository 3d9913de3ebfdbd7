import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { KeelValidationError, type Problem } from '../errors';
import type { Severity } from './alert-routing';
import type { IKeelAlarmFactory } from './alarm-factory';

/** CloudWatch evaluates an alarm over at most one day: period × evaluation periods ≤ 86,400 s. */
export const MAX_ALARM_WINDOW = Duration.days(1);

/** What counts as failing the objective. */
export class SloIndicator {
  /** Availability: bad events ÷ valid events, e.g. API 5xx responses ÷ API requests. Both are summed. */
  public static availability(bad: cloudwatch.Metric, valid: cloudwatch.Metric): SloIndicator {
    return new SloIndicator('availability', (period) => {
      const badSum = bad.with({ statistic: 'Sum', period });
      const validSum = valid.with({ statistic: 'Sum', period });
      return {
        expression: 'IF(FILL(valid, 0) > 0, FILL(bad, 0) / valid, 0)',
        usingMetrics: { bad: badSum, valid: validSum },
      };
    });
  }

  /**
   * Latency: the share of requests slower than `threshold`, from CloudWatch's percentile-rank statistic
   * (`PR(0:<ms>)`, the percentage of samples at or under it).
   */
  public static latency(latency: cloudwatch.Metric, threshold: Duration): SloIndicator {
    const ms = threshold.toMilliseconds();
    return new SloIndicator('latency', (period) => ({
      expression: `IF(FILL(fast, -1) >= 0, (100 - fast) / 100, 0)`,
      usingMetrics: { fast: latency.with({ statistic: `PR(0:${ms})`, period }) },
    }));
  }

  private constructor(
    public readonly kind: 'availability' | 'latency',
    /** The error rate (0 to 1) over one period, as metric math: the alarms, the dashboard and the manifest read it. */
    public readonly errorRate: (period: Duration) => {
      expression: string;
      usingMetrics: Record<string, cloudwatch.IMetric>;
    },
  ) {}
}

/** One multi-window burn-rate alert: a composite of a long and a short window alarm. */
export interface BurnRateTier {
  /** Kebab-case, e.g. `fast-burn`. */
  readonly name: string;
  readonly longWindow: Duration;
  readonly shortWindow: Duration;
  /** How many times faster than sustainable the error budget burns. */
  readonly burnRate: number;
  readonly severity: Severity;
}

/** The Site Reliability Workbook's two tiers: 2% of a 30-day budget in an hour pages; 5% in six hours tickets. */
export const DEFAULT_BURN_RATE_TIERS: readonly BurnRateTier[] = [
  {
    name: 'fast-burn',
    longWindow: Duration.hours(1),
    shortWindow: Duration.minutes(5),
    burnRate: 14.4,
    severity: 'critical',
  },
  {
    name: 'slow-burn',
    longWindow: Duration.hours(6),
    shortWindow: Duration.minutes(30),
    burnRate: 6,
    severity: 'warning',
  },
];

export interface ServiceLevelObjectiveProps {
  /**
   * Kebab-case. Each tier's composite is named `<service>-<env>-<slug>-<tier>-<severity>`, its two window alarms
   * `<service>-<env>-<slug>-<tier>-long|short-<severity>`; the runbook anchor is `<slug>-<tier>`.
   */
  readonly slug: string;
  readonly description: string;
  readonly indicator: SloIndicator;
  /** The share of events that must be good, above 0.9 and at most 0.9999. */
  readonly target: number;
  /**
   * @default DEFAULT_BURN_RATE_TIERS
   */
  readonly tiers?: readonly BurnRateTier[];
  /**
   * The period the error budget is counted over, for the dashboard.
   * @default Duration.days(30)
   */
  readonly budgetPeriod?: Duration;
}

export interface ServiceLevelObjectiveConstructProps extends ServiceLevelObjectiveProps {
  /** The service's alarms: names, runbook links, routing and the registry (`ServiceMonitoring.alarmFactory`). */
  readonly alarms: IKeelAlarmFactory;
}

/**
 * A service level objective with multi-window burn-rate alerting, built on plain CloudWatch alarms: per tier, a
 * long-window and a short-window alarm on `error rate ÷ (1 - target)`, combined in a composite that fires only when
 * both do (the short window makes it reset quickly once the burn stops).
 *
 * CloudWatch's limits, stated: an alarm's period is aligned to the clock, so a 1-hour window is the last complete
 * clock hour, not a sliding hour; a window must be a whole number of minutes and at most one day; the window
 * alarms notify no one themselves (only the composite does).
 */
export class ServiceLevelObjective extends Construct {
  public readonly slug: string;
  public readonly target: number;
  public readonly indicator: SloIndicator;
  public readonly budgetPeriod: Duration;
  /** One composite per tier. */
  public readonly composites: cloudwatch.CompositeAlarm[] = [];

  /** Its window alarms are created in the alarm factory's scope; its composites in this construct. */
  constructor(scope: Construct, id: string, props: ServiceLevelObjectiveConstructProps) {
    super(scope, id);
    const alarms = props.alarms;
    const tiers = props.tiers ?? DEFAULT_BURN_RATE_TIERS;
    checkObjective(this.node.path, props, tiers);
    this.slug = props.slug;
    this.target = props.target;
    this.indicator = props.indicator;
    this.budgetPeriod = props.budgetPeriod ?? Duration.days(30);
    const budget = errorBudget(props.target);

    for (const tier of tiers) {
      const slug = `${props.slug}-${tier.name}`;
      const window = (length: Duration, which: 'long' | 'short'): cloudwatch.Alarm => {
        const { expression, usingMetrics } = props.indicator.errorRate(length);
        return alarms.createAlarm(
          new cloudwatch.MathExpression({
            expression: `(${expression}) / ${budget}`,
            usingMetrics,
            period: length,
            label: `${props.slug} burn rate over ${length.toHumanString()}`,
          }),
          {
            slug: `${slug}-${which}`,
            severity: tier.severity,
            description: `${props.description}: the error budget burns over ${tier.burnRate}x too fast over ${length.toHumanString()} (one window of ${slug}).`,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            runbookAnchor: slug,
            period: length,
            evaluationPeriods: 1,
          },
          'slo',
          {
            threshold: tier.burnRate,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            watches: `${props.slug} burn rate over ${length.toHumanString()} > ${tier.burnRate}`,
          },
          true,
        );
      };
      const long = window(tier.longWindow, 'long');
      const short = window(tier.shortWindow, 'short');
      const composite = new cloudwatch.CompositeAlarm(this, tier.name, {
        compositeAlarmName: alarms.alarmName(slug, tier.severity),
        alarmDescription: alarms.alarmDescription(
          `${props.description}: the error budget (target ${props.target * 100}%) burns ${tier.burnRate}x too fast over both ${tier.longWindow.toHumanString()} and ${tier.shortWindow.toHumanString()}.`,
          slug,
        ),
        alarmRule: cloudwatch.AlarmRule.allOf(long, short),
      });
      alarms.register(composite, {
        slug,
        severity: tier.severity,
        kind: 'slo',
        watches: `${props.slug} burn rate > ${tier.burnRate} over ${tier.longWindow.toHumanString()} and ${tier.shortWindow.toHumanString()}`,
      });
      this.composites.push(composite);
    }
  }

  /** The share of the error budget left over the budget period, in percent, as metric math for dashboards. */
  public budgetLeft(): cloudwatch.MathExpression {
    const { expression, usingMetrics } = this.indicator.errorRate(this.budgetPeriod);
    return new cloudwatch.MathExpression({
      expression: `100 * (1 - (${expression}) / ${errorBudget(this.target)})`,
      usingMetrics,
      period: this.budgetPeriod,
      label: `${this.slug} error budget left (%)`,
    });
  }
}

/** 1 - target as written: 1 - 0.999 is 0.0010000000000000009 in floating point; the console shows 0.001. */
function errorBudget(target: number): number {
  return Number((1 - target).toPrecision(6));
}

function checkObjective(where: string, props: ServiceLevelObjectiveProps, tiers: readonly BurnRateTier[]): void {
  const problems: Problem[] = [];
  if (!Number.isFinite(props.target) || props.target <= 0.9 || props.target > 0.9999) {
    problems.push({
      where: `${where} target`,
      what: `${props.target} is outside (0.9, 0.9999]`,
      fix: 'use a target such as 0.99, 0.995 or 0.999: below 90% is no objective, above 99.99% leaves no budget to alert on',
    });
  }
  if (tiers.length === 0) {
    problems.push({
      where: `${where} tiers`,
      what: 'is empty: the objective would alert no one',
      fix: 'leave tiers out for the default fast and slow burn tiers',
    });
  }
  const budgetMs = props.budgetPeriod?.toMilliseconds() ?? 30 * 86_400_000;
  if (budgetMs % 86_400_000 !== 0 || budgetMs < 86_400_000 || budgetMs > 90 * 86_400_000) {
    problems.push({
      where: `${where} budgetPeriod`,
      what: `${props.budgetPeriod?.toHumanString()} is not a whole number of days from 1 to 90`,
      fix: 'use Duration.days(30), the usual error budget period',
    });
  }
  for (const tier of tiers) {
    for (const [name, window] of [
      ['longWindow', tier.longWindow],
      ['shortWindow', tier.shortWindow],
    ] as const) {
      const ms = window.toMilliseconds();
      if (ms < 60_000 || ms % 60_000 !== 0 || ms > MAX_ALARM_WINDOW.toMilliseconds()) {
        problems.push({
          where: `${where} tier ${tier.name} ${name}`,
          what: `${window.toHumanString()} is outside CloudWatch's alarm windows`,
          fix: 'use a whole number of minutes from 1 minute to 1 day',
        });
      }
    }
    if (tier.shortWindow.toMilliseconds() >= tier.longWindow.toMilliseconds()) {
      problems.push({
        where: `${where} tier ${tier.name}`,
        what: `the short window (${tier.shortWindow.toHumanString()}) is not shorter than the long one (${tier.longWindow.toHumanString()})`,
        fix: 'use a short window of about a twelfth of the long one, e.g. 1 hour and 5 minutes',
      });
    }
    if (!Number.isFinite(tier.burnRate) || tier.burnRate <= 0) {
      problems.push({
        where: `${where} tier ${tier.name} burnRate`,
        what: `${tier.burnRate} is not above 0`,
        fix: 'use e.g. 14.4 or 6',
      });
    }
  }
  if (problems.length > 0) throw new KeelValidationError(`Invalid service level objective ${where}:`, problems);
}
