import { Tags, type App, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from '../../../../../constructs';
import { Construct } from 'constructs';
import { OwnershipTags, type OwnershipTagsProps } from '../../../../../constructs/governance/ownership-tags';
import { RequiredOwnershipTags } from '../../../../../constructs/governance/rules/tags/required-ownership-tags';
import { testApp, testStack } from '../../../../helpers/app';

const OWNERSHIP: OwnershipTagsProps = {
  owner: 'commerce',
  service: 'orders',
  environment: 'dev',
  costCenter: 'CC-1',
  dataClassification: 'internal',
};

/** An app and a stack in it, the stack carrying OwnershipTags with `props` on top of the standard ones. */
function ownedStack(props: Partial<OwnershipTagsProps> = {}): { app: App; stack: Stack } {
  const app = testApp();
  const stack = testStack(app);
  new OwnershipTags(stack, 'OwnershipTags', { ...OWNERSHIP, ...props });
  return { app, stack };
}

function queueResource(scope: Construct): sqs.CfnQueue {
  return new sqs.Queue(scope, 'Queue').node.defaultChild as sqs.CfnQueue;
}

test('a taggable resource in a stack with OwnershipTags complies once the tags are applied', () => {
  const { app, stack } = ownedStack();
  const queue = queueResource(stack);
  app.synth();
  expect(RequiredOwnershipTags(queue)).toBe(NagRuleCompliance.COMPLIANT);
});

test('a taggable resource deep in a construct tree inherits the tags of its stack', () => {
  const { app, stack } = ownedStack();
  const queue = queueResource(new Construct(new Construct(stack, 'Outer'), 'Inner'));
  app.synth();
  expect(RequiredOwnershipTags(queue)).toBe(NagRuleCompliance.COMPLIANT);
});

test('fails when a taggable resource lives in a stack without OwnershipTags', () => {
  const app = testApp();
  const queue = queueResource(testStack(app));
  app.synth();
  expect(RequiredOwnershipTags(queue)).toEqual([
    'Tag::Owner',
    'Tag::Service',
    'Tag::Environment',
    'Tag::CostCenter',
    'Tag::DataClassification',
  ]);
});

test('fails when a resource loses an extra key the owner team requires', () => {
  const { app, stack } = ownedStack({ extraRequiredKeys: ['Project'], extraTags: { Project: 'x' } });
  const queue = queueResource(stack);
  Tags.of(queue).remove('Project');
  expect(() => app.synth()).toThrow('Test/Queue/Resource lacks Project');
  expect(RequiredOwnershipTags(queue)).toEqual(['Tag::Project']);
});

test('a resource complies when an extra required key gets its value from extraTags', () => {
  const { app, stack } = ownedStack({ extraRequiredKeys: ['Project'], extraTags: { Project: 'x' } });
  const queue = queueResource(stack);
  app.synth();
  expect(RequiredOwnershipTags(queue)).toBe(NagRuleCompliance.COMPLIANT);
});

test('fails when a construct removes an ownership tag from a resource', () => {
  const { app, stack } = ownedStack();
  const queue = new sqs.Queue(stack, 'Queue');
  Tags.of(queue).remove('Owner');
  // OwnershipTags' own validation fails the synth too; the tags are already applied by then.
  expect(() => app.synth()).toThrow('Test/Queue/Resource lacks Owner');
  expect(RequiredOwnershipTags(queue.node.defaultChild as sqs.CfnQueue)).toEqual(['Tag::Owner']);
});

test('does not apply to resources that cannot carry tags', () => {
  const { app, stack } = ownedStack();
  const policy = new iam.CfnPolicy(stack, 'Policy', {
    policyName: 'p',
    roles: ['r'],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
    },
  });
  const permission = new lambda.CfnPermission(stack, 'Permission', {
    action: 'lambda:InvokeFunction',
    functionName: 'f',
    principal: 's3.amazonaws.com',
  });
  app.synth();
  expect(RequiredOwnershipTags(policy)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(RequiredOwnershipTags(permission)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
