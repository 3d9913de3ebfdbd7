import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  anomalyOperator,
  guardedThresholdMetric,
  ratioExpression,
} from '../../../constructs/observability/business-alarm-metrics';

const value = new cloudwatch.Metric({ namespace: 'Keel/Shop', metricName: 'OrderValue', period: Duration.minutes(5) });

test('a period with too few samples takes the threshold itself, so it never breaches', () => {
  const guarded = guardedThresholdMetric(value, 100, 10, 'OrderValue (at least 10 samples)');
  expect(guarded.expression).toBe('IF(FILL(samples, 0) >= 10, value, 100)');
  expect((guarded.usingMetrics.samples as cloudwatch.Metric).statistic).toBe('SampleCount');
  expect(guarded.period.toMinutes()).toBe(5);
});

test('a ratio sums both metrics and is judged only on enough of the denominator', () => {
  const requests = new cloudwatch.Metric({ namespace: 'Keel/Shop', metricName: 'OrderRequests' });
  const ratio = ratioExpression(value, requests, 20, Duration.minutes(5), 'failures / requests');
  expect(ratio.expression).toBe('IF(FILL(d, 0) >= 20, FILL(n, 0) / d, 0)');
  expect((ratio.usingMetrics.n as cloudwatch.Metric).statistic).toBe('Sum');
  expect((ratio.usingMetrics.d as cloudwatch.Metric).statistic).toBe('Sum');
});

test('an anomaly band breaches on the side asked for', () => {
  expect(anomalyOperator('above')).toBe(cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD);
  expect(anomalyOperator('below')).toBe(cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD);
  expect(anomalyOperator('outside')).toBe(
    cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
  );
});
