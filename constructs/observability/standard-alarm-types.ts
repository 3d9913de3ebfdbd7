import type { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { MonitoringFacade } from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import type { MonitoredContainer } from '../service/monitored-service';
import type { ServiceFunction } from '../service/service-function';
import type { Severity } from './alert-routing';

// The shapes of the standard alarms, apart from their sources so that a source in another file (container-alarms.ts)
// and the list of sources (standard-alarms.ts) need not import each other. standard-alarms.ts re-exports them.

/** Thresholds of the standard alarms on every resource a ProductionService or ProductionContainerService creates. */
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
  /** A container service's average CPU utilization, percent of what its tasks reserve (warning). */
  readonly containerCpuPercent: number;
  /** A container service's average memory utilization, percent of what its tasks reserve (warning). */
  readonly containerMemoryPercent: number;
}

/** One standard alarm: Keel's name, meaning and runbook section, and the cdk-monitoring-constructs alarm behind it. */
export interface StandardAlarmSpec {
  /** Kebab-case; the alarm is `<service>-<env>-<slug>-<severity>`. */
  readonly slug: string;
  /** Its section in `file`. */
  readonly anchor: string;
  readonly severity: Severity;
  /** What it means, the first line of its description. */
  readonly meaning: string;
  /** What it watches, in words. */
  readonly watches: string;
  /**
   * The `add…Alarm` prop of the target's cdk-monitoring-constructs call, e.g. `addFaultCountAlarm`; for a metric the
   * library has no such prop for, any key the target's `monitor` reads the alarm under (`monitorCustom`'s `addAlarm`).
   */
  readonly alarm: string;
  /** The threshold fields of that alarm, e.g. `{ maxErrorCount: 5 }`. */
  readonly threshold: Readonly<Record<string, unknown>>;
  /**
   * The runbook file.
   * @default STANDARD_RUNBOOK_FILE
   */
  readonly file?: string;
}

/** One monitored resource and its standard alarms. */
export interface StandardAlarmTarget {
  /** Calls cdk-monitoring-constructs for the resource with `alarms` (the `add…Alarm` props, by `alarm`) spread in. */
  readonly monitor: (facade: MonitoringFacade, alarms: Record<string, unknown>) => void;
  readonly specs: readonly StandardAlarmSpec[];
}

/** What a standard alarm source sees of the service: its resources as they are when synth builds the alarms. */
export interface StandardAlarmScope {
  /**
   * The service's REST API.
   * @default - none: the service has no API Gateway API
   */
  readonly api?: apigateway.RestApi;
  /**
   * The service's load-balanced containers.
   * @default - none: the service runs no containers
   */
  readonly container?: MonitoredContainer;
  /** The API's stage name: the environment. */
  readonly stage: string;
  readonly functions: readonly ServiceFunction[];
  /** The functions behind routes: their failures are the users' failures. */
  readonly routedFunctions: ReadonlySet<ServiceFunction>;
  readonly tables: readonly dynamodb.ITable[];
  /** Alerts SNS could not deliver. */
  readonly undeliveredAlerts: sqs.IQueue;
  readonly thresholds: StandardAlarmThresholds;
  /** `<service>-<env>`: cdk-monitoring-constructs' friendly names start with it. */
  readonly prefix: string;
  /** A resource's kebab-case name inside the service: `Service/ReceiptKey/Rotator` is `receiptkey-rotator`. */
  resourceName(resource: Construct): string;
}

/** Turns a service's resources into monitored targets; a team adds its own to `standardAlarmSources`. */
export type StandardAlarmSource = (scope: StandardAlarmScope) => StandardAlarmTarget[];
