import { acknowledge, normalizeRuleId, type Acknowledgment } from '../../../constructs';
import { testStack } from '../../helpers/app';
import { refusal as refusalOf } from '../../helpers/refusal';

const valid: Acknowledgment = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason: 'X-Ray accepts no resource-level permissions.',
  owner: 'commerce',
  expires: '2027-01-31',
};

/** The message refusing `valid` with `ack`'s fields replaced. */
const refusal = (ack: Partial<Acknowledgment>): string =>
  refusalOf(() => acknowledge(testStack(), { ...valid, ...ack } as Acknowledgment));

test('records the acknowledgment with its owner and expiry on the construct', () => {
  const stack = testStack();
  acknowledge(stack, valid);
  expect(stack.node.metadata.find((m) => m.type === 'keel:acknowledgment')?.data).toEqual(valid);
});

test('fails when there is no reason', () => {
  expect(refusal({ reason: undefined })).toMatch(/reason: no reason is given[\s\S]*at least 20 characters/);
});

test('fails when the reason is shorter than 20 characters, saying how long it is', () => {
  expect(refusal({ reason: 'false positive' })).toContain(
    '"false positive" is 14 characters; at least 20 are required',
  );
});

test('fails when there is no expiry', () => {
  expect(refusal({ expires: undefined })).toContain('no expiry date is given; acknowledgments must be revisited');
});

test('fails when the expiry is not an ISO date', () => {
  expect(refusal({ expires: '31/01/2027' })).toContain('"31/01/2027" is not an ISO date');
  expect(refusal({ expires: '2027-02-30' })).toContain('"2027-02-30" is not an ISO date');
});

test('fails when there is no owner team, naming the construct', () => {
  expect(refusal({ owner: ' ' })).toMatch(
    /acknowledgment "AwsSolutions-IAM5\[Resource::\*\]" at Test: owner: no owner team is given/,
  );
});

test("accepts a rule id as aws-cdk-lib's report prints it", () => {
  expect(normalizeRuleId('AwsSolutions::AwsSolutions-IAM5')).toBe('AwsSolutions-IAM5');
  expect(normalizeRuleId('CloudFormation-Validate::W3045')).toBe('CloudFormation-Validate::W3045');
});
