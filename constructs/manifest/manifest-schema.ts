/**
 * The shape of `keel-manifest.json`, which synth writes and the `keel` CLI reads. It imports nothing, so the CLI can
 * read the manifest without loading aws-cdk-lib or any construct library.
 */

/** Written into the cloud assembly on every synth; the `keel` CLI reads names here instead of guessing them. */
export const MANIFEST_FILE = 'keel-manifest.json';

/** Bumped on any change a reader could trip over; readers refuse versions they don't know. */
export const MANIFEST_VERSION = 1;

export interface ManifestAlarm {
  readonly name: string;
  readonly severity: 'critical' | 'warning';
  readonly kind: string;
  /** The runbook section's web address. */
  readonly runbook: string;
  /** What it watches, in words. */
  readonly watches: string;
  /** True for an SLO window alarm that only feeds its tier's composite. */
  readonly compositeChild: boolean;
}

export interface ManifestMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit: string;
  readonly statistic: string;
  readonly description: string;
}

/** One metric of a GetMetricData query, as CloudWatch's API spells it. */
export interface ManifestMetricStat {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
}

export interface ManifestObjective {
  readonly slug: string;
  /**
   * The error rate (0 to 1) as metric math over `metrics`, for any period; absent when a dimension is only known at
   * deploy time.
   */
  readonly errorRate?: { readonly expression: string; readonly metrics: Readonly<Record<string, ManifestMetricStat>> };
  readonly kind: 'availability' | 'latency';
  readonly target: number;
  readonly budgetPeriodDays: number;
  /** The tier composites' names. */
  readonly alarms: readonly string[];
}

export interface ManifestService {
  readonly service: string;
  readonly environment: string;
  readonly stackName: string;
  /** Account and region when the stack has them concretely. */
  readonly account?: string;
  readonly region?: string;
  /** The composite in ALARM whenever any critical alarm is: the rollback signal. */
  readonly healthAlarm: string;
  /** Every alarm name starts with it: `DescribeAlarms` by this prefix lists the service's alarms. */
  readonly alarmPrefix: string;
  readonly dashboard: string;
  readonly alarms: readonly ManifestAlarm[];
  readonly metrics: readonly ManifestMetric[];
  readonly objectives: readonly ManifestObjective[];
  /** The pipeline stage that deploys this service and environment, when the app has the service's pipeline. */
  readonly pipeline?: ManifestPipelineStage;
}

/** Where `keel rollback` finds the stage to roll back. */
export interface ManifestPipelineStage {
  readonly name: string;
  readonly stage: string;
  readonly account?: string;
  readonly region?: string;
}

/** `cdk.out/keel-manifest.json`. */
export interface KeelManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly generatedAt: string;
  readonly services: readonly ManifestService[];
}
