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

test('records the acknowledgment with its owner, its expiry and the file and line of the call on the construct', () => {
  const stack = testStack();
  acknowledge(stack, valid);
  expect(stack.node.metadata.find((m) => m.type === 'keel:acknowledgment')?.data).toEqual({
    ...valid,
    site: 'test/constructs/governance/acknowledge.test.ts:18',
  });
});

test('records the call site it is given, and none when the stack names no file', () => {
  const stack = testStack();
  acknowledge(stack, valid, 'lib/teams/commerce/decisions.ts:7');
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = () => 'Error\n    at <anonymous>\n    at node:internal/main:1:1';
  try {
    acknowledge(stack, { ...valid, id: 'AwsSolutions-L1' });
  } finally {
    Error.prepareStackTrace = prepare;
  }
  const recorded = stack.node.metadata.filter((m) => m.type === 'keel:acknowledgment').map((m) => m.data as object);
  expect(recorded[0]).toEqual({ ...valid, site: 'lib/teams/commerce/decisions.ts:7' });
  expect(recorded[1]).toEqual({ ...valid, id: 'AwsSolutions-L1' });
});

describe('a renewal', () => {
  const renewed = { ...valid, expires: '2027-04-30' };

  test('with the previous expiry and a reviewer is recorded as it is', () => {
    const stack = testStack();
    const renewal = { previousExpiry: '2027-01-31', reviewer: 'security-review' };
    acknowledge(stack, { ...renewed, renewal });
    expect(stack.node.metadata.find((m) => m.type === 'keel:acknowledgment')?.data).toMatchObject({ renewal });
  });

  test('with a new reason, the old one kept as previousReason, needs no reviewer', () => {
    const renewal = { previousExpiry: '2027-01-31', previousReason: 'X-Ray had no resource-level permissions then.' };
    expect(() => acknowledge(testStack(), { ...renewed, renewal })).not.toThrow();
  });

  test('is refused with neither a reviewer nor a new reason, naming the acknowledgment, both dates and the fix', () => {
    expect(refusal({ ...renewed, renewal: { previousExpiry: '2027-01-31' } })).toMatch(
      /acknowledgment "AwsSolutions-IAM5\[Resource::\*\]" at Test: renewal: renews the expiry from 2027-01-31 to 2027-04-30 with neither a reviewer nor a new reason\n\s+fix: add reviewer: '<who reviewed it>', or change the reason/,
    );
  });

  test('is refused when previousReason is the reason itself', () => {
    expect(refusal({ ...renewed, renewal: { previousExpiry: '2027-01-31', previousReason: valid.reason } })).toMatch(
      /renewal.previousReason: is the same as the reason/,
    );
  });

  test('is refused when the previous expiry is missing, or not earlier than the new one', () => {
    expect(refusal({ ...renewed, renewal: { reviewer: 'security-review' } as never })).toMatch(
      /renewal.previousExpiry: is undefined, not an ISO date/,
    );
    expect(refusal({ ...renewed, renewal: { previousExpiry: '2027-04-30', reviewer: 'security-review' } })).toMatch(
      /expires: 2027-04-30 is not later than renewal.previousExpiry 2027-04-30/,
    );
  });

  test('in an emergency, with an incident and no reviewer, holds at most 14 days past the previous expiry', () => {
    const renewal = { previousExpiry: '2027-01-31', emergency: 'INC-4711' };
    expect(() => acknowledge(testStack(), { ...valid, expires: '2027-02-14', renewal })).not.toThrow();
    expect(refusal({ ...valid, expires: '2027-02-15', renewal })).toMatch(
      /2027-02-15 is more than 14 days after 2027-01-31, which an emergency renewal \(INC-4711\) may not exceed\n\s+fix: choose a date on or before 2027-02-14, or have the renewal reviewed and add reviewer/,
    );
  });
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
