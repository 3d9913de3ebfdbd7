import { Match } from 'aws-cdk-lib/assertions';
import { orders } from '../../../../lib/services/orders';
import { serviceTemplate } from '../../../helpers/service-stack';

const dev = serviceTemplate(orders, 'dev');
const prod = serviceTemplate(orders, 'prod');

test('stores orders and idempotency records in two encrypted tables, the latter expiring', () => {
  dev.resourceCountIs('AWS::DynamoDB::Table', 2);
  dev.hasResourceProperties('AWS::DynamoDB::Table', {
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    SSESpecification: Match.objectLike({ SSEType: 'KMS' }),
  });
  dev.hasResourceProperties('AWS::DynamoDB::Table', {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
  });
});

test('serves POST /orders with a body schema and GET /orders/{orderId}, both through the live alias', () => {
  dev.hasResourceProperties('AWS::ApiGateway::Method', {
    HttpMethod: 'POST',
    RequestModels: { 'application/json': Match.anyValue() },
  });
  dev.hasResourceProperties('AWS::ApiGateway::Method', {
    HttpMethod: 'GET',
    RequestParameters: { 'method.request.path.orderId': true },
  });
  dev.hasResourceProperties('AWS::ApiGateway::Model', {
    Schema: Match.objectLike({ required: ['customerId', 'items'] }),
  });
});

test('gives the handler the tables and the name of the receipt key, never its value', () => {
  dev.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        ORDERS_TABLE_NAME: Match.anyValue(),
        IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
        RECEIPT_KEY_SECRET_NAME: Match.anyValue(),
      }),
    },
  });
  dev.hasResourceProperties('AWS::SecretsManager::Secret', {
    GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
    SecretString: Match.absent(),
  });
  dev.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
  });
});

test('protects prod harder than dev: WAF, deletion protection, reserved concurrency, a year of logs', () => {
  prod.resourceCountIs('AWS::WAFv2::WebACL', 1);
  dev.resourceCountIs('AWS::WAFv2::WebACL', 0);
  prod.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  dev.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  prod.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 25 });
  prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});

test("pages the owner team's on-call for critical alarms and tickets warnings, through encrypted topics", () => {
  dev.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  dev.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'commerce-oncall@example.com' });
  dev.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'commerce-tickets@example.com' });
});
