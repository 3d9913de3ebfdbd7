import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { CfnWaitConditionHandle, Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Compliance, acknowledge } from '../../../constructs';
import { ControlTowerControls } from '../../../constructs/governance/control-tower';
import { ownedTestStack, testApp } from '../../helpers/app';

const decision = {
  reason: 'A buffer queue whose messages are replayed from the source on failure.',
  owner: 'commerce',
  expires: '2027-01-31',
};

/** A stack with two encrypted queues without a dead-letter queue: CT.SQS.PR.1 on both. */
function twoQueues() {
  const app = testApp();
  const printed: string[] = [];
  const compliance = new Compliance(app, { now: new Date('2026-11-30T00:00:00Z'), print: (l) => printed.push(l) });
  const stack = ownedTestStack(app);
  const queue = (id: string) =>
    new sqs.Queue(stack, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
    });
  const buffer = queue('Buffer');
  const other = queue('Other');
  compliance.addStack(stack);
  return { app, compliance, printed, buffer, other };
}

const controlTower = (findings: { ruleId: string; source: string }[]) =>
  findings.filter((f) => f.source === 'ControlTower');

test('fails synth on a Control Tower control, naming the control id and the construct path', () => {
  const { compliance, printed } = twoQueues();
  const result = compliance.synth();
  expect(result.passed).toBe(false);
  const rule = result.report.rules.find((r) => r.ruleId === 'ControlTower::CT.SQS.PR.1');
  expect(rule?.open.map((f) => f.path).sort()).toEqual(['Test/Buffer/Resource', 'Test/Other/Resource']);
  expect(printed.join('\n')).toContain(
    '✗ ControlTower::CT.SQS.PR.1 on Test/Buffer/Resource: [CT.SQS.PR.1]: Require any Amazon SQS queue to have a dead-letter queue configured (sqs_dlq_check)',
  );
});

test('an acknowledgment silences exactly that control on exactly that construct', () => {
  const { compliance, buffer } = twoQueues();
  acknowledge(buffer, { id: 'ControlTower::CT.SQS.PR.1', ...decision });
  const result = compliance.synth();
  const rule = result.report.rules.find((r) => r.ruleId === 'ControlTower::CT.SQS.PR.1');
  expect(rule?.open.map((f) => f.path)).toEqual(['Test/Other/Resource']);
  expect(rule?.acknowledged.map((f) => f.path)).toEqual(['Test/Buffer/Resource']);
  expect(result.report.acknowledgments.find((a) => a.path === 'Test/Buffer')).toMatchObject({
    id: 'ControlTower::CT.SQS.PR.1',
    owner: 'commerce',
    findingsCovered: 1,
    stale: false,
  });
});

test('runs only the rules that can apply, and finds exactly what the full rule set finds', () => {
  const { app, compliance } = twoQueues();
  compliance.synth();
  const template = path.join(app.outdir, 'Test.template.json');
  expect(fs.existsSync(template)).toBe(true);
  const skipped = ControlTowerControls.inapplicableRules(new Set(['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']));
  expect(skipped).toContain('ct-s3-pr-1');
  expect(skipped).not.toContain('ct-sqs-pr-1');
  const summary = (violations: { ruleName: string; violatingResources: { resourceLogicalId: string }[] }[]) =>
    violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`)).sort();
  const full = new CfnGuardValidator().validate({ templatePaths: [template] } as never);
  const filtered = new CfnGuardValidator({ disabledRules: skipped }).validate({ templatePaths: [template] } as never);
  expect(summary(filtered.violations)).toEqual(summary(full.violations));
  expect(summary(full.violations).length).toBeGreaterThan(0);
});

test('counts as a pack in the report', () => {
  const { compliance } = twoQueues();
  const result = compliance.synth();
  expect(result.report.packs.map((p) => p.name)).toContain('ControlTower');
  expect(controlTower(result.report.rules.map((r) => ({ ruleId: r.ruleId, source: r.source })))).not.toEqual([]);
});

test('replays the findings of a template checked before, byte for byte, and checks a changed template anew', () => {
  const { app, compliance } = twoQueues();
  compliance.synth();
  const templatePath = path.join(app.outdir, 'Test.template.json');
  const plugin = new ControlTowerControls();
  const summary = (report: {
    violations: { ruleName: string; violatingResources: { resourceLogicalId?: string }[] }[];
  }) =>
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`)).sort();
  process.env.KEEL_CONTROL_TOWER_CACHE = 'off';
  const fresh = plugin.validate({ templatePaths: [templatePath] } as never);
  delete process.env.KEEL_CONTROL_TOWER_CACHE;
  const replayed = plugin.validate({ templatePaths: [templatePath] } as never);
  expect(summary(replayed)).toEqual(summary(fresh));
  expect(summary(replayed).map((f) => f.replace(/[0-9A-F]{8}$/, ''))).toEqual([
    'CT.SQS.PR.1 Buffer',
    'CT.SQS.PR.1 Other',
  ]);

  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources: Record<string, unknown> };
  template.Resources = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => !id.startsWith('Other')));
  const changed = path.join(app.outdir, 'Changed.template.json');
  fs.writeFileSync(changed, JSON.stringify(template));
  expect(summary(plugin.validate({ templatePaths: [changed] } as never)).filter((f) => f.includes('Other'))).toEqual(
    [],
  );
});

test('checks several templates side by side and reports, per template, exactly what cfn-guard finds in it alone', () => {
  const { app, compliance } = twoQueues();
  compliance.synth();
  const original = path.join(app.outdir, 'Test.template.json');
  const template = JSON.parse(fs.readFileSync(original, 'utf8')) as { Resources: Record<string, unknown> };
  const withOnly = (prefix: string) => {
    const file = path.join(app.outdir, `Only${prefix}.template.json`);
    const resources = Object.entries(template.Resources).filter(
      ([id]) => !id.startsWith('Buffer') && !id.startsWith('Other'),
    );
    const kept = Object.entries(template.Resources).filter(([id]) => id.startsWith(prefix));
    fs.writeFileSync(file, JSON.stringify({ ...template, Resources: Object.fromEntries([...resources, ...kept]) }));
    return file;
  };
  const templatePaths = [original, withOnly('Buffer'), withOnly('Other')];
  const findings = (report: {
    violations: { ruleName: string; violatingResources: { resourceLogicalId?: string; templatePath: string }[] }[];
  }) =>
    report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${path.basename(r.templatePath)} ${v.ruleName} ${r.resourceLogicalId}`),
    );
  process.env.KEEL_CONTROL_TOWER_CACHE = 'off';
  try {
    const together = findings(new ControlTowerControls().validate({ templatePaths } as never));
    const alone = templatePaths.flatMap((templatePath) =>
      findings(new ControlTowerControls().validate({ templatePaths: [templatePath] } as never)),
    );
    expect(together).toEqual(alone);
    expect(together.map((f) => f.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'Test.template.json CT.SQS.PR.1 Buffer',
      'Test.template.json CT.SQS.PR.1 Other',
      'OnlyBuffer.template.json CT.SQS.PR.1 Buffer',
      'OnlyOther.template.json CT.SQS.PR.1 Other',
    ]);
  } finally {
    delete process.env.KEEL_CONTROL_TOWER_CACHE;
  }
});

test('a template that no control can apply to has no finding, and cfn-guard is not asked', () => {
  const app = testApp();
  const stack = ownedTestStack(app);
  new CfnWaitConditionHandle(stack, 'Nothing');
  const templatePath = path.join(app.synth().directory, 'Test.template.json');
  process.env.KEEL_CONTROL_TOWER_CACHE = 'off';
  try {
    expect(new ControlTowerControls().validate({ templatePaths: [templatePath] } as never)).toEqual({
      success: true,
      violations: [],
    });
  } finally {
    delete process.env.KEEL_CONTROL_TOWER_CACHE;
  }
});
