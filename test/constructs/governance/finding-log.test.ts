import type { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance, type NagPack } from '../../../constructs';
import { Construct } from 'constructs';
import { acknowledge, type KeelRule } from '../../../constructs';
import { FindingLog, instrumentPack } from '../../../constructs/governance/finding-log';
import { KeelChecks } from '../../../constructs/governance/keel-checks';
import { ownedTestStack, testApp, testStack } from '../../helpers/app';

const decision = { reason: 'Only synthetic events, reviewed by the team.', owner: 'commerce', expires: '2027-01-20' };

/** Flags every log group once. */
const logReview: KeelRule = {
  name: 'CommerceLogReview',
  info: 'The log group waits for review.',
  explanation: 'A test rule.',
  check: (resource) =>
    resource instanceof logs.CfnLogGroup ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE,
};

/** Flags every log group twice, with a finding id each: `KeelChecks-CommerceLogFields[Field::a]` and `[Field::b]`. */
const logFields: KeelRule = {
  name: 'CommerceLogFields',
  info: 'The log group has fields to review.',
  explanation: 'A test rule with findings.',
  check: (resource) =>
    resource instanceof logs.CfnLogGroup ? ['Field::a', 'Field::b'] : NagRuleCompliance.NOT_APPLICABLE,
};

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  /** Holds the log group `Test/Parent/Inside`; `Test/Outside` is its sibling's. */
  readonly parent: Construct;
}

function fixture(): Fixture {
  const app = testApp();
  const stack = ownedTestStack(app);
  const parent = new Construct(stack, 'Parent');
  new logs.CfnLogGroup(parent, 'Inside', {});
  new logs.CfnLogGroup(stack, 'Outside', {});
  return { app, stack, parent };
}

/** Runs an instrumented KeelChecks with the two test rules on `stacks`: what cdk-nag reports, and what the log holds. */
function run(app: App, stacks: readonly Stack[]) {
  const log = new FindingLog();
  const pack = instrumentPack(new KeelChecks({ stackRules: () => [logReview, logFields] }), new Set(stacks), log);
  app.synth();
  const report = pack.validateScope(app);
  const reported = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} on ${r.constructPath}`),
  );
  return { log, reported };
}

/** Each finding in the log, as `<finding id> on <path>`, with the scope Keel says acknowledges it. */
function logged(log: FindingLog, ruleId: string): [string, string | undefined][] {
  return log.findings
    .filter((finding) => finding.ruleId === ruleId)
    .map((finding) => [`${finding.findingId} on ${finding.path}`, finding.acknowledgedAt]);
}

test("Keel's acknowledgment lookup agrees with cdk-nag's: an acknowledgment on a parent covers what is under it, not its sibling", () => {
  const { app, stack, parent } = fixture();
  acknowledge(parent, { id: 'KeelChecks-CommerceLogReview', ...decision });
  const { log, reported } = run(app, [stack]);

  expect(reported).not.toContain('KeelChecks-CommerceLogReview on Test/Parent/Inside');
  expect(reported).toContain('KeelChecks-CommerceLogReview on Test/Outside');
  expect(logged(log, 'KeelChecks-CommerceLogReview')).toEqual([
    ['KeelChecks-CommerceLogReview on Test/Parent/Inside', 'Test/Parent'],
    ['KeelChecks-CommerceLogReview on Test/Outside', undefined],
  ]);
  // Every finding, Keel's own rules' included: acknowledged in the log exactly when cdk-nag does not report it.
  for (const finding of log.findings) {
    const id = `${finding.findingId} on ${finding.path}`;
    expect([id, finding.acknowledgedAt !== undefined]).toEqual([id, !reported.includes(id)]);
  }
});

test('an acknowledgment on the resource itself and on its stack are honoured alike by cdk-nag and the log', () => {
  const { app, stack, parent } = fixture();
  acknowledge(parent.node.findChild('Inside'), { id: 'KeelChecks-CommerceLogReview', ...decision });
  acknowledge(stack, { id: 'KeelChecks-LogGroupRetention', ...decision });
  const { log, reported } = run(app, [stack]);

  expect(reported.filter((id) => /CommerceLogReview|LogGroupRetention/.test(id))).toEqual([
    'KeelChecks-CommerceLogReview on Test/Outside',
  ]);
  expect(logged(log, 'KeelChecks-CommerceLogReview')[0]).toEqual([
    'KeelChecks-CommerceLogReview on Test/Parent/Inside',
    'Test/Parent/Inside',
  ]);
  expect(logged(log, 'KeelChecks-LogGroupRetention').map(([, at]) => at)).toEqual(['Test', 'Test']);
});

test('a family acknowledgment (Rule[*]) covers every finding of the rule under its scope, for cdk-nag and the log', () => {
  const { app, stack, parent } = fixture();
  acknowledge(parent, { id: 'KeelChecks-CommerceLogFields[*]', ...decision });
  const { log, reported } = run(app, [stack]);

  expect(reported.filter((id) => id.startsWith('KeelChecks-CommerceLogFields'))).toEqual([
    'KeelChecks-CommerceLogFields[Field::a] on Test/Outside',
    'KeelChecks-CommerceLogFields[Field::b] on Test/Outside',
  ]);
  expect(logged(log, 'KeelChecks-CommerceLogFields')).toEqual([
    ['KeelChecks-CommerceLogFields[Field::a] on Test/Parent/Inside', 'Test/Parent'],
    ['KeelChecks-CommerceLogFields[Field::b] on Test/Parent/Inside', 'Test/Parent'],
    ['KeelChecks-CommerceLogFields[Field::a] on Test/Outside', undefined],
    ['KeelChecks-CommerceLogFields[Field::b] on Test/Outside', undefined],
  ]);
});

test('an instrumented pack checks only the stacks it is given', () => {
  const { app, stack } = fixture();
  const other = testStack(app, 'Other');
  new logs.CfnLogGroup(other, 'Elsewhere', {});
  const { log, reported } = run(app, [stack]);
  expect(reported.some((id) => id.includes('Other/'))).toBe(false);
  expect(log.findings.some((finding) => finding.path.startsWith('Other/'))).toBe(false);
  expect([...(log.checked.get('KeelChecks') ?? [])].map((node) => node.node.path).sort()).toEqual([
    'Test/Outside',
    'Test/Parent/Inside',
  ]);
});

test('fails when cdk-nag no longer has a method Keel instruments, naming it', () => {
  const pack: NagPack = new KeelChecks();
  Object.defineProperty(pack, 'isAcknowledged', { value: undefined });
  expect(() => instrumentPack(pack, new Set(), new FindingLog())).toThrow(
    "cdk-nag's KeelChecks has no method isAcknowledged, which Keel instruments (finding-log.ts)",
  );
});
