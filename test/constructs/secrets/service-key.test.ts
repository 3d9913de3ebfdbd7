import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceKey } from '../../../constructs/secrets/service-key';
import { testStack } from '../../helpers/app';

function keyTemplate(removalPolicy?: RemovalPolicy): Template {
  const stack = testStack();
  new ServiceKey(stack, 'ServiceKey', { serviceName: 'orders', environment: 'dev', removalPolicy });
  return Template.fromStack(stack);
}

/** The key policy statement with this sid. */
function statement(template: Template, sid: string): Record<string, unknown> {
  const [key] = Object.values(template.findResources('AWS::KMS::Key')) as {
    Properties: { KeyPolicy: { Statement: { Sid?: string }[] } };
  }[];
  const found = key.Properties.KeyPolicy.Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`the key policy has no statement ${sid}`);
  return found;
}

describe('a service key', () => {
  const template = keyTemplate();

  test('rotates, describes what it encrypts and is found by the alias alias/<service>-<env>', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: 'Encrypts the data, logs, queues, secrets and alerts of orders-dev',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-dev' });
  });

  test('is kept when its stack is deleted, so the data it encrypted stays readable', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('lets CloudWatch Logs of its own region use it for log groups of its own account only', () => {
    expect(statement(template, 'CloudWatchLogsOfThisAccount')).toEqual({
      Sid: 'CloudWatchLogsOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:*' } },
    });
  });

  test('lets CloudWatch alarms and SNS of its own account use it for encrypted alert topics and queues', () => {
    for (const [sid, service] of [
      ['CloudWatchAlarmsOfThisAccount', 'cloudwatch.amazonaws.com'],
      ['AlertDeliveryOfThisAccount', 'sns.amazonaws.com'],
    ]) {
      expect(statement(template, sid)).toEqual({
        Sid: sid,
        Effect: 'Allow',
        Principal: { Service: service },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      });
    }
  });

  test('lets only AWS services create grants on it (Control Tower CT.KMS.PR.3)', () => {
    expect(statement(template, 'GrantsOnlyForAwsResources')).toEqual({
      Sid: 'GrantsOnlyForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });

  test('grants no other service principal, and leaves every other use to IAM policies of the account', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as {
      Properties: { KeyPolicy: { Statement: { Sid?: string; Principal: unknown }[] } };
    }[];
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements.map((s) => s.Sid ?? 'account root')).toEqual([
      'account root',
      'CloudWatchLogsOfThisAccount',
      'CloudWatchAlarmsOfThisAccount',
      'AlertDeliveryOfThisAccount',
      'GrantsOnlyForAwsResources',
    ]);
    expect(statements[0]).toMatchObject({ Action: 'kms:*', Effect: 'Allow', Resource: '*' });
    expect(JSON.stringify(statements[0].Principal)).toContain(':iam::111111111111:root');
  });
});

test('may be destroyed with its stack when asked for explicitly', () => {
  keyTemplate(RemovalPolicy.DESTROY).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
});
