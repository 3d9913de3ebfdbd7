// Pure definitions, no aws-cdk-lib: handlers import them at runtime, so this file must stay light.
import { keelNames } from '../naming';
import type { Problem } from '../errors';

/** Units both Powertools Metrics (EMF) and CloudWatch understand. */
export type MetricUnitName = 'Count' | 'None' | 'Milliseconds' | 'Seconds' | 'Percent' | 'Bytes';

/** How a metric is aggregated when alarmed on and graphed. */
export type MetricStatistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'p50' | 'p90' | 'p99';

/** What a service declares about one business metric. */
export interface BusinessMetricSpec {
  /** CloudWatch metric name: 1-255 printable ASCII characters, not starting with ':'. */
  readonly name: string;
  readonly unit: MetricUnitName;
  /** What one data point means, for people reading dashboards and alarms. */
  readonly description: string;
  /** How alarms and graphs aggregate it. */
  readonly statistic: MetricStatistic;
}

/** A business metric, defined once: emitted by handlers through Powertools, alarmed on by constructs. */
export interface BusinessMetric extends BusinessMetricSpec {
  /** The kebab-case service that emits it. */
  readonly service: string;
  /** `Keel/<Service>`. */
  readonly namespace: string;
  /**
   * The dimensions every data point carries. Powertools Metrics adds `service` (POWERTOOLS_SERVICE_NAME) to every
   * metric it emits, so alarms must ask for it too.
   */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A service's set of business metrics, by key. */
export type BusinessMetricSet<K extends string = string> = Readonly<Record<K, BusinessMetric>>;

/**
 * Defines a service's business metrics once, for handlers and constructs alike:
 * `export const ordersMetrics = defineBusinessMetrics('orders', { ordersPlaced: { name: 'OrdersPlaced', ... } })`.
 */
export function defineBusinessMetrics<K extends string>(
  service: string,
  specs: Readonly<Record<K, BusinessMetricSpec>>,
): BusinessMetricSet<K> {
  const namespace = keelNames.metricNamespace(service);
  const entries = Object.entries(specs) as [K, BusinessMetricSpec][];
  return Object.freeze(
    Object.fromEntries(
      entries.map(([key, spec]) => [key, Object.freeze({ ...spec, service, namespace, dimensions: { service } })]),
    ) as unknown as Record<K, BusinessMetric>,
  );
}

/** Why CloudWatch would reject a metric name, or `undefined` when it accepts it. */
export function metricNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.length > 255) return `is ${name.length} characters long; CloudWatch allows 255`;
  if (name.startsWith(':')) return "starts with ':', which CloudWatch rejects";
  if (!/^[\x20-\x7e]+$/.test(name)) return 'has characters outside printable ASCII, which CloudWatch rejects';
  return undefined;
}

/** What is wrong with a service's set of metrics, said to be emitted by `emitterCount` functions. */
export function businessMetricSetProblems(
  where: string,
  serviceName: string,
  metrics: BusinessMetricSet,
  emitterCount: number,
): Problem[] {
  const problems: Problem[] = [];
  for (const metric of Object.values(metrics)) {
    const nameProblem = metricNameProblem(metric.name);
    if (nameProblem) {
      problems.push({
        where: `${where} business metric ${JSON.stringify(metric.name)}`,
        what: `the name ${nameProblem}`,
        fix: 'use 1-255 printable ASCII characters, not starting with a colon, e.g. OrdersPlaced',
      });
    }
    if (metric.service !== serviceName) {
      problems.push({
        where: `${where} business metric ${metric.name}`,
        what: `belongs to service ${metric.service}, not ${serviceName}`,
        fix: `define it with defineBusinessMetrics('${serviceName}', ...)`,
      });
    }
  }
  if (emitterCount === 0) {
    problems.push({
      where: `${where} business metrics`,
      what: 'no function is said to emit them',
      fix: 'pass the functions whose handlers import the metrics, e.g. addBusinessMetrics(metrics, [handler])',
    });
  }
  return problems;
}
