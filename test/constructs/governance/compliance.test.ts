import * as fs from 'node:fs';
import { CfnResource, Validations, type App, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from '../../../constructs';
import {
  COMPLIANCE_REPORT_FILE,
  Compliance,
  acknowledge,
  type ComplianceProps,
  type KeelRule,
} from '../../../constructs';
import { ownedTestStack, testApp } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

const NOW = new Date('2026-11-21T09:30:00Z');

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly logs: logs.LogGroup;
  readonly compliance: Compliance;
  readonly printed: string[];
}

/** A team rule that flags every log group: the one finding the engine tests work with. */
const logReview: KeelRule = {
  name: 'CommerceLogReview',
  info: 'The log group waits for review by the commerce team.',
  explanation: 'A test rule: it flags every log group, so the fixture has exactly one finding.',
  check: (resource) =>
    resource instanceof logs.CfnLogGroup ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE,
};

/** A tagged stack whose one log group breaks KeelChecks-CommerceLogReview and nothing else. */
function fixture(props: ComplianceProps = {}): Fixture {
  const app = testApp({}, { cloudFormationValidation: true });
  const printed: string[] = [];
  const compliance = new Compliance(app, {
    now: NOW,
    knownOwners: ['commerce', 'platform'],
    print: (line) => printed.push(line),
    ...props,
  });
  const stack = ownedTestStack(app);
  // Encrypted with a key from elsewhere and kept a year: no pack or control but the team rule finds anything.
  const key = kms.Key.fromKeyArn(
    stack,
    'Key',
    'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  );
  const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
  compliance.addStack(stack, [], [logReview]);
  return { app, stack, logs: group, compliance, printed };
}

/** An SSM parameter of a type that does not exist: only aws-cdk-lib's CloudFormation validator objects. */
const QUEUE_PARAMETER = { type: 'AWS::SSM::Parameter', properties: { Type: 'Queue', Value: 'orders' } };

/** The message of the error `run` throws (aws-cdk-lib's validation failure, for problems found at synth). */
function failureOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the synth to fail');
}

const decision = { reason: 'Holds only synthetic health-check events, no data.', owner: 'commerce' };

test('fails when a finding is unacknowledged, naming the construct, the rule and how to acknowledge it', () => {
  const { compliance, printed } = fixture();
  const result = compliance.synth();
  expect(result.passed).toBe(false);
  expect(result.report.result).toBe('fail');
  expect(result.report.findings.open).toBe(1);
  const output = printed.join('\n');
  expect(output).toContain(
    '✗ KeelChecks-CommerceLogReview on Test/Logs/Resource: The log group waits for review by the commerce team.',
  );
  expect(output).toContain("acknowledge(construct, { id: '<rule id as shown>'");
  expect(output).toContain('FAIL: 1 unacknowledged finding(s)');
});

test('an acknowledged finding passes, and the report records owner, reason, expiry and days left', () => {
  const { compliance, logs: group, app } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  const result = compliance.synth();
  expect(result.passed).toBe(true);
  expect(result.report.findings).toEqual({ total: 1, acknowledged: 1, open: 0 });
  expect(result.report.acknowledgments).toEqual([
    {
      id: 'KeelChecks-CommerceLogReview',
      path: 'Test/Logs',
      owner: 'commerce',
      reason: decision.reason,
      expires: '2027-01-20',
      daysLeft: 60,
      findingsCovered: 1,
      evaluated: true,
      stale: false,
      site: expect.stringMatching(/^test\/constructs\/governance\/compliance\.test\.ts:\d+$/) as unknown,
    },
  ]);
  const written = JSON.parse(
    fs.readFileSync(`${app.outdir}/${COMPLIANCE_REPORT_FILE}`, 'utf8'),
  ) as typeof result.report;
  expect(written.packs.map((p) => p.name)).toEqual([
    'AwsSolutions',
    'Serverless',
    'KeelChecks',
    'CloudFormation Validate',
    'ControlTower',
    'Deployability',
  ]);
  expect(written.rules[0]).toMatchObject({
    ruleId: 'KeelChecks-CommerceLogReview',
    open: [],
    acknowledged: [{ acknowledgedAt: 'Test/Logs' }],
  });
});

test('an acknowledgment on a stack covers the findings of everything in it', () => {
  const { compliance, stack } = fixture();
  acknowledge(stack, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  expect(compliance.synth().passed).toBe(true);
});

test('fails when an acknowledgment has expired, naming it and its owner', () => {
  const { compliance, logs: group } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2026-11-20' });
  expect(() => compliance.synth()).toThrow(
    /acknowledgment 'KeelChecks-CommerceLogReview' at Test\/Logs \(owner: commerce\): expired on 2026-11-20/,
  );
});

test('an expired acknowledgment names the file and line to change, and a renewal that, applied, passes', () => {
  const expired = fixture();
  acknowledge(expired.logs, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2026-11-20' }, 'x.ts:7');
  const message = failureOf(() => expired.compliance.synth());
  expect(message).toContain(
    "x.ts:7: acknowledgment 'KeelChecks-CommerceLogReview' at Test/Logs (owner: commerce): expired on 2026-11-20",
  );
  expect(message).toContain(
    "renew it there with expires: '<a date on or before 2027-05-20>' and renewal: { previousExpiry: '2026-11-20', reviewer: '<who reviewed it>' }",
  );
  expect(message).toContain("renewal: { previousExpiry: '2026-11-20', emergency: '<incident id>' }");
  const renewed = fixture();
  const renewal = { previousExpiry: '2026-11-20', reviewer: '<who reviewed it>' };
  acknowledge(renewed.logs, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-05-20', renewal });
  expect(renewed.compliance.synth().passed).toBe(true);
});

describe('from 30 days before an expiry', () => {
  const ack = { id: 'KeelChecks-CommerceLogReview', ...decision };

  test('synth warns, with the count, the nearest date, and each acknowledgment with its file and line', () => {
    const { compliance, logs: group, stack, printed } = fixture();
    acknowledge(group, { ...ack, expires: '2026-12-21' }, 'lib/services/orders/index.ts:40');
    acknowledge(stack, { ...ack, expires: '2026-12-01' }, 'lib/services/orders/index.ts:12');
    acknowledge(stack, { ...ack, id: 'KeelChecks-LogGroupRetention', expires: '2027-01-20' });
    const result = compliance.synth();
    expect(result.passed).toBe(true);
    const output = printed.join('\n');
    expect(output).toContain('acknowledgments: 3 (2 expiring within 30 days, 1 stale)');
    expect(output).toContain('expiring: 2 within 30 days, 0 expired; the nearest on 2026-12-01 (10 day(s) left)');
    expect(result.report.warnings).toContain(
      "lib/services/orders/index.ts:12: acknowledgment 'KeelChecks-CommerceLogReview' at Test (owner: commerce) " +
        'expires on 2026-12-01 (10 day(s) left): fix the finding, or renew it at lib/services/orders/index.ts:12 ' +
        'with a reviewer or a new reason before then (constructs/governance/README.md, "Renew an acknowledgment")',
    );
    expect(result.report.warnings.filter((w) => w.includes('day(s) left'))).toHaveLength(2);
    expect(result.report.acknowledgments.map((a) => a.site)).toContain('lib/services/orders/index.ts:40');
  });

  test('an acknowledgment 31 days from its expiry is not named', () => {
    const { compliance, logs: group, printed } = fixture();
    acknowledge(group, { ...ack, expires: '2026-12-22' });
    expect(compliance.synth().report.warnings).toEqual([]);
    expect(printed.join('\n')).not.toContain('expiring:');
  });

  test('an emergency renewal warns on every synth until it is renewed with a reviewer or a new reason', () => {
    const { compliance, logs: group } = fixture();
    const renewal = { previousExpiry: '2026-11-20', emergency: 'INC-4711' };
    acknowledge(group, { ...ack, expires: '2026-12-04', renewal }, 'x.ts:3');
    const result = compliance.synth();
    expect(result.passed).toBe(true);
    expect(result.report.acknowledgments[0].renewal).toEqual(renewal);
    expect(result.report.warnings).toContain(
      "x.ts:3: acknowledgment 'KeelChecks-CommerceLogReview' at Test/Logs (owner: commerce) holds until 2026-12-04 " +
        'by emergency renewal INC-4711: renew it with a reviewer or a new reason, or fix the finding',
    );
  });
});

test('an acknowledgment holds through its expiry day', () => {
  const { compliance, logs: group } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2026-11-21' });
  expect(compliance.synth().report.acknowledgments[0].daysLeft).toBe(0);
});

test('fails when an acknowledgment expires further ahead than allowed', () => {
  const { compliance, logs: group } = fixture({ maxAcknowledgmentDays: 90 });
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-05-01' });
  expect(() => compliance.synth()).toThrow(
    /expires on 2027-05-01, 161 days ahead; at most 90 days are allowed\n\s+fix: choose a date on or before 2027-02-19/,
  );
});

test('fails when an acknowledgment is owned by a team that does not exist', () => {
  const { compliance, logs: group } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, owner: 'nobody', expires: '2027-01-20' });
  expect(() => compliance.synth()).toThrow(/owner 'nobody' is not a known team\n\s+fix: use one of commerce, platform/);
});

test('warns about a stale acknowledgment, one whose rule fired nowhere under it, without failing', () => {
  const { compliance, logs: group, stack, printed } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  acknowledge(stack, { id: 'AwsSolutions-IAM5[Resource::*]', ...decision, expires: '2027-01-20' });
  const result = compliance.synth();
  expect(result.passed).toBe(true);
  expect(result.report.acknowledgments.find((a) => a.path === 'Test')).toMatchObject({
    stale: true,
    findingsCovered: 0,
  });
  expect(printed.join('\n')).toContain(
    "warning: stale acknowledgment 'AwsSolutions-IAM5[Resource::*]' at Test (owner: commerce): the rule fired nowhere under it; remove it.",
  );
});

test('an acknowledgment of a rule whose pack does not run on its stack is not stale (NIST in dev)', () => {
  const { compliance, logs: group, stack } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  acknowledge(stack, { id: 'NIST.800.53.R5-LambdaInsideVPC', ...decision, expires: '2027-01-20' });
  const result = compliance.synth();
  expect(result.report.acknowledgments.find((a) => a.path === 'Test')).toMatchObject({
    evaluated: false,
    stale: false,
  });
  expect(result.report.warnings).toEqual([]);
});

test('fails when a rule-pack finding is acknowledged with Validations.acknowledge directly, without owner or expiry', () => {
  const { compliance, logs: group } = fixture();
  Validations.of(group).acknowledge({ id: 'KeelChecks-CommerceLogReview', reason: 'it is fine, trust me please' });
  expect(() => compliance.synth()).toThrow(
    /Test\/Logs: rule 'KeelChecks-CommerceLogReview' is acknowledged with Validations\.acknowledge directly/,
  );
});

test('fails when a Control Tower control is acknowledged with Validations.acknowledge directly', () => {
  const { compliance, logs: group } = fixture();
  Validations.of(group).acknowledge({ id: 'ControlTower::CT.CLOUDWATCH.PR.2', reason: 'it is fine, trust me please' });
  expect(() => compliance.synth()).toThrow(
    /Test\/Logs: rule 'ControlTower::CT.CLOUDWATCH.PR.2' is acknowledged with Validations\.acknowledge directly.*acknowledge\(scope, \{ id: 'ControlTower::CT.CLOUDWATCH.PR.2'/,
  );
});

test("counts aws-cdk-lib's CloudFormation validator findings like any other, and takes Keel acknowledgments for them", () => {
  const { compliance, stack, logs: group } = fixture();
  acknowledge(group, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  const queue = new CfnResource(stack, 'Queue', QUEUE_PARAMETER);
  const failing = compliance.synth();
  expect(failing.passed).toBe(false);
  expect(failing.report.rules[0]).toMatchObject({
    ruleId: 'CloudFormation-Validate::W3030',
    source: 'CloudFormation Validate',
    open: [{ path: 'Test/Queue' }],
  });

  const again = fixture();
  acknowledge(again.logs, { id: 'KeelChecks-CommerceLogReview', ...decision, expires: '2027-01-20' });
  const queue2 = new CfnResource(again.stack, 'Queue', QUEUE_PARAMETER);
  acknowledge(queue2, { id: 'CloudFormation-Validate::W3030', ...decision, expires: '2027-01-20' });
  const passing = again.compliance.synth();
  expect(passing.passed).toBe(true);
  expect(passing.report.acknowledgments.find((a) => a.path === 'Test/Queue')).toMatchObject({
    findingsCovered: 1,
    stale: false,
  });
  expect(queue.node.path).toBe('Test/Queue');
});

test('with compliance off, runs no pack and says so loudly', () => {
  const { compliance, printed } = fixture({ enabled: false });
  const result = compliance.synth();
  expect(result.report).toMatchObject({ enabled: false, result: 'off', packs: [] });
  expect(printed.join('\n')).toContain('Keel compliance is OFF');
});

describe('a rule-family acknowledgment (Rule[*])', () => {
  /** A tagged stack with one managed policy that grants two different wildcards: two AwsSolutions-IAM5 findings. */
  function wildcards() {
    const f = fixture();
    acknowledge(f.logs, { id: 'KeelChecks-CommerceLogReview', expires: '2027-01-31', ...decision });
    const policy = new iam.ManagedPolicy(f.stack, 'Generated', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::bucket/*'] })],
    });
    return { ...f, policy };
  }

  test('covers every finding of that rule under its scope, and counts them', () => {
    const { compliance, policy } = wildcards();
    acknowledge(policy, { id: 'AwsSolutions-IAM5[*]', expires: '2027-01-31', ...decision });
    const result = compliance.synth();
    expect(result.passed).toBe(true);
    const ack = result.report.acknowledgments.find((a) => a.id === 'AwsSolutions-IAM5[*]');
    expect(ack).toMatchObject({ findingsCovered: 2, stale: false });
  });

  test('covers nothing outside its scope', () => {
    const { compliance, logs: group } = wildcards();
    acknowledge(group, { id: 'AwsSolutions-IAM5[*]', expires: '2027-01-31', ...decision });
    const result = compliance.synth();
    expect(result.passed).toBe(false);
    expect(result.report.findings.open).toBe(2);
  });
});

test("fails when a stack's extra rule is not PascalCase or takes a rule's name, naming the stack and the rule", () => {
  const app = testApp({}, { cloudFormationValidation: true });
  const compliance = new Compliance(app, { now: NOW, print: () => undefined });
  const stack = ownedTestStack(app);
  compliance.addStack(stack, [], [logReview]);
  const message = refusal(() =>
    compliance.addStack(
      stack,
      [],
      [{ ...logReview, name: 'log-review' }, logReview, { ...logReview, name: 'LogGroupRetention' }],
    ),
  );
  expect(message).toContain('Extra KeelChecks rules on Test are invalid:');
  expect(message).toContain('Test extraRules[0]: "log-review" is not a PascalCase name');
  expect(message).toContain('Test extraRules[1]: KeelChecks-CommerceLogReview is already a rule');
  expect(message).toContain('Test extraRules[2]: KeelChecks-LogGroupRetention is already a rule');
});
