import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from '../../../../../constructs';
import { LogGroupEncryption } from '../../../../../constructs/governance/rules/logs/log-group-encryption';
import { testStack } from '../../../../helpers/app';

test('a log group encrypted with a customer-managed KMS key complies', () => {
  const stack = testStack();
  const group = new logs.LogGroup(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key') });
  expect(LogGroupEncryption(group.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.COMPLIANT);
});

test('a log group whose key ARN is given as a literal complies', () => {
  const group = new logs.CfnLogGroup(testStack(), 'Logs', {
    kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  });
  expect(LogGroupEncryption(group)).toBe(NagRuleCompliance.COMPLIANT);
});

test('fails when a log group has no encryption key', () => {
  const group = new logs.LogGroup(testStack(), 'Logs');
  expect(LogGroupEncryption(group.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.NON_COMPLIANT);
});

test('fails when a log group names a blank encryption key', () => {
  const group = new logs.CfnLogGroup(testStack(), 'Logs', { kmsKeyId: '  ' });
  expect(LogGroupEncryption(group)).toBe(NagRuleCompliance.NON_COMPLIANT);
});

test('does not apply to resources other than log groups', () => {
  const key = new kms.Key(testStack(), 'Key');
  expect(LogGroupEncryption(key.node.defaultChild as kms.CfnKey)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
