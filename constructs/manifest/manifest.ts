import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ServicePipeline } from '../delivery/service-pipeline';
import { concreteLocation } from '../private/location';
import type { ServiceLevelObjective } from '../observability/service-level-objective';
import { ServiceMonitoring } from '../observability/service-monitoring';
import {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  type KeelManifest,
  type ManifestObjective,
  type ManifestMetricStat,
  type ManifestService,
} from './manifest-schema';

/**
 * Describes every monitored service of the app. Synth has built the standard alarms by the time lib/synth.ts writes
 * it; called earlier (tests), it builds them from the resources as they are.
 */
export function buildManifest(root: IConstruct, now: Date = new Date()): KeelManifest {
  const all = root.node.findAll();
  const monitors = all.filter(ServiceMonitoring.isServiceMonitoring);
  for (const monitoring of monitors) monitoring.buildStandardAlarms();
  const pipelines = all.filter(ServicePipeline.isServicePipeline);
  const pipelineStage = (service: string, environment: string): Pick<ManifestService, 'pipeline'> => {
    const stage = pipelines.find((p) => p.serviceName === service)?.stages[environment];
    if (!stage) return {};
    const { pipelineName, stageName, ...where } = stage;
    return { pipeline: { name: pipelineName, stage: stageName, ...where } };
  };
  return {
    version: MANIFEST_VERSION,
    generatedAt: now.toISOString(),
    services: monitors.map((monitoring) => {
      const stack = Stack.of(monitoring);
      return {
        service: monitoring.service.serviceName,
        environment: monitoring.service.environment,
        stackName: stack.stackName,
        ...concreteLocation(stack),
        healthAlarm: monitoring.healthAlarmName,
        alarmPrefix: monitoring.alarmPrefix,
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
          ...errorRateQuery(stack, slo),
          kind: slo.indicator.kind,
          target: slo.target,
          budgetPeriodDays: slo.budgetPeriod.toDays(),
          alarms: monitoring.alarms
            .filter((a) => (slo.composites as readonly unknown[]).includes(a.alarm))
            .map((a) => a.name),
        })),
        ...pipelineStage(monitoring.service.serviceName, monitoring.service.environment),
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

/** The SLO's error-rate metric math with concrete metrics, or nothing when a dimension is a deploy-time token. */
function errorRateQuery(stack: Stack, slo: ServiceLevelObjective): Pick<ManifestObjective, 'errorRate'> {
  const { expression, usingMetrics } = slo.indicator.errorRate(Duration.minutes(5));
  const metrics: Record<string, ManifestMetricStat> = {};
  for (const [id, metric] of Object.entries(usingMetrics)) {
    const stat = metric.toMetricConfig().metricStat;
    if (!stat) return {};
    const dimensions: Record<string, string> = {};
    for (const dimension of stat.dimensions ?? []) {
      const value: unknown = stack.resolve(dimension.value);
      if (typeof value !== 'string') return {};
      dimensions[dimension.name] = value;
    }
    const namespace: unknown = stack.resolve(stat.namespace);
    if (typeof namespace !== 'string') return {};
    metrics[id] = { namespace, name: stat.metricName, dimensions, stat: stat.statistic };
  }
  return { errorRate: { expression, metrics } };
}
