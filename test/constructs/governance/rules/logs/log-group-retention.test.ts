import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from '../../../../../constructs';
import { LogGroupRetention } from '../../../../../constructs/governance/rules/logs/log-group-retention';
import { testStack } from '../../../../helpers/app';

test('a log group with a retention period complies', () => {
  const group = new logs.LogGroup(testStack(), 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  expect(LogGroupRetention(group.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.COMPLIANT);
});

test('fails when a log group keeps its events forever', () => {
  const group = new logs.LogGroup(testStack(), 'Logs', {
    retention: logs.RetentionDays.INFINITE,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  expect(LogGroupRetention(group.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.NON_COMPLIANT);
});
