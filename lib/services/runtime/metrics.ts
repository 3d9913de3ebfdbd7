// Runs inside the Lambda functions, bundled into each: no aws-cdk-lib and no constructs here.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { BusinessMetric } from '../../../constructs/observability/business-metric';

/**
 * Records `value` of a business metric through Powertools Metrics (EMF), under the name and unit the service's
 * metrics.ts defines, so the handler emits what the stack alarms on. Published by `metrics.publishStoredMetrics()`.
 */
export function emit(metrics: Metrics, metric: BusinessMetric, value = 1): void {
  metrics.addMetric(metric.name, metric.unit, value);
}
