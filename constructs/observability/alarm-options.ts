import { Duration, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { KeelValidationError, type Problem } from '../errors';
import { KEBAB_CASE } from '../naming';
import type { Severity } from './alert-routing';

/** Every alarm Keel builds evaluates 5-minute periods unless told otherwise. */
export const DEFAULT_ALARM_PERIOD = Duration.minutes(5);

/** What every Keel alarm states on purpose. */
export interface AlarmOptions {
  /** Kebab-case; the alarm is named `<service>-<env>-<slug>-<severity>`. */
  readonly slug: string;
  readonly severity: Severity;
  /** What the alarm means, first line of its description. */
  readonly description: string;
  /** What missing data means here: never left to CloudWatch's default. */
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /**
   * The runbook section, in the service's runbook file.
   * @default - the slug
   */
  readonly runbookAnchor?: string;
  /**
   * Length of one evaluation period.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * How many periods are evaluated.
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of them must breach.
   * @default - all evaluated periods
   */
  readonly datapointsToAlarm?: number;
}

export interface ThresholdAlarmOptions extends AlarmOptions {
  /**
   * Alarm when the statistic rises above this.
   * @default - none (exactly one of `above` and `below` is required)
   */
  readonly above?: number;
  /**
   * Alarm when the statistic falls below this.
   * @default - none (exactly one of `above` and `below` is required)
   */
  readonly below?: number;
  /**
   * Periods with fewer data points than this are not judged (they count as not breaching).
   * @default - every period is judged
   */
  readonly minSamples?: number;
}

export interface RatioAlarmOptions extends AlarmOptions {
  /** Alarm when numerator ÷ denominator rises above this (0 to 1). */
  readonly above: number;
  /**
   * Periods whose denominator sums to less than this are not judged: two failures of three requests is no outage.
   * @default 10
   */
  readonly minSamples?: number;
}

export interface AnomalyAlarmOptions extends AlarmOptions {
  /** Width of CloudWatch's anomaly detection band, in standard deviations; more than 0. */
  readonly bandWidth: number;
  /** Which side of the band breaches. */
  readonly direction: 'above' | 'below' | 'outside';
}

export interface HeartbeatAlarmOptions extends Omit<
  AlarmOptions,
  'treatMissingData' | 'period' | 'evaluationPeriods' | 'datapointsToAlarm'
> {
  /**
   * The window in which at least one data point must arrive.
   * @default Duration.minutes(15)
   */
  readonly window?: Duration;
}

/** The evaluation settings of an alarm, once its options are known to be valid. */
export interface AlarmEvaluation {
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

/** What is wrong with an alarm's options; `where` names the alarm, e.g. `Stack/Monitoring alarm orders-stopped`. */
export function alarmOptionProblems(where: string, options: AlarmOptions): Problem[] {
  const problems: Problem[] = [];
  if (!KEBAB_CASE.test(options.slug)) {
    problems.push({
      where,
      what: `slug ${JSON.stringify(options.slug)} is not kebab-case`,
      fix: "use lower-case words joined by '-', e.g. orders-stopped",
    });
  }
  if (options.treatMissingData === undefined) {
    problems.push({
      where,
      what: 'treatMissingData is not set',
      fix: 'say what missing data means here: BREACHING, NOT_BREACHING, IGNORE or MISSING',
    });
  }
  const { evaluationPeriods, datapointsToAlarm } = evaluationOf(options);
  if (
    !Number.isInteger(evaluationPeriods) ||
    !Number.isInteger(datapointsToAlarm) ||
    evaluationPeriods < 1 ||
    datapointsToAlarm < 1 ||
    datapointsToAlarm > evaluationPeriods
  ) {
    problems.push({
      where,
      what: `datapointsToAlarm ${datapointsToAlarm} of evaluationPeriods ${evaluationPeriods} is not M of N with 1 ≤ M ≤ N`,
      fix: 'alarm on M breaching periods out of N evaluated, e.g. 3 of 5',
    });
  }
  return problems;
}

/**
 * The alarm's evaluation settings.
 * @throws KeelValidationError naming every problem of the options at once.
 */
export function alarmEvaluation(scopePath: string, options: AlarmOptions): AlarmEvaluation {
  const problems = alarmOptionProblems(`${scopePath} alarm ${options.slug}`, options);
  if (problems.length > 0) throw new KeelValidationError(`Invalid alarm on ${scopePath}:`, problems);
  return { ...evaluationOf(options), treatMissingData: options.treatMissingData };
}

function evaluationOf(options: AlarmOptions): { evaluationPeriods: number; datapointsToAlarm: number } {
  const evaluationPeriods = options.evaluationPeriods ?? 3;
  return { evaluationPeriods, datapointsToAlarm: options.datapointsToAlarm ?? evaluationPeriods };
}

/** Refuses a number that is not finite (a deploy-time token passes). */
export function requireFinite(where: string, field: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new KeelValidationError(`Invalid alarm ${where}:`, [
      {
        where: `${where} ${field}`,
        what: `${String(value)} is not a finite number`,
        fix: `give ${field} a real number`,
      },
    ]);
  }
}
