import { Duration, Lazy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { MonitoringFacade, SnsAlarmActionStrategy, type CustomAlarmThreshold } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { KeelValidationError, type Problem } from '../private/errors';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide } from '../private/decisions';
import { COMPOSITE_CHILD_METADATA } from '../private/metadata';
import type { ProductionService } from '../service/production-service';
import type { ServiceFunction } from '../service/service-function';
import { AlertRouting, type Severity } from './alert-routing';
import { metricNameProblem, type BusinessMetric, type BusinessMetricSet } from './business-metric';
import { RunbookChecker, runbookUrl, type RunbookLocation } from './runbooks';
import { ServiceDashboard } from './service-dashboard';
import { ServiceLevelObjective, type ServiceLevelObjectiveProps } from './service-level-objective';

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
  /** Alarm when the statistic rises above this. Exactly one of `above` and `below`. */
  readonly above?: number;
  /** Alarm when the statistic falls below this. */
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

/** Thresholds of the standard alarms on every resource a ProductionService creates. */
export interface StandardAlarmThresholds {
  /** API 5xx responses, percent of requests (critical). */
  readonly api5xxPercent: number;
  /** API p99 latency (warning). */
  readonly apiP99Latency: Duration;
  /** Errors per 5 minutes of a function behind a route (critical); other functions warn. */
  readonly functionErrors: number;
  /** Throttled invocations per 5 minutes tolerated before the warning; 0 warns on any. */
  readonly functionThrottles: number;
  /** Maximum duration as a percentage of the timeout (warning). */
  readonly durationPercentOfTimeout: number;
  /** Concurrent executions as a percentage of reserved concurrency, where reserved (warning). */
  readonly concurrencyPercentOfReserved: number;
}

export const DEFAULT_STANDARD_THRESHOLDS: StandardAlarmThresholds = {
  api5xxPercent: 1,
  apiP99Latency: Duration.seconds(3),
  functionErrors: 5,
  functionThrottles: 0,
  durationPercentOfTimeout: 80,
  concurrencyPercentOfReserved: 80,
};

/** The standard runbook sections every service shares (`runbooks/standard-alarms.md`). */
export const STANDARD_RUNBOOK_FILE = 'standard-alarms.md';

/** What the manifest and the dashboard know about one alarm. */
export interface RegisteredAlarm {
  readonly alarm: cloudwatch.AlarmBase;
  readonly name: string;
  readonly slug: string;
  readonly severity: Severity;
  readonly kind: 'threshold' | 'ratio' | 'anomaly' | 'heartbeat' | 'standard' | 'slo' | 'health';
  readonly runbook: { readonly file: string; readonly anchor: string; readonly url: string };
  /** What it watches, in words. */
  readonly watches: string;
  /** True for an alarm that only feeds a composite and notifies no one itself. */
  readonly compositeChild: boolean;
}

export interface ServiceMonitoringProps {
  /** The service to monitor; create the monitoring after the service's functions, tables and routes. */
  readonly service: ProductionService;
  /** Where critical alerts page the owner team (team registry). */
  readonly onCallEndpoint: string;
  /** Where warnings open a ticket for the owner team (team registry). */
  readonly ticketEndpoint: string;
  readonly runbooks: RunbookLocation;
  /**
   * The service's runbook file in the runbooks directory.
   * @default '<service>.md'
   */
  readonly runbookFile?: string;
  /**
   * Thresholds of the standard alarms.
   * @default DEFAULT_STANDARD_THRESHOLDS
   */
  readonly standardThresholds?: Partial<StandardAlarmThresholds>;
}

const DEFAULT_PERIOD = Duration.minutes(5);
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Watches a ProductionService: standard alarms on everything it created (through cdk-monitoring-constructs),
 * alarms on business metrics, SLO burn-rate alarms, and a `health` composite that is in ALARM whenever any
 * critical alarm is: the rollback signal. Critical alarms page the owner's on-call, warnings open a ticket, both
 * on ALARM and OK. Every alarm is named `<service>-<env>-<slug>-<severity>` and links its runbook section;
 * synth checks that section exists with every required heading.
 */
export class ServiceMonitoring extends Construct {
  public readonly service: ProductionService;
  public readonly routing: AlertRouting;
  /** The composite alarm that is in ALARM whenever any critical alarm of the service is. */
  public readonly health: cloudwatch.CompositeAlarm;
  /** Business metrics and SLOs first, then technical widgets, then every alarm's state. */
  public readonly dashboard: ServiceDashboard;
  /** Every alarm, in creation order. */
  public readonly alarms: RegisteredAlarm[] = [];
  /** The business metrics functions of the service emit. */
  public readonly businessMetrics: BusinessMetric[] = [];
  public readonly objectives: ServiceLevelObjective[] = [];
  private readonly runbooks: RunbookLocation;
  private readonly runbookFile: string;
  private readonly monitoredFunctions: ReadonlySet<ServiceFunction>;
  private readonly registry: MonitoringRegistry;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    this.service = props.service;
    this.runbooks = props.runbooks;
    this.registry = MonitoringRegistry.of(this);
    this.registry.monitors.push(this);
    this.runbookFile = props.runbookFile ?? `${props.service.serviceName}.md`;
    this.routing = new AlertRouting(this, 'Routing', {
      name: this.prefix,
      key: props.service.key,
      onCallEndpoint: props.onCallEndpoint,
      ticketEndpoint: props.ticketEndpoint,
    });
    this.monitoredFunctions = new Set(props.service.functions);
    const thresholds = { ...DEFAULT_STANDARD_THRESHOLDS, ...props.standardThresholds };
    checkStandardThresholds(this.node.path, thresholds);
    this.addStandardAlarms(thresholds);

    // Any critical alarm in ALARM puts the service's health in ALARM. The rule is rendered at synth, so critical
    // alarms added after this line count too.
    const criticalRule: cloudwatch.IAlarmRule = {
      renderAlarmRule: () =>
        Lazy.string({
          produce: () => {
            const critical = this.alarms.filter(
              (a) => a.severity === 'critical' && a.kind !== 'health' && !a.compositeChild,
            );
            return critical.length === 0
              ? cloudwatch.AlarmRule.fromBoolean(false).renderAlarmRule()
              : cloudwatch.AlarmRule.anyOf(...critical.map((a) => a.alarm)).renderAlarmRule();
          },
        }),
    };
    this.health = new cloudwatch.CompositeAlarm(this, 'Health', {
      compositeAlarmName: this.alarmName('health', 'critical'),
      alarmDescription: this.describe('Some critical alarm of the service is firing: the rollback signal.', 'health'),
      alarmRule: criticalRule,
    });
    this.register(this.health, {
      slug: 'health',
      severity: 'critical',
      kind: 'health',
      watches: 'every critical alarm',
    });

    this.dashboard = new ServiceDashboard(this, 'Dashboard', this);
    this.node.addValidation({ validate: () => this.problems() });
  }

  private get prefix(): string {
    return `${this.service.serviceName}-${this.service.environment}`;
  }

  /** `<service>-<env>-<slug>-<severity>`. */
  public alarmName(slug: string, severity: Severity): string {
    return `${this.prefix}-${slug}-${severity}`;
  }

  /**
   * Declares that `functions` emit the metrics of `metrics`; alarms may only watch metrics declared here, so a
   * metric that nothing emits cannot be alarmed on in silence.
   */
  public addBusinessMetrics(metrics: BusinessMetricSet, emittedBy: readonly ServiceFunction[]): void {
    const problems: Problem[] = [];
    for (const metric of Object.values(metrics)) {
      const nameProblem = metricNameProblem(metric.name);
      if (nameProblem) {
        problems.push({
          where: `${this.node.path} business metric ${JSON.stringify(metric.name)}`,
          what: `the name ${nameProblem}`,
          fix: 'use 1-255 printable ASCII characters, not starting with a colon, e.g. OrdersPlaced',
        });
      }
      if (metric.service !== this.service.serviceName) {
        problems.push({
          where: `${this.node.path} business metric ${metric.name}`,
          what: `belongs to service ${metric.service}, not ${this.service.serviceName}`,
          fix: `define it with defineBusinessMetrics('${this.service.serviceName}', ...)`,
        });
      }
    }
    if (emittedBy.length === 0) {
      problems.push({
        where: `${this.node.path} business metrics`,
        what: 'no function is said to emit them',
        fix: 'pass the functions whose handlers import the metrics, e.g. addBusinessMetrics(metrics, [handler])',
      });
    }
    if (problems.length > 0) throw new KeelValidationError(`Invalid business metrics on ${this.node.path}:`, problems);
    this.businessMetrics.push(...Object.values(metrics));
  }

  /** The CloudWatch metric of a business metric, as its handler emits it. */
  public metric(metric: BusinessMetric, period: Duration = DEFAULT_PERIOD): cloudwatch.Metric {
    if (!this.businessMetrics.includes(metric)) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where: `${this.node.path} business metric ${metric.namespace}/${metric.name}`,
          what: 'is declared for alarms but nothing emits it: no function was registered as emitting its set',
          fix: "export it from the service's metrics.ts, emit it in the handler, and call addBusinessMetrics(metrics, [handler])",
        },
      ]);
    }
    return new cloudwatch.Metric({
      namespace: metric.namespace,
      metricName: metric.name,
      dimensionsMap: { ...metric.dimensions },
      statistic: metric.statistic,
      period,
    });
  }

  /** Adds a service level objective with multi-window burn-rate alarms. */
  public addServiceLevelObjective(id: string, props: ServiceLevelObjectiveProps): ServiceLevelObjective {
    const objective = new ServiceLevelObjective(this, id, props);
    this.objectives.push(objective);
    return objective;
  }

  /** Alarms when a business metric rises above or falls below a static threshold. */
  public addThresholdAlarm(metric: BusinessMetric, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    const where = `${this.node.path} alarm ${options.slug}`;
    if ((options.above === undefined) === (options.below === undefined)) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: 'needs exactly one of above and below',
          fix: 'say whether the alarm fires above or below the threshold',
        },
      ]);
    }
    const threshold = (options.above ?? options.below) as number;
    checkFinite(where, 'threshold', threshold);
    const period = options.period ?? DEFAULT_PERIOD;
    const value = this.metric(metric, period);
    let watched: cloudwatch.IMetric = value;
    if (options.minSamples !== undefined) {
      checkFinite(where, 'minSamples', options.minSamples);
      // A period with too few data points takes the threshold itself: never breaching in either direction.
      watched = new cloudwatch.MathExpression({
        expression: `IF(FILL(samples, 0) >= ${options.minSamples}, value, ${threshold})`,
        usingMetrics: { value, samples: value.with({ statistic: 'SampleCount' }) },
        period,
        label: `${metric.name} (${metric.statistic}, at least ${options.minSamples} samples)`,
      });
    }
    return this.addAlarm(watched, options, 'threshold', {
      threshold,
      comparisonOperator:
        options.above !== undefined
          ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
          : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      watches: `${metric.namespace}/${metric.name} ${metric.statistic} ${options.above !== undefined ? '>' : '<'} ${threshold}`,
    });
  }

  /** Alarms when numerator ÷ denominator (metric math) rises above a fraction, judged only on enough samples. */
  public addRatioAlarm(
    numerator: BusinessMetric,
    denominator: BusinessMetric,
    options: RatioAlarmOptions,
  ): cloudwatch.Alarm {
    const where = `${this.node.path} alarm ${options.slug}`;
    checkFinite(where, 'above', options.above);
    if (options.above <= 0 || options.above > 1) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        { where: `${where} above`, what: `${options.above} is not a fraction in (0, 1]`, fix: 'write 5% as 0.05' },
      ]);
    }
    const minSamples = options.minSamples ?? 10;
    checkFinite(where, 'minSamples', minSamples);
    const period = options.period ?? DEFAULT_PERIOD;
    const expression = new cloudwatch.MathExpression({
      expression: `IF(FILL(d, 0) >= ${minSamples}, FILL(n, 0) / d, 0)`,
      usingMetrics: {
        n: this.metric(numerator, period).with({ statistic: 'Sum' }),
        d: this.metric(denominator, period).with({ statistic: 'Sum' }),
      },
      period,
      label: `${numerator.name} / ${denominator.name}`,
    });
    return this.addAlarm(expression, options, 'ratio', {
      threshold: options.above,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      watches: `${numerator.name} / ${denominator.name} > ${options.above} (at least ${minSamples} ${denominator.name})`,
    });
  }

  /** Alarms when a business metric leaves CloudWatch's anomaly detection band. */
  public addAnomalyAlarm(metric: BusinessMetric, options: AnomalyAlarmOptions): cloudwatch.AnomalyDetectionAlarm {
    const where = `${this.node.path} alarm ${options.slug}`;
    checkFinite(where, 'bandWidth', options.bandWidth);
    if (options.bandWidth <= 0) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: `band width ${options.bandWidth} is not above 0`,
          fix: 'use a width in standard deviations, e.g. 2',
        },
      ]);
    }
    const operator = {
      above: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      below: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
      outside: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
    }[options.direction];
    const alarm = new cloudwatch.AnomalyDetectionAlarm(this, pascal(`${options.slug}-${options.severity}`), {
      metric: this.metric(metric, options.period ?? DEFAULT_PERIOD),
      stdDevs: options.bandWidth,
      comparisonOperator: operator,
      ...this.alarmProps(options),
    });
    this.finish(
      alarm,
      options,
      'anomaly',
      `${metric.namespace}/${metric.name} ${options.direction} a ${options.bandWidth}σ band`,
    );
    return alarm;
  }

  /** Alarms when a business metric stops arriving: no data means broken. */
  public addHeartbeatAlarm(metric: BusinessMetric, options: HeartbeatAlarmOptions): cloudwatch.Alarm {
    const window = options.window ?? Duration.minutes(15);
    return this.addAlarm(
      this.metric(metric, window).with({ statistic: 'SampleCount' }),
      {
        ...options,
        period: window,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      'heartbeat',
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        watches: `${metric.namespace}/${metric.name} arrives at least once every ${window.toHumanString()}`,
      },
    );
  }

  /**
   * Creates a plain CloudWatch alarm with Keel's name, runbook link and routing; SLOs build their windows on it.
   * @internal
   */
  public addAlarm(
    watched: cloudwatch.IMetric,
    options: AlarmOptions,
    kind: RegisteredAlarm['kind'],
    check: { threshold: number; comparisonOperator: cloudwatch.ComparisonOperator; watches: string },
    compositeChild = false,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, pascal(`${options.slug}-${options.severity}`), {
      metric: watched,
      threshold: check.threshold,
      comparisonOperator: check.comparisonOperator,
      ...this.alarmProps(options),
    });
    this.finish(alarm, options, kind, check.watches, compositeChild);
    return alarm;
  }

  private alarmProps(options: AlarmOptions): Omit<cloudwatch.AlarmProps, 'metric' | 'threshold'> {
    const where = `${this.node.path} alarm ${options.slug}`;
    if (!KEBAB.test(options.slug)) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: `slug ${JSON.stringify(options.slug)} is not kebab-case`,
          fix: "use lower-case words joined by '-', e.g. orders-stopped",
        },
      ]);
    }
    if (options.treatMissingData === undefined) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: 'treatMissingData is not set',
          fix: 'say what missing data means here: BREACHING, NOT_BREACHING, IGNORE or MISSING',
        },
      ]);
    }
    const evaluationPeriods = options.evaluationPeriods ?? 3;
    const datapointsToAlarm = options.datapointsToAlarm ?? evaluationPeriods;
    if (
      !Number.isInteger(evaluationPeriods) ||
      !Number.isInteger(datapointsToAlarm) ||
      evaluationPeriods < 1 ||
      datapointsToAlarm < 1 ||
      datapointsToAlarm > evaluationPeriods
    ) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: `datapointsToAlarm ${datapointsToAlarm} of evaluationPeriods ${evaluationPeriods} is not M of N with 1 ≤ M ≤ N`,
          fix: 'alarm on M breaching periods out of N evaluated, e.g. 3 of 5',
        },
      ]);
    }
    return {
      alarmName: this.alarmName(options.slug, options.severity),
      alarmDescription: this.describe(options.description, options.runbookAnchor ?? options.slug),
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: options.treatMissingData,
    };
  }

  private finish(
    alarm: cloudwatch.Alarm,
    options: AlarmOptions,
    kind: RegisteredAlarm['kind'],
    watches: string,
    compositeChild = false,
  ): void {
    if (compositeChild) {
      alarm.node.addMetadata(COMPOSITE_CHILD_METADATA, true);
      decide(alarm, DECISIONS.compositeChildWithoutActions, DEFAULT_DECISION_OWNER);
    } else {
      const topic = this.routing.topics[options.severity];
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    this.register(alarm, {
      slug: options.slug,
      severity: options.severity,
      kind,
      watches,
      anchor: options.runbookAnchor ?? options.slug,
      compositeChild,
    });
  }

  /**
   * Adds an alarm made elsewhere (an SLO's composite, cdk-monitoring-constructs) to the registry.
   * @internal
   */
  public register(
    alarm: cloudwatch.AlarmBase,
    entry: {
      slug: string;
      severity: Severity;
      kind: RegisteredAlarm['kind'];
      watches: string;
      anchor?: string;
      file?: string;
      compositeChild?: boolean;
    },
  ): void {
    const file = entry.file ?? this.runbookFile;
    const anchor = entry.anchor ?? entry.slug;
    if (alarm instanceof cloudwatch.CompositeAlarm && !entry.compositeChild) {
      const topic = this.routing.topics[entry.severity];
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    this.alarms.push({
      alarm,
      name: this.alarmName(entry.slug, entry.severity),
      slug: entry.slug,
      severity: entry.severity,
      kind: entry.kind,
      runbook: { file, anchor, url: runbookUrl(this.runbooks, file, anchor) },
      watches: entry.watches,
      compositeChild: entry.compositeChild ?? false,
    });
  }

  /**
   * An alarm description: what it means, then `Runbook: <url>` as its last line.
   * @internal
   */
  public describe(meaning: string, anchor: string, file: string = this.runbookFile): string {
    return `${meaning}\n\nRunbook: ${runbookUrl(this.runbooks, file, anchor)}`;
  }

  private addStandardAlarms(thresholds: StandardAlarmThresholds): void {
    const service = this.service;
    const facade = new MonitoringFacade(this, 'Standard', {
      alarmFactoryDefaults: { alarmNamePrefix: this.prefix, actionsEnabled: true },
      // Keel builds the service's one dashboard itself.
      dashboardFactory: { addDynamicSegment: () => undefined, getDashboard: () => undefined },
    });
    const expected: { slug: string; severity: Severity; watches: string; anchor: string }[] = [];
    const missingIsFine = cloudwatch.TreatMissingData.NOT_BREACHING;
    /** One standard alarm's Keel settings, for cdk-monitoring-constructs; `anchor` is its generic runbook section. */
    const standard = (
      slug: string,
      anchor: string,
      severity: Severity,
      meaning: string,
      watches: string,
    ): CustomAlarmThreshold => {
      const topic = this.routing.topics[severity];
      expected.push({ slug, severity, watches, anchor });
      return {
        alarmNameOverride: this.alarmName(slug, severity),
        alarmDescriptionOverride: this.describe(meaning, anchor, STANDARD_RUNBOOK_FILE),
        actionOverride: new SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic }),
        // No traffic means no errors, throttles or latency: missing data is not a failure for any standard alarm.
        treatMissingDataOverride: missingIsFine,
        datapointsToAlarm: 3,
        evaluationPeriods: 3,
      };
    };

    facade.monitorApiGateway({
      api: service.api,
      apiStage: service.environment,
      alarmFriendlyName: this.prefix,
      add5XXFaultRateAlarm: {
        critical: {
          ...standard(
            'api-5xx-rate',
            'api-5xx-rate',
            'critical',
            'The API answers too many requests with 5xx errors.',
            `API 5xx rate > ${thresholds.api5xxPercent}%`,
          ),
          // cdk-monitoring-constructs alarms on the Average of 5XXError: the failed share, from 0 to 1.
          maxErrorRate: thresholds.api5xxPercent / 100,
        },
      },
      addLatencyP99Alarm: {
        warning: {
          ...standard(
            'api-p99-latency',
            'api-p99-latency',
            'warning',
            'The slowest 1% of API requests are too slow.',
            `API p99 latency > ${thresholds.apiP99Latency.toHumanString()}`,
          ),
          maxLatency: thresholds.apiP99Latency,
        },
      },
    });

    for (const fn of service.functions) {
      const name = this.resourceName(fn);
      const routed = service.routedFunctions.has(fn);
      const errorSeverity: Severity = routed ? 'critical' : 'warning';
      const reserved = fn.function.node.defaultChild as { reservedConcurrentExecutions?: number };
      facade.monitorLambdaFunction({
        lambdaFunction: fn.function,
        alarmFriendlyName: `${this.prefix}-${name}`,
        addFaultCountAlarm: {
          [errorSeverity]: {
            ...standard(
              `${name}-errors`,
              'function-errors',
              errorSeverity,
              `Function ${fn.node.path} keeps failing.`,
              `${fn.node.path} errors > ${thresholds.functionErrors} per 5 minutes`,
            ),
            maxErrorCount: thresholds.functionErrors,
          },
        },
        // Throttles, duration and concurrency matter where callers wait: functions behind routes. Functions no
        // route reaches (secret rotation) fail into the errors alarm and their dead-letter queue instead.
        ...(routed
          ? {
              addThrottlesCountAlarm: {
                warning: {
                  ...standard(
                    `${name}-throttles`,
                    'function-throttles',
                    'warning',
                    `Function ${fn.node.path} is being throttled.`,
                    `${fn.node.path} throttles > ${thresholds.functionThrottles} per 5 minutes`,
                  ),
                  maxErrorCount: thresholds.functionThrottles,
                },
              },
              addMaxLatencyAlarm: {
                warning: {
                  ...standard(
                    `${name}-duration`,
                    'function-duration',
                    'warning',
                    `Function ${fn.node.path} runs close to its timeout.`,
                    `${fn.node.path} maximum duration > ${thresholds.durationPercentOfTimeout}% of its timeout`,
                  ),
                  maxLatency: Duration.millis(
                    (fn.timeout.toMilliseconds() * thresholds.durationPercentOfTimeout) / 100,
                  ),
                },
              },
              ...(typeof reserved.reservedConcurrentExecutions === 'number' && reserved.reservedConcurrentExecutions > 0
                ? {
                    addConcurrentExecutionsCountAlarm: {
                      warning: {
                        ...standard(
                          `${name}-concurrency`,
                          'function-concurrency',
                          'warning',
                          `Function ${fn.node.path} nears its reserved concurrency.`,
                          `${fn.node.path} concurrency > ${thresholds.concurrencyPercentOfReserved}% of reserved`,
                        ),
                        maxRunningTasks: Math.max(
                          1,
                          Math.floor(
                            (reserved.reservedConcurrentExecutions * thresholds.concurrencyPercentOfReserved) / 100,
                          ),
                        ),
                      },
                    },
                  }
                : {}),
            }
          : {}),
      });
      facade.monitorSqsQueue({
        queue: fn.deadLetterQueue,
        alarmFriendlyName: `${this.prefix}-${name}-dlq`,
        addQueueMaxSizeAlarm: {
          warning: {
            ...standard(
              `${name}-dlq-not-empty`,
              'function-dlq-not-empty',
              'warning',
              `Failed asynchronous invocations of ${fn.node.path} are waiting.`,
              `${fn.node.path} dead-letter queue holds messages`,
            ),
            maxMessageCount: 0,
          },
        },
      });
    }

    facade.monitorSqsQueue({
      queue: this.routing.undelivered,
      alarmFriendlyName: `${this.prefix}-alerts-undelivered`,
      addQueueMaxSizeAlarm: {
        warning: {
          ...standard(
            'alerts-undelivered',
            'alerts-undelivered',
            'warning',
            "SNS could not deliver an alert to the owner team's on-call or ticket endpoint.",
            'undelivered-alerts queue holds messages',
          ),
          maxMessageCount: 0,
        },
      },
    });

    for (const table of service.tables) {
      const name = this.resourceName(table);
      facade.monitorDynamoTable({
        table,
        alarmFriendlyName: `${this.prefix}-${name}`,
        addReadThrottledEventsCountAlarm: {
          warning: {
            ...standard(
              `${name}-read-throttles`,
              'table-read-throttles',
              'warning',
              `Table ${table.node.path} throttles reads.`,
              `${table.node.path} read throttle events`,
            ),
            maxThrottledEventsThreshold: 0,
          },
        },
        addWriteThrottledEventsCountAlarm: {
          warning: {
            ...standard(
              `${name}-write-throttles`,
              'table-write-throttles',
              'warning',
              `Table ${table.node.path} throttles writes.`,
              `${table.node.path} write throttle events`,
            ),
            maxThrottledEventsThreshold: 0,
          },
        },
        addSystemErrorCountAlarm: {
          critical: {
            ...standard(
              `${name}-system-errors`,
              'table-system-errors',
              'critical',
              `DynamoDB fails requests to ${table.node.path}.`,
              `${table.node.path} system errors`,
            ),
            maxErrorCount: 0,
          },
        },
      });
    }

    const created = new Map(facade.createdAlarms().map((a) => [a.alarmName, a.alarm]));
    for (const entry of expected) {
      const alarm = created.get(this.alarmName(entry.slug, entry.severity));
      if (!alarm)
        throw new Error(`cdk-monitoring-constructs did not create ${this.alarmName(entry.slug, entry.severity)}`);
      this.register(alarm, { ...entry, kind: 'standard', file: STANDARD_RUNBOOK_FILE });
    }
  }

  /** A resource's kebab-case name inside the service: `Service/ReceiptKey/Rotator` is `receiptkey-rotator`. */
  private resourceName(resource: Construct): string {
    return resource.node.path
      .slice(this.service.node.path.length + 1)
      .split('/')
      .join('-')
      .toLowerCase();
  }

  /** Synth-time checks: runbook links, unique names, functions added after the monitoring. */
  private problems(): string[] {
    const problems: string[] = [];
    const checker = this.registry.runbookChecker(this.runbooks.directory);
    for (const entry of this.alarms) {
      const problem = checker.problem(entry.runbook.file, entry.runbook.anchor);
      if (problem) problems.push(`alarm ${entry.name}: ${problem}.`);
    }
    const uses = this.registry.alarmNameUses();
    for (const entry of this.alarms) {
      if ((uses.get(entry.name) ?? 0) > 1) {
        problems.push(
          `alarm name ${entry.name} is used by more than one alarm in the app; give one of them another slug.`,
        );
      }
    }
    for (const fn of this.service.functions) {
      if (!this.monitoredFunctions.has(fn)) {
        problems.push(
          `function ${fn.node.path} was added after ${this.node.path} was created, so it has no standard alarms; create the monitoring after the service's functions.`,
        );
      }
    }
    return problems;
  }
}

function pascal(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function checkStandardThresholds(where: string, thresholds: StandardAlarmThresholds): void {
  const problems = standardThresholdProblems(thresholds, (field) => `${where} standardThresholds.${field}`);
  if (problems.length > 0) throw new KeelValidationError(`Invalid standard alarm thresholds on ${where}:`, problems);
}

/** What is wrong with standard alarm thresholds, each problem placed by `where(field)`. */
export function standardThresholdProblems(
  thresholds: Partial<StandardAlarmThresholds>,
  where: (field: keyof StandardAlarmThresholds) => string,
): Problem[] {
  const problems: Problem[] = [];
  const percent = (field: 'api5xxPercent' | 'durationPercentOfTimeout' | 'concurrencyPercentOfReserved') => {
    const value = thresholds[field];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0 || value > 100)) {
      problems.push({
        where: where(field),
        what: `${value} is not a percentage in (0, 100]`,
        fix: 'use e.g. 1 for 1%',
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
  count('functionErrors');
  count('functionThrottles');
  const latency = thresholds.apiP99Latency;
  if (latency !== undefined && !(latency.toMilliseconds() > 0)) {
    problems.push({ where: where('apiP99Latency'), what: 'is not above 0', fix: 'use e.g. Duration.seconds(3)' });
  }
  return problems;
}

function checkFinite(where: string, field: string, value: number): void {
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

/**
 * Every ServiceMonitoring of one app, so that synth checks alarm names across the app and reads each runbook file
 * once, instead of once per monitored stack. One per app, as a child of the app's root.
 */
class MonitoringRegistry extends Construct {
  public static of(scope: Construct): MonitoringRegistry {
    const root = scope.node.root as Construct;
    const found = root.node.tryFindChild(MonitoringRegistry.ID);
    return found instanceof MonitoringRegistry ? found : new MonitoringRegistry(root, MonitoringRegistry.ID);
  }

  private static readonly ID = 'KeelServiceMonitoringRegistry';
  public readonly monitors: ServiceMonitoring[] = [];
  private readonly checkers = new Map<string, RunbookChecker>();
  private uses?: Map<string, number>;

  /** One checker per runbooks directory: each file is read and parsed once per synth. */
  public runbookChecker(directory: string): RunbookChecker {
    let checker = this.checkers.get(directory);
    if (!checker) this.checkers.set(directory, (checker = new RunbookChecker(directory)));
    return checker;
  }

  /** How many alarms of the app use each name; counted once, when synth validates (all alarms exist by then). */
  public alarmNameUses(): ReadonlyMap<string, number> {
    if (!this.uses) {
      this.uses = new Map();
      for (const entry of this.monitors.flatMap((m) => m.alarms)) {
        this.uses.set(entry.name, (this.uses.get(entry.name) ?? 0) + 1);
      }
    }
    return this.uses;
  }
}
