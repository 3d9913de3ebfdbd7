import { RemovalPolicy, type App, type Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from '../../../constructs';
import { KeelChecks } from '../../../constructs/governance/keel-checks';
import type { KeelRule } from '../../../constructs/governance/rules/keel-rule';
import { ownedTestStack, testApp, testStack } from '../../helpers/app';

/** A synthesized app whose one stack carries OwnershipTags and whatever `build` adds. */
function synthesizedApp(build: (stack: Stack) => void): App {
  const app = testApp();
  const stack = ownedTestStack(app);
  build(stack);
  app.synth();
  return app;
}

const noQueues: KeelRule = {
  name: 'NoQueues',
  info: 'Queues are not allowed here.',
  explanation: 'This account only runs synchronous services; use an event bus owned by the platform team instead.',
  check: (resource) =>
    resource instanceof sqs.CfnQueue ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE,
};

test('fails when a log group keeps unencrypted events forever, naming the rules and the log group', () => {
  const app = synthesizedApp((stack) => {
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE, removalPolicy: RemovalPolicy.DESTROY });
  });

  const report = new KeelChecks().validateScope(app);

  expect(report.success).toBe(false);
  expect(report.violations.map((violation) => violation.ruleName).sort()).toEqual([
    'KeelChecks-LogGroupEncryption',
    'KeelChecks-LogGroupRetention',
  ]);
  for (const violation of report.violations) {
    expect(violation.severity).toBe('error');
    expect(violation.violatingResources.map((resource) => resource.constructPath)).toEqual(['Test/Logs/Resource']);
  }
});

test('a tagged log group encrypted with its own key and a retention period passes', () => {
  const app = synthesizedApp((stack) => {
    new logs.LogGroup(stack, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: new kms.Key(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY }),
    });
  });
  expect(new KeelChecks().validateScope(app)).toEqual({ success: true, violations: [] });
});

test('fails once per missing tag, with the tag key in the rule name', () => {
  const app = testApp();
  new sqs.Queue(testStack(app), 'Queue');
  app.synth();

  const report = new KeelChecks().validateScope(app);

  expect(report.violations.map((violation) => violation.ruleName)).toEqual([
    'KeelChecks-RequiredOwnershipTags[Tag::Owner]',
    'KeelChecks-RequiredOwnershipTags[Tag::Service]',
    'KeelChecks-RequiredOwnershipTags[Tag::Environment]',
    'KeelChecks-RequiredOwnershipTags[Tag::CostCenter]',
    'KeelChecks-RequiredOwnershipTags[Tag::DataClassification]',
  ]);
  expect(report.violations[0]?.violatingResources.map((resource) => resource.constructPath)).toEqual([
    'Test/Queue/Resource',
  ]);
});

test('fails when a team rule passed in stackRules finds a violation', () => {
  const app = synthesizedApp((stack) => {
    new sqs.Queue(stack, 'Queue');
  });

  const report = new KeelChecks({ stackRules: () => [noQueues] }).validateScope(app);

  expect(report.success).toBe(false);
  const violation = report.violations.find((v) => v.ruleName === 'KeelChecks-NoQueues');
  expect(violation?.description).toBe('Queues are not allowed here.');
  expect(violation?.violatingResources.map((resource) => resource.constructPath)).toEqual(['Test/Queue/Resource']);
});

test('team rules run only when passed in stackRules', () => {
  const app = synthesizedApp((stack) => {
    new sqs.Queue(stack, 'Queue');
  });
  expect(new KeelChecks().validateScope(app)).toEqual({ success: true, violations: [] });
});
