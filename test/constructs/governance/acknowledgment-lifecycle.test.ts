import {
  callSite,
  describeAcknowledgment,
  expiryProblems,
  lifecycleWarnings,
  renewalProblems,
} from '../../../constructs/governance/acknowledgment-lifecycle';

const ack = {
  id: 'AwsSolutions-SQS3',
  path: 'Orders-prod/Queue',
  owner: 'commerce',
  reason: 'The queue is itself a dead-letter queue.',
  expires: '2027-01-31',
};
const today = new Date('2027-01-15T00:00:00Z');

describe('callSite', () => {
  test('names the calling file and line, relative to the working directory', () => {
    expect(callSite()).toBe('test/constructs/governance/acknowledgment-lifecycle.test.ts:20');
  });

  test('names the frame further up when asked, as a helper that records its own caller does', () => {
    const helper = () => callSite(1);
    expect(helper()).toBe('test/constructs/governance/acknowledgment-lifecycle.test.ts:25');
  });
});

test('an acknowledgment is named by file and line when known, and by id, path and owner always', () => {
  expect(describeAcknowledgment({ ...ack, site: 'lib/x.ts:3' })).toBe(
    "lib/x.ts:3: acknowledgment 'AwsSolutions-SQS3' at Orders-prod/Queue (owner: commerce)",
  );
  expect(describeAcknowledgment(ack)).toBe("acknowledgment 'AwsSolutions-SQS3' at Orders-prod/Queue (owner: commerce)");
});

test('an acknowledgment within its limit, expiring or not, is no problem; a warning names it from 30 days ahead', () => {
  expect(expiryProblems(ack, today, 180)).toEqual([]);
  expect(lifecycleWarnings([{ ...ack, daysLeft: 16 }], 30)).toHaveLength(1);
  expect(lifecycleWarnings([{ ...ack, daysLeft: 31 }], 30)).toEqual([]);
  // An expired one fails the synth (expiryProblems); it is not warned about as well.
  expect(lifecycleWarnings([{ ...ack, daysLeft: -3 }], 30)).toEqual([]);
});

test('an expired acknowledgment without a known call site still says how to renew it', () => {
  const [problem] = expiryProblems({ ...ack, expires: '2027-01-14' }, today, 180);
  expect(problem.what).toBe('expired on 2027-01-14');
  expect(problem.fix).toContain("renew it there with expires: '<a date on or before 2027-07-14>'");
  expect(problem.fix).not.toContain(' at undefined');
});

test('an emergency renewal of an acknowledgment that expired long ago may hold 14 days from today, not from its old expiry', () => {
  const longExpired = { ...ack, expires: '2027-01-29', renewal: { previousExpiry: '2026-09-01', emergency: 'INC-9' } };
  expect(renewalProblems('x', longExpired, today)).toEqual([]);
  const tooLate = renewalProblems('x', { ...longExpired, expires: '2027-01-30' }, today);
  expect(tooLate.map((p) => p.what)).toEqual([
    '2027-01-30 is more than 14 days after today (2027-01-15), which an emergency renewal (INC-9) may not exceed',
  ]);
  expect(expiryProblems({ ...ack, expires: '2026-09-01' }, today, 180)[0].fix).toContain(
    "emergency: '<incident id>' } with expires on or before 2027-01-29",
  );
});
