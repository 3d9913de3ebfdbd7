import { Aspects, AspectPriority, Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, type IConstruct } from 'constructs';
import { handlerEntryOf } from '../service/bundling';
import { keelNames } from '../naming';
import { KeelValidationError, problemsToMessages } from '../errors';
import type { IMonitoredService } from '../service/monitored-service';
import type { ProductionService } from '../service/production-service';
import { ServiceFunction } from '../service/service-function';
import {
  duplicateAlarmNameProblems,
  KeelAlarmFactory,
  type IKeelAlarmFactory,
  type RegisteredAlarm,
} from './alarm-factory';
import {
  DEFAULT_ALARM_PERIOD,
  requireFinite,
  type AnomalyAlarmOptions,
  type HeartbeatAlarmOptions,
  type RatioAlarmOptions,
  type ThresholdAlarmOptions,
} from './alarm-options';
import { AlertRouting } from './alert-routing';
import { anomalyOperator, guardedThresholdMetric, ratioExpression } from './business-alarm-metrics';
import { businessMetricSetProblems, type BusinessMetric, type BusinessMetricSet } from './business-metric';
import { RunbookChecker, type RunbookLocation } from './runbooks';
import { ServiceDashboard } from './service-dashboard';
import { ServiceLevelObjective, type ServiceLevelObjectiveProps } from './service-level-objective';
import {
  buildStandardAlarms,
  DEFAULT_STANDARD_THRESHOLDS,
  STANDARD_ALARM_SOURCES,
  standardThresholdProblems,
  type StandardAlarmScope,
  type StandardAlarmSource,
  type StandardAlarmThresholds,
} from './standard-alarms';

const SERVICE_MONITORING = Symbol.for('keel.ServiceMonitoring');

/**
 * What emits business metrics: a ServiceFunction, or a construct whose code Keel knows (a ProductionContainerService,
 * whose app's main file it registered with `registerHandlerEntry`).
 */
export type MetricEmitter = ServiceFunction | IConstruct;

/** A set of business metrics and the functions (or container services) said to emit them (`addBusinessMetrics`). */
export interface BusinessMetricEmitters {
  readonly metrics: BusinessMetricSet;
  readonly functions: readonly MetricEmitter[];
}

export interface ServiceMonitoringProps<S extends IMonitoredService = ProductionService> {
  /**
   * The service to monitor: a ProductionService or a ProductionContainerService. Its functions, tables and routes
   * may be added before or after the monitoring.
   */
  readonly service: S;
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
  /**
   * Where the standard alarms come from: each source turns the service's resources into alarms. A team adds its own
   * with `standardAlarmSources: [...STANDARD_ALARM_SOURCES, mySource]`.
   * @default STANDARD_ALARM_SOURCES
   */
  readonly standardAlarmSources?: readonly StandardAlarmSource[];
}

/**
 * Watches a service (ProductionService or ProductionContainerService): standard alarms on everything it created
 * (through cdk-monitoring-constructs), alarms on business metrics, SLO burn-rate alarms, and a `health` composite
 * that is in ALARM whenever any critical alarm is: the rollback signal. Critical alarms page the owner's on-call, warnings open a ticket, both
 * on ALARM and OK. Every alarm is named `<service>-<env>-<slug>-<severity>` and links its runbook section;
 * synth checks that section exists with every required heading.
 *
 * The standard alarms are built just in time, when synth runs (as CDK Pipelines builds its pipeline), from the
 * service's resources as they are then: a function, table or route added after the monitoring is watched like one
 * added before it.
 */
export class ServiceMonitoring<S extends IMonitoredService = ProductionService> extends Construct {
  /** True for a ServiceMonitoring, also one built by another copy of this library. */
  public static isServiceMonitoring(x: unknown): x is ServiceMonitoring<IMonitoredService> {
    return typeof x === 'object' && x !== null && SERVICE_MONITORING in x;
  }

  public readonly service: S;
  public readonly routing: AlertRouting;
  /** The composite alarm that is in ALARM whenever any critical alarm of the service is. */
  public readonly health: cloudwatch.CompositeAlarm;
  /** `<service>-<env>-health-critical`: the pipeline's entry checks and gates watch it. */
  public readonly healthAlarmName: string;
  /** Every alarm name of the service starts with it. */
  public readonly alarmPrefix: string;
  /** Business metrics and SLOs first, then technical widgets, then every alarm's state. */
  public readonly dashboard: ServiceDashboard;
  /** Names, describes, routes and registers the service's alarms; team constructs add theirs through it. */
  public readonly alarmFactory: IKeelAlarmFactory;
  private readonly factory: KeelAlarmFactory;
  private readonly metricList: BusinessMetric[] = [];
  private readonly emitterList: BusinessMetricEmitters[] = [];
  private readonly objectiveList: ServiceLevelObjective[] = [];
  private readonly runbooks: RunbookLocation;
  private readonly thresholds: StandardAlarmThresholds;
  private readonly standardAlarmSources: readonly StandardAlarmSource[];
  /** What the standard alarms were built from, once built. */
  private builtFrom?: { functions: number; tables: number; routed: number };

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps<S>) {
    super(scope, id);
    Object.defineProperty(this, SERVICE_MONITORING, { value: true });
    this.service = props.service;
    this.runbooks = props.runbooks;
    const { serviceName, environment } = props.service;
    this.alarmPrefix = keelNames.alarmPrefix(serviceName, environment);
    this.thresholds = { ...DEFAULT_STANDARD_THRESHOLDS, ...props.standardThresholds };
    checkStandardThresholds(this.node.path, this.thresholds);
    this.standardAlarmSources = props.standardAlarmSources ?? STANDARD_ALARM_SOURCES;
    this.routing = new AlertRouting(this, 'Routing', {
      name: props.service.qualifiedName,
      key: props.service.key,
      onCallEndpoint: props.onCallEndpoint,
      ticketEndpoint: props.ticketEndpoint,
    });
    this.factory = new KeelAlarmFactory({
      scope: this,
      serviceName,
      environment,
      runbooks: props.runbooks,
      runbookFile: props.runbookFile ?? `${serviceName}.md`,
      topics: this.routing.topics,
    });
    this.alarmFactory = this.factory;
    this.health = this.createHealth();
    this.healthAlarmName = keelNames.healthAlarm(serviceName, environment);
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: keelNames.dashboard(serviceName, environment),
      content: this,
    });
    Aspects.of(this).add({ visit: () => this.buildStandardAlarms() }, { priority: AspectPriority.MUTATING });
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** Every alarm: the standard ones (once built, at synth) first, then the others in the order they were added. */
  public get alarms(): readonly RegisteredAlarm[] {
    return this.factory.alarms;
  }

  /** The business metrics functions of the service emit. */
  public get businessMetrics(): readonly BusinessMetric[] {
    return this.metricList;
  }

  /** Each set of business metrics with the functions said to emit it, as `addBusinessMetrics` got them. */
  public get businessMetricEmitters(): readonly BusinessMetricEmitters[] {
    return this.emitterList;
  }

  public get objectives(): readonly ServiceLevelObjective[] {
    return this.objectiveList;
  }

  /** `<service>-<env>-<slug>-<severity>`. */
  public alarmName(slug: string, severity: 'critical' | 'warning'): string {
    return this.factory.alarmName(slug, severity);
  }

  /**
   * Builds the standard alarms from the service's resources as they are now; synth calls it. Call it yourself only
   * to read the standard alarms before synth: resources added after that are reported at synth, not watched.
   */
  public buildStandardAlarms(): void {
    if (this.builtFrom) return;
    const service = this.service;
    this.builtFrom = {
      functions: service.functions.length,
      tables: service.tables.length,
      routed: service.routedFunctions.size,
    };
    const scope: StandardAlarmScope = {
      ...(service.api ? { api: service.api } : {}),
      ...(service.container ? { container: service.container } : {}),
      stage: service.environment,
      functions: service.functions,
      routedFunctions: service.routedFunctions,
      tables: service.tables,
      undeliveredAlerts: this.routing.undelivered,
      thresholds: this.thresholds,
      prefix: service.qualifiedName,
      resourceName: (resource) =>
        resource.node.path
          .slice(service.node.path.length + 1)
          .split('/')
          .join('-')
          .toLowerCase(),
    };
    const targets = this.standardAlarmSources.flatMap((source) => source(scope));
    buildStandardAlarms(this, this.factory, scope.prefix, targets);
  }

  /**
   * Declares that `functions` emit the metrics of `metrics`; alarms may only watch metrics declared here, so a
   * metric that nothing emits cannot be alarmed on in silence. `addEmittedMetricCheck` (metric-emission.ts) then
   * checks, at synth, that the functions' handlers do emit each metric an alarm watches.
   */
  public addBusinessMetrics(metrics: BusinessMetricSet, emittedBy: readonly MetricEmitter[]): void {
    const problems = businessMetricSetProblems(this.node.path, this.service.serviceName, metrics, emittedBy.length);
    for (const emitter of emittedBy.filter((e) => !(e instanceof ServiceFunction) && !handlerEntryOf(e))) {
      problems.push({
        where: `${this.node.path} addBusinessMetrics`,
        what: `${emitter.node.path} is neither a ServiceFunction nor a construct whose code Keel knows, so nothing can check that it emits the metrics`,
        fix: 'pass the ServiceFunctions or the ProductionContainerService whose code emits them',
      });
    }
    if (problems.length > 0) throw new KeelValidationError(`Invalid business metrics on ${this.node.path}:`, problems);
    this.metricList.push(...Object.values(metrics));
    this.emitterList.push({ metrics, functions: [...emittedBy] });
  }

  /** The CloudWatch metric of a business metric, as its handler emits it. */
  public metric(metric: BusinessMetric, period: Duration = DEFAULT_ALARM_PERIOD): cloudwatch.Metric {
    if (!this.metricList.includes(metric)) {
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
    const objective = new ServiceLevelObjective(this, id, { ...props, alarms: this.alarmFactory });
    this.objectiveList.push(objective);
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
    requireFinite(where, 'threshold', threshold);
    const period = options.period ?? DEFAULT_ALARM_PERIOD;
    const value = this.metric(metric, period);
    let watched: cloudwatch.IMetric = value;
    if (options.minSamples !== undefined) {
      requireFinite(where, 'minSamples', options.minSamples);
      const label = `${metric.name} (${metric.statistic}, at least ${options.minSamples} samples)`;
      watched = guardedThresholdMetric(value, threshold, options.minSamples, label);
    }
    return this.alarmFactory.createAlarm(watched, options, 'threshold', {
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
    requireFinite(where, 'above', options.above);
    if (options.above <= 0 || options.above > 1) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        { where: `${where} above`, what: `${options.above} is not a fraction in (0, 1]`, fix: 'write 5% as 0.05' },
      ]);
    }
    const minSamples = options.minSamples ?? 10;
    requireFinite(where, 'minSamples', minSamples);
    const period = options.period ?? DEFAULT_ALARM_PERIOD;
    const expression = ratioExpression(
      this.metric(numerator, period),
      this.metric(denominator, period),
      minSamples,
      period,
      `${numerator.name} / ${denominator.name}`,
    );
    return this.alarmFactory.createAlarm(expression, options, 'ratio', {
      threshold: options.above,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      watches: `${numerator.name} / ${denominator.name} > ${options.above} (at least ${minSamples} ${denominator.name})`,
    });
  }

  /** Alarms when a business metric leaves CloudWatch's anomaly detection band. */
  public addAnomalyAlarm(metric: BusinessMetric, options: AnomalyAlarmOptions): cloudwatch.AnomalyDetectionAlarm {
    const where = `${this.node.path} alarm ${options.slug}`;
    requireFinite(where, 'bandWidth', options.bandWidth);
    if (options.bandWidth <= 0) {
      throw new KeelValidationError(`Invalid alarm on ${this.node.path}:`, [
        {
          where,
          what: `band width ${options.bandWidth} is not above 0`,
          fix: 'use a width in standard deviations, e.g. 2',
        },
      ]);
    }
    const props = this.factory.alarmProps(options);
    const alarm = new cloudwatch.AnomalyDetectionAlarm(this, this.factory.claimConstructId(options), {
      metric: this.metric(metric, options.period ?? DEFAULT_ALARM_PERIOD),
      stdDevs: options.bandWidth,
      comparisonOperator: anomalyOperator(options.direction),
      ...props,
    });
    this.factory.routeAndRegister(
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
    return this.alarmFactory.createAlarm(
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

  /** Any critical alarm in ALARM puts the service's health in ALARM; the rule is rendered at synth, so all count. */
  private createHealth(): cloudwatch.CompositeAlarm {
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
    const health = new cloudwatch.CompositeAlarm(this, 'Health', {
      compositeAlarmName: this.alarmName('health', 'critical'),
      alarmDescription: this.factory.alarmDescription(
        'Some critical alarm of the service is firing: the rollback signal.',
        'health',
      ),
      alarmRule: criticalRule,
    });
    this.factory.register(health, {
      slug: 'health',
      severity: 'critical',
      kind: 'health',
      watches: 'every critical alarm',
    });
    return health;
  }

  /** Synth-time checks: runbook links, names used twice, resources added after the standard alarms were built. */
  private problems(): string[] {
    const problems: string[] = [];
    const checker = new RunbookChecker(this.runbooks.directory);
    for (const entry of this.alarms) {
      const problem = checker.problem(entry.runbook.file, entry.runbook.anchor);
      if (problem) problems.push(`alarm ${entry.name}: ${problem}.`);
    }
    problems.push(...duplicateAlarmNameProblems(this.alarms.map((a) => a.name)));
    const built = this.builtFrom;
    const service = this.service;
    if (
      built &&
      (built.functions !== service.functions.length ||
        built.tables !== service.tables.length ||
        built.routed !== service.routedFunctions.size)
    ) {
      problems.push(
        ...problemsToMessages([
          {
            where: service.node.path,
            what: `got functions, tables or routes after the standard alarms of ${this.node.path} were built, so they have no standard alarms`,
            fix: 'call buildStandardAlarms() only after the service is complete, or leave it to synth',
          },
        ]),
      );
    }
    return problems;
  }
}

/**
 * Refuses, at synth, an alarm name that two monitored services of the app both use (each ServiceMonitoring refuses
 * its own duplicates). lib/platform.ts adds it to the app; add it to any app you build yourself.
 */
export function addAlarmNameCheck(app: IConstruct): void {
  app.node.addValidation({
    validate: () =>
      duplicateAlarmNameProblems(
        app.node
          .findAll()
          .filter(ServiceMonitoring.isServiceMonitoring)
          .flatMap((monitoring) => [...new Set(monitoring.alarms.map((a) => a.name))]),
      ),
  });
}

function checkStandardThresholds(where: string, thresholds: StandardAlarmThresholds): void {
  const problems = standardThresholdProblems(thresholds, (field) => `${where} standardThresholds.${field}`);
  if (problems.length > 0) throw new KeelValidationError(`Invalid standard alarm thresholds on ${where}:`, problems);
}
