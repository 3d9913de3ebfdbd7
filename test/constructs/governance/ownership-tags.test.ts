import { Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { KeelValidationError, OwnershipTags, type OwnershipTagsProps } from '../../../constructs';
import { testApp, testStack } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

const props: OwnershipTagsProps = {
  owner: 'commerce',
  service: 'orders',
  environment: 'dev',
  costCenter: 'CC-2040',
  dataClassification: 'confidential',
};

test('tags every taggable resource under the scope with owner, service, environment, cost center and classification', () => {
  const stack = testStack();
  new OwnershipTags(stack, 'OwnershipTags', props);
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
    Tags: Match.arrayWith([
      { Key: 'CostCenter', Value: 'CC-2040' },
      { Key: 'DataClassification', Value: 'confidential' },
      { Key: 'Environment', Value: 'dev' },
      { Key: 'Owner', Value: 'commerce' },
      { Key: 'Service', Value: 'orders' },
    ]),
  });
});

test('fails when a tag value is empty, naming the scope and the key', () => {
  expect(() => new OwnershipTags(testStack(), 'OwnershipTags', { ...props, costCenter: '' })).toThrow(
    KeelValidationError,
  );
  expect(() => new OwnershipTags(testStack(), 'OwnershipTags', { ...props, costCenter: '' })).toThrow(
    /Test tag CostCenter: "" is empty; a tag needs a value/,
  );
});

test('fails when the data classification is not one of the four levels', () => {
  const bad = { ...props, dataClassification: 'secret' } as unknown as OwnershipTagsProps;
  expect(() => new OwnershipTags(testStack(), 'OwnershipTags', bad)).toThrow(
    /"secret" is not a data classification[\s\S]*public \| internal \| confidential \| restricted/,
  );
});

test('fails the synth listing every resource path that lost a required tag, and which key', () => {
  const app = testApp();
  const stack = testStack(app);
  new OwnershipTags(stack, 'OwnershipTags', { ...props, configHint: 'lib/services/orders/index.ts' });
  const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  new sqs.Queue(stack, 'Other', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  Tags.of(queue).remove('CostCenter');
  expect(() => app.synth()).toThrow(
    /1 resource\(s\) lack required tags[\s\S]*Test\/Queue\/Resource lacks CostCenter[\s\S]*fix: set the missing values in lib\/services\/orders\/index.ts/,
  );
});

test("enforces a team's extra required tag keys", () => {
  const app = testApp();
  const stack = testStack(app);
  new OwnershipTags(stack, 'OwnershipTags', { ...props, extraRequiredKeys: ['Project'], extraTags: { Project: 'x' } });
  const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  Tags.of(queue).remove('Project');
  expect(() => app.synth()).toThrow(/Test\/Queue\/Resource lacks Project/);

  const ok = testStack(testApp());
  new OwnershipTags(ok, 'OwnershipTags', {
    ...props,
    extraRequiredKeys: ['Project'],
    extraTags: { Project: 'checkout' },
  });
  new sqs.Queue(ok, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  expect(Template.fromStack(ok).findResources('AWS::SQS::Queue')).toBeDefined();
});

test('fails once, at the tags and not on each resource, when a required extra key is given no value', () => {
  const hint = 'lib/services/orders/index.ts (service orders)';
  const message = refusal(
    () =>
      new OwnershipTags(testStack(), 'OwnershipTags', { ...props, extraRequiredKeys: ['Project'], configHint: hint }),
  );
  expect(message).toContain('Test tags: Project is required (extraRequiredKeys) but given no value');
  expect(message).toContain(`fix: give Project a value in ${hint}`);
});

test('a required extra key given a value, as the fix says, passes the synth', () => {
  const app = testApp();
  const stack = testStack(app);
  new OwnershipTags(stack, 'OwnershipTags', { ...props, extraRequiredKeys: ['Project'], extraTags: { Project: 'x' } });
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  expect(() => app.synth()).not.toThrow();
});
