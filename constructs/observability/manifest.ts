import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ServiceMonitoring } from './service-monitoring';

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

export interface ManifestObjective {
  readonly slug: string;
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
}

/** `cdk.out/keel-manifest.json`. */
export interface KeelManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly generatedAt: string;
  readonly services: readonly ManifestService[];
}

/** Describes every monitored service of the app. */
export function buildManifest(root: IConstruct, now: Date = new Date()): KeelManifest {
  const monitors = root.node.findAll().filter((c): c is ServiceMonitoring => c instanceof ServiceMonitoring);
  return {
    version: MANIFEST_VERSION,
    generatedAt: now.toISOString(),
    services: monitors.map((monitoring) => {
      const stack = Stack.of(monitoring);
      const concrete = (value: string) => (/^\$\{Token/.test(value) ? undefined : value);
      const health = monitoring.alarms.find((a) => a.kind === 'health');
      return {
        service: monitoring.service.serviceName,
        environment: monitoring.service.environment,
        stackName: stack.stackName,
        ...(concrete(stack.account) ? { account: stack.account } : {}),
        ...(concrete(stack.region) ? { region: stack.region } : {}),
        healthAlarm: health?.name ?? '',
        alarmPrefix: `${monitoring.service.serviceName}-${monitoring.service.environment}-`,
        dashboard: monitoring.dashboard.dashboardName,
        alarms: monitoring.alarms.map((a) => ({
          name: a.name,
          severity: a.severity,
          kind: a.kind,
          runbook: a.runbook.url,
          watches: a.watches,
          compositeChild: a.compositeChild,
        })),
        metrics: monitoring.businessMetrics.map((m) => ({
          namespace: m.namespace,
          name: m.name,
          dimensions: m.dimensions,
          unit: m.unit,
          statistic: m.statistic,
          description: m.description,
        })),
        objectives: monitoring.objectives.map((slo) => ({
          slug: slo.slug,
          kind: slo.indicator.kind,
          target: slo.target,
          budgetPeriodDays: slo.budgetPeriod.toDays(),
          alarms: monitoring.alarms
            .filter((a) => (slo.composites as readonly unknown[]).includes(a.alarm))
            .map((a) => a.name),
        })),
      };
    }),
  };
}

/** Writes the manifest into the assembly directory and returns its path. */
export function writeManifest(root: IConstruct, outdir: string, now?: Date): string {
  const file = path.join(outdir, MANIFEST_FILE);
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(buildManifest(root, now), undefined, 2)}\n`);
  return file;
}
