import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { KeelValidationError } from '../errors';
import { keelNames, pascalCase } from '../naming';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide } from '../private/decisions';
import { COMPOSITE_CHILD_METADATA } from '../naming';
import { alarmEvaluation, type AlarmOptions } from './alarm-options';
import type { Severity } from './alert-routing';
import { CallSite } from './call-site';
import { runbookUrl, type RunbookLocation } from './runbooks';

export type AlarmKind = 'threshold' | 'ratio' | 'anomaly' | 'heartbeat' | 'standard' | 'slo' | 'health';

/** What the manifest and the dashboard know about one alarm. */
export interface RegisteredAlarm {
  readonly alarm: cloudwatch.AlarmBase;
  readonly name: string;
  readonly slug: string;
  readonly severity: Severity;
  readonly kind: AlarmKind;
  readonly runbook: { readonly file: string; readonly anchor: string; readonly url: string };
  /** What it watches, in words. */
  readonly watches: string;
  /** True for an alarm that only feeds a composite and notifies no one itself. */
  readonly compositeChild: boolean;
}

/** How a plain alarm compares its metric, and what that means in words. */
export interface AlarmCheck {
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** What it watches, in words, for the manifest and `keel status`. */
  readonly watches: string;
}

/** An alarm made elsewhere (a composite, cdk-monitoring-constructs) as the registry records it. */
export interface AlarmRegistration {
  readonly slug: string;
  readonly severity: Severity;
  readonly kind: AlarmKind;
  readonly watches: string;
  /**
   * The runbook section.
   * @default - the slug
   */
  readonly anchor?: string;
  /**
   * The runbook file.
   * @default - the service's runbook file
   */
  readonly file?: string;
  /**
   * True for an alarm that only feeds a composite.
   * @default false
   */
  readonly compositeChild?: boolean;
}

/**
 * What an SLO, the standard alarms or a team's own construct needs to add alarms to a service the Keel way: its
 * names, runbook descriptions, routing by severity, and one registry the manifest, the dashboard, the health
 * composite and the deployment read.
 */
export interface IKeelAlarmFactory {
  /** Every alarm: the standard ones first, then the others in the order they were added. */
  readonly alarms: readonly RegisteredAlarm[];
  /** `<service>-<env>-<slug>-<severity>`. */
  alarmName(slug: string, severity: Severity): string;
  /** What the alarm means, then `Runbook: <url>` as its last line. */
  alarmDescription(meaning: string, anchor: string, file?: string): string;
  /** A plain CloudWatch alarm with Keel's name, runbook link and routing, registered. */
  createAlarm(
    watched: cloudwatch.IMetric,
    options: AlarmOptions,
    kind: AlarmKind,
    check: AlarmCheck,
    compositeChild?: boolean,
  ): cloudwatch.Alarm;
  /** Records an alarm made elsewhere; a composite that is not a child also notifies its severity's topic. */
  register(alarm: cloudwatch.AlarmBase, registration: AlarmRegistration): void;
}

export interface KeelAlarmFactoryProps {
  /** Where the alarms are created; their construct ids are `<Slug><Severity>` in PascalCase. */
  readonly scope: Construct;
  readonly serviceName: string;
  readonly environment: string;
  readonly runbooks: RunbookLocation;
  /** The service's runbook file in the runbooks directory. */
  readonly runbookFile: string;
  /** The topic each severity notifies, on ALARM and on OK. */
  readonly topics: Readonly<Record<Severity, sns.ITopic>>;
}

/** Keel's alarm factory for one service in one environment. Not a construct: it creates alarms in `scope`. */
export class KeelAlarmFactory implements IKeelAlarmFactory {
  private readonly standard: RegisteredAlarm[] = [];
  private readonly others: RegisteredAlarm[] = [];
  /** Where each alarm built from options was added, by construct id. */
  private readonly claimed = new Map<string, { readonly slug: string; readonly site: CallSite }>();

  constructor(private readonly props: KeelAlarmFactoryProps) {}

  /** The topic each severity notifies. */
  public get topics(): Readonly<Record<Severity, sns.ITopic>> {
    return this.props.topics;
  }

  public get alarms(): readonly RegisteredAlarm[] {
    return [...this.standard, ...this.others];
  }

  public alarmName(slug: string, severity: Severity): string {
    return keelNames.alarm(this.props.serviceName, this.props.environment, slug, severity);
  }

  public alarmDescription(meaning: string, anchor: string, file: string = this.props.runbookFile): string {
    return `${meaning}\n\nRunbook: ${runbookUrl(this.props.runbooks, file, anchor)}`;
  }

  /** Name, description and evaluation of an alarm, from its options. @throws KeelValidationError on bad options */
  public alarmProps(options: AlarmOptions): Omit<cloudwatch.AlarmProps, 'metric' | 'threshold'> {
    return {
      alarmName: this.alarmName(options.slug, options.severity),
      alarmDescription: this.alarmDescription(options.description, options.runbookAnchor ?? options.slug),
      ...alarmEvaluation(this.props.scope.node.path, options),
    };
  }

  /** The construct id of an alarm with these options. */
  public constructId(options: AlarmOptions): string {
    return pascalCase(`${options.slug}-${options.severity}`);
  }

  /**
   * The construct id of a new alarm with these options, recording where the user's code added it.
   * @throws KeelValidationError naming both call sites when the service already has an alarm with this slug and severity
   */
  public claimConstructId(options: AlarmOptions): string {
    const id = this.constructId(options);
    const here = new CallSite();
    const first = this.claimed.get(id);
    if (first) {
      const { scope, serviceName } = this.props;
      const same = first.slug === options.slug ? '' : ` (slug '${options.slug}' has the same construct id, ${id})`;
      throw new KeelValidationError(`Invalid alarm on ${scope.node.path}:`, [
        {
          where: `${scope.node.path} alarm ${options.slug} (${options.severity})`,
          what: `service ${serviceName} already has an alarm with slug '${first.slug}' and severity ${options.severity}${same}, added at ${first.site.describe()}; this one is added at ${here.describe()}. Both would be named ${this.alarmName(first.slug, options.severity)}`,
          fix: 'give one of the two alarms another slug (and its runbook section that name), or remove one of them',
        },
      ]);
    }
    this.claimed.set(id, { slug: options.slug, site: here });
    return id;
  }

  public createAlarm(
    watched: cloudwatch.IMetric,
    options: AlarmOptions,
    kind: AlarmKind,
    check: AlarmCheck,
    compositeChild = false,
  ): cloudwatch.Alarm {
    const props = this.alarmProps(options);
    const alarm = new cloudwatch.Alarm(this.props.scope, this.claimConstructId(options), {
      metric: watched,
      threshold: check.threshold,
      comparisonOperator: check.comparisonOperator,
      ...props,
    });
    this.routeAndRegister(alarm, options, kind, check.watches, compositeChild);
    return alarm;
  }

  /** Sends a metric alarm built from `options` to its severity's topic (or marks it a composite child), and records it. */
  public routeAndRegister(
    alarm: cloudwatch.Alarm,
    options: AlarmOptions,
    kind: AlarmKind,
    watches: string,
    compositeChild = false,
  ): void {
    if (compositeChild) {
      alarm.node.addMetadata(COMPOSITE_CHILD_METADATA, true);
      decide(alarm, DECISIONS.compositeChildWithoutActions, DEFAULT_DECISION_OWNER);
    } else {
      this.notify(alarm, options.severity);
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

  public register(alarm: cloudwatch.AlarmBase, registration: AlarmRegistration): void {
    const file = registration.file ?? this.props.runbookFile;
    const anchor = registration.anchor ?? registration.slug;
    if (alarm instanceof cloudwatch.CompositeAlarm && !registration.compositeChild) {
      this.notify(alarm, registration.severity);
    }
    const entry: RegisteredAlarm = {
      alarm,
      name: this.alarmName(registration.slug, registration.severity),
      slug: registration.slug,
      severity: registration.severity,
      kind: registration.kind,
      runbook: { file, anchor, url: runbookUrl(this.props.runbooks, file, anchor) },
      watches: registration.watches,
      compositeChild: registration.compositeChild ?? false,
    };
    (registration.kind === 'standard' ? this.standard : this.others).push(entry);
  }

  private notify(alarm: cloudwatch.AlarmBase, severity: Severity): void {
    const topic = this.props.topics[severity];
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
  }
}

/** One problem per alarm name used more than once in `names`. */
export function duplicateAlarmNameProblems(names: readonly string[]): string[] {
  const uses = new Map<string, number>();
  for (const name of names) uses.set(name, (uses.get(name) ?? 0) + 1);
  return [...uses]
    .filter(([, count]) => count > 1)
    .map(([name]) => `alarm name ${name} is used by more than one alarm in the app; give one of them another slug.`);
}
