import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACKNOWLEDGMENT_METADATA, AlertRouting, type AlertRoutingProps } from '../../../constructs';
import { testStack } from '../../helpers/app';

/** The routing of `shop-dev`, with its own key, in a test stack. */
function routed(endpoints: Partial<AlertRoutingProps> = {}) {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key');
  const routing = new AlertRouting(stack, 'Routing', {
    name: 'shop-dev',
    key,
    onCallEndpoint: 'oncall@example.com',
    ticketEndpoint: 'tickets@example.com',
    ...endpoints,
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { stack, template: Template.fromStack(stack), routing, keyArn: { 'Fn::GetAtt': [id(key), 'Arn'] }, id };
}

/** What each subscription in `stack` delivers where, and where it sends what it cannot deliver. */
function subscriptionsOf(stack: Stack) {
  return Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription')).map((s) => s.Properties);
}

describe('the alert routing of a service', () => {
  const { stack, template, routing, keyArn, id } = routed();
  const critical = { Ref: id(routing.topics.critical) };
  const warning = { Ref: id(routing.topics.warning) };
  const undelivered = { 'Fn::GetAtt': [id(routing.undelivered), 'Arn'] };

  test('has one topic per severity, named after the service and environment, both encrypted with the given key', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    expect(Object.values(template.findResources('AWS::SNS::Topic')).map((t) => t.Properties)).toEqual([
      { DisplayName: 'shop-dev critical alerts', KmsMasterKeyId: keyArn },
      { DisplayName: 'shop-dev warning alerts', KmsMasterKeyId: keyArn },
    ]);
  });

  test('refuses publishing to either topic without TLS', () => {
    for (const topic of [critical, warning]) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topic],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    }
  });

  test('pages the on-call endpoint from the critical topic and opens tickets from the warning topic, by e-mail', () => {
    expect(subscriptionsOf(stack)).toEqual([
      { TopicArn: critical, Protocol: 'email', Endpoint: 'oncall@example.com', RedrivePolicy: expect.anything() },
      { TopicArn: warning, Protocol: 'email', Endpoint: 'tickets@example.com', RedrivePolicy: expect.anything() },
    ]);
  });

  test('keeps alerts it cannot deliver in an undelivered queue encrypted with the given key, for 14 days', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: keyArn,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
  });

  test("makes the undelivered queue both subscriptions' dead-letter queue", () => {
    expect(subscriptionsOf(stack).map((s) => s.RedrivePolicy)).toEqual([
      { deadLetterTargetArn: undelivered },
      { deadLetterTargetArn: undelivered },
    ]);
  });

  test('lets SNS send to the undelivered queue from the two topics only, and nobody use it without TLS', () => {
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Deny',
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: undelivered,
      },
      ...[critical, warning].map((topic) => ({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': topic } },
        Resource: undelivered,
      })),
    ]);
  });

  test('records the decision that the undelivered queue, itself a dead-letter queue, has none of its own', () => {
    const decisions = routing.undelivered.node.metadata.filter((m) => m.type === ACKNOWLEDGMENT_METADATA);
    expect(decisions.map((d) => d.data)).toEqual([
      expect.objectContaining({ id: 'AwsSolutions-SQS3', owner: 'platform' }),
      expect.objectContaining({ id: 'Serverless-SQSRedrivePolicy', owner: 'platform' }),
    ]);
  });
});

describe('endpoints given as https URLs', () => {
  test('are subscribed over https, and what they cannot take still goes to the undelivered queue', () => {
    const { stack, routing, id } = routed({
      onCallEndpoint: 'https://pager.example.com/hooks/shop',
      ticketEndpoint: 'https://tickets.example.com/hooks/shop',
    });
    const undelivered = { 'Fn::GetAtt': [id(routing.undelivered), 'Arn'] };
    expect(subscriptionsOf(stack)).toEqual([
      {
        TopicArn: { Ref: id(routing.topics.critical) },
        Protocol: 'https',
        Endpoint: 'https://pager.example.com/hooks/shop',
        RedrivePolicy: { deadLetterTargetArn: undelivered },
      },
      {
        TopicArn: { Ref: id(routing.topics.warning) },
        Protocol: 'https',
        Endpoint: 'https://tickets.example.com/hooks/shop',
        RedrivePolicy: { deadLetterTargetArn: undelivered },
      },
    ]);
  });

  test('may be mixed with e-mail: each endpoint is subscribed in its own form', () => {
    const { stack } = routed({ ticketEndpoint: 'https://tickets.example.com/hooks/shop' });
    expect(subscriptionsOf(stack).map((s) => [s.Protocol, s.Endpoint])).toEqual([
      ['email', 'oncall@example.com'],
      ['https', 'https://tickets.example.com/hooks/shop'],
    ]);
  });
});
