import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Duration } from 'aws-cdk-lib';
import type { AnomalyAlarmOptions } from './alarm-options';

/**
 * `value`, except that a period with fewer than `minSamples` data points takes `threshold` itself: never breaching
 * in either direction.
 */
export function guardedThresholdMetric(
  value: cloudwatch.Metric,
  threshold: number,
  minSamples: number,
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(FILL(samples, 0) >= ${minSamples}, value, ${threshold})`,
    usingMetrics: { value, samples: value.with({ statistic: 'SampleCount' }) },
    period: value.period,
    label,
  });
}

/** numerator ÷ denominator, both summed, judged only when the denominator has at least `minSamples`, else 0. */
export function ratioExpression(
  numerator: cloudwatch.Metric,
  denominator: cloudwatch.Metric,
  minSamples: number,
  period: Duration,
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(FILL(d, 0) >= ${minSamples}, FILL(n, 0) / d, 0)`,
    usingMetrics: { n: numerator.with({ statistic: 'Sum' }), d: denominator.with({ statistic: 'Sum' }) },
    period,
    label,
  });
}

/** The comparison of an anomaly band alarm that breaches on `direction`'s side. */
export function anomalyOperator(direction: AnomalyAlarmOptions['direction']): cloudwatch.ComparisonOperator {
  return {
    above: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
    below: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
    outside: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
  }[direction];
}
