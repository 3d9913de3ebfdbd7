import { Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  alarmEvaluation,
  alarmOptionProblems,
  requireFinite,
  type AlarmOptions,
} from '../../../constructs/observability/alarm-options';
import { keelRefusal } from '../../helpers/refusal';

const valid: AlarmOptions = {
  slug: 'orders-stopped',
  severity: 'critical',
  description: 'No order was placed.',
  treatMissingData: cloudwatch.TreatMissingData.BREACHING,
};

test('an alarm evaluates 3 of 3 periods unless told otherwise, and keeps what missing data means', () => {
  expect(alarmEvaluation('Stack/Monitoring', valid)).toEqual({
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'breaching',
  });
  expect(alarmEvaluation('Stack/Monitoring', { ...valid, evaluationPeriods: 5, datapointsToAlarm: 2 })).toMatchObject({
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
  });
});

test('fails with every problem at once: the slug, what missing data means, and M of N', () => {
  const options = {
    ...valid,
    slug: 'Orders Stopped',
    treatMissingData: undefined as unknown as cloudwatch.TreatMissingData,
    evaluationPeriods: 2,
    datapointsToAlarm: 3,
  };
  expect(alarmOptionProblems('Stack/Monitoring alarm x', options).map((p) => p.what)).toEqual([
    'slug "Orders Stopped" is not kebab-case',
    'treatMissingData is not set',
    'datapointsToAlarm 3 of evaluationPeriods 2 is not M of N with 1 ≤ M ≤ N',
  ]);
  const error = keelRefusal(() => alarmEvaluation('Stack/Monitoring', options));
  expect(error.problems).toHaveLength(3);
  expect(error.message).toContain('Invalid alarm on Stack/Monitoring:');
});

test('fails when a number is not finite, and lets a deploy-time token through', () => {
  expect(keelRefusal(() => requireFinite('Stack/Monitoring alarm x', 'above', Number.NaN)).message).toContain(
    'Stack/Monitoring alarm x above: NaN is not a finite number',
  );
  expect(() => requireFinite('x', 'above', Lazy.number({ produce: () => 1 }))).not.toThrow();
});
