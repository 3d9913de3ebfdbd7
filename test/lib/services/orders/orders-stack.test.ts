import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../../../lib/config/load';
import type { EnvironmentName } from '../../../../lib/config/model';
import { OrdersStack } from '../../../../lib/services/orders/orders-stack';
import { repositoryContext, testApp } from '../../../helpers/app';

const config = loadConfig({ context: (key) => repositoryContext[key], env: {} });

function ordersTemplate(environmentName: EnvironmentName): Template {
  const environment = config.environments.find((e) => e.name === environmentName);
  const team = config.teams.find((t) => t.id === 'commerce');
  if (!environment || !team) throw new Error('repository config lacks the orders environment or team');
  const stack = new OrdersStack(testApp(), `Orders-${environmentName}`, {
    env: { account: environment.account, region: environment.region },
    service: config.services[0],
    environment,
    team,
  });
  return Template.fromStack(stack);
}

const dev = ordersTemplate('dev');
const prod = ordersTemplate('prod');

test("encrypts the table, queue, logs and alert topic with the service's rotating key", () => {
  dev.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  dev.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-dev' });
  const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceKey'), 'Arn'] };
  dev.hasResourceProperties('AWS::DynamoDB::Table', {
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  });
  dev.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
  dev.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn, RetentionInDays: 30 });
  dev.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
});

test('runs the handler on the latest Node.js on arm64 with an explicit timeout, JSON logs and a dead-letter queue', () => {
  dev.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Timeout: 10,
    MemorySize: 256,
    LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetters'), 'Arn'] } },
  });
});

test('lets the handler touch only its own log group, table, key and queue, with no wildcard', () => {
  const policies = Object.values(dev.findResources('AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  const statements = (
    policies[0].Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }
  ).PolicyDocument.Statement;
  for (const statement of statements) {
    expect(JSON.stringify(statement.Action)).not.toContain('*');
    expect(statement.Resource).not.toEqual('*');
  }
  dev.resourceCountIs('AWS::IAM::Policy', 0);
});

test('requires IAM authorization and validates every request', () => {
  dev.allResourcesProperties('AWS::ApiGateway::Method', {
    AuthorizationType: 'AWS_IAM',
    RequestValidatorId: Match.anyValue(),
  });
  dev.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
    ValidateRequestBody: true,
    ValidateRequestParameters: true,
  });
  dev.hasResourceProperties('AWS::ApiGateway::Stage', {
    StageName: 'dev',
    TracingEnabled: true,
    AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
  });
});

test('protects prod data harder than dev: deletion protection, longer log retention, reserved concurrency', () => {
  prod.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  dev.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  prod.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  prod.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 50 });
  prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});

test("pages the owner team's on-call endpoint from the alert topic", () => {
  dev.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'commerce-oncall@example.com' });
});
