import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, CloudFormationValidatePlugin, type IPolicyValidationContext } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Compliance, acknowledge } from '../../../constructs';
import {
  CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY,
  CachedCloudFormationValidate,
} from '../../../constructs/governance/cloudformation-validate-cache';
import { ownedTestStack, testApp, testStack } from '../../helpers/app';
import { tempDir } from '../../helpers/temp-dir';

const decision = {
  reason: 'A parameter type the test needs so that the validator has something to say.',
  owner: 'commerce',
  expires: '2027-01-31',
};

/** An SSM parameter of a type that does not exist (W3030); the value makes the template one no run checked before. */
const badParameter = (value: string) => ({
  type: 'AWS::SSM::Parameter',
  properties: { Type: 'Queue', Value: value },
});

let engineRuns: jest.SpyInstance;
beforeEach(() => {
  engineRuns = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
});
afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.KEEL_CLOUDFORMATION_VALIDATE_CACHE;
});

/** For the tests that only count the engine's runs: no engine starts (about 3 s each), and it finds nothing. */
function withoutEngine(): void {
  engineRuns.mockReturnValue({ success: true, violations: [] });
  jest
    .spyOn(CloudFormationValidatePlugin.prototype as unknown as { initializeEngine: () => void }, 'initializeEngine')
    .mockReturnValue(undefined);
}

/** A synthesized stack with two bad parameters, and the context aws-cdk-lib would give a validator for it. */
function synthesized(value: string = randomUUID()): IPolicyValidationContext {
  const app = testApp();
  const stack = testStack(app);
  new CfnResource(stack, 'First', badParameter(value));
  new CfnResource(stack, 'Second', badParameter(`${value}-2`));
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).templateFullPath;
  const stackTemplates = [
    { stackConstructPath: 'Test', templatePath: template, accountId: '111111111111', region: 'eu-west-1' },
  ];
  return {
    templatePaths: [template],
    stackTemplates,
    appConstruct: app,
    accountId: '111111111111',
    region: 'eu-west-1',
  };
}

test("replays exactly what aws-cdk-lib's validator reports without running the engine, and checks an unreadable entry again", () => {
  const context = synthesized();
  const original = new CloudFormationValidatePlugin().validate(context);
  expect(original.violations.map((v) => v.ruleName)).toContain('W3030');
  const cacheDirectory = tempDir('keel-cfn-validate-cache-');
  const plugin = new CachedCloudFormationValidate(cacheDirectory);
  const cold = plugin.validate(context);
  const runsBefore = engineRuns.mock.calls.length;
  const warm = new CachedCloudFormationValidate(cacheDirectory).validate(context);
  expect(engineRuns.mock.calls.length).toBe(runsBefore);
  expect(cold).toStrictEqual(original);
  expect(warm).toStrictEqual(original);

  // An entry that cannot be read is checked again.
  for (const file of fs.readdirSync(cacheDirectory)) fs.writeFileSync(path.join(cacheDirectory, file), '{');
  expect(plugin.validate(context)).toStrictEqual(original);
  expect(engineRuns.mock.calls.length).toBe(runsBefore + 1);
});

test('a changed template misses the cache', () => {
  withoutEngine();
  const cacheDirectory = tempDir('keel-cfn-validate-cache-');
  new CachedCloudFormationValidate(cacheDirectory).validate(synthesized('one'));
  const runsBefore = engineRuns.mock.calls.length;
  new CachedCloudFormationValidate(cacheDirectory).validate(synthesized('two'));
  expect(engineRuns.mock.calls.length).toBe(runsBefore + 1);
});

test('another aws-cdk-lib or engine version misses the cache', () => {
  withoutEngine();
  const cacheDirectory = tempDir('keel-cfn-validate-cache-');
  const context = synthesized();
  new CachedCloudFormationValidate(cacheDirectory, { cdk: '2.276.0', engine: '1.14.0' }).validate(context);
  const runsBefore = engineRuns.mock.calls.length;
  new CachedCloudFormationValidate(cacheDirectory, { cdk: '2.277.0', engine: '1.14.0' }).validate(context);
  new CachedCloudFormationValidate(cacheDirectory, { cdk: '2.276.0', engine: '1.15.0' }).validate(context);
  expect(engineRuns.mock.calls.length).toBe(runsBefore + 2);
});

test('KEEL_CLOUDFORMATION_VALIDATE_CACHE=off always runs the engine', () => {
  withoutEngine();
  const cacheDirectory = tempDir('keel-cfn-validate-cache-');
  const context = synthesized();
  new CachedCloudFormationValidate(cacheDirectory).validate(context);
  process.env.KEEL_CLOUDFORMATION_VALIDATE_CACHE = 'off';
  const runsBefore = engineRuns.mock.calls.length;
  new CachedCloudFormationValidate(cacheDirectory).validate(context);
  expect(engineRuns.mock.calls.length).toBe(runsBefore + 1);
});

test('runs only where aws-cdk-lib would run its own validator', () => {
  expect(CachedCloudFormationValidate.forApp(testApp())).toBeUndefined();
  expect(CachedCloudFormationValidate.forApp(testApp({}, { cloudFormationValidation: true }))).toBeInstanceOf(
    CachedCloudFormationValidate,
  );
  process.env.CDK_VALIDATION = 'false';
  try {
    expect(CachedCloudFormationValidate.forApp(testApp({}, { cloudFormationValidation: true }))).toBeUndefined();
  } finally {
    delete process.env.CDK_VALIDATION;
  }
});

describe('through the compliance report', () => {
  const created: string[] = [];
  afterAll(() => {
    for (const file of created) fs.rmSync(file, { force: true });
  });

  /** An app whose one bad parameter sits at `Test/<group>/Queue`, with the same logical id wherever it sits. */
  function reported(value: string, group: string, acknowledged: boolean) {
    const app = testApp({}, { cloudFormationValidation: true });
    const compliance = new Compliance(app, { now: new Date('2026-11-30T00:00:00Z'), print: () => undefined });
    const stack = ownedTestStack(app);
    const queue = new CfnResource(new Construct(stack, group), 'Queue', badParameter(value));
    queue.overrideLogicalId('Queue');
    if (acknowledged) acknowledge(queue, { id: 'CloudFormation-Validate::W3030', ...decision });
    compliance.addStack(stack);
    const before = new Set(
      fs.existsSync(CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY)
        ? fs.readdirSync(CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY)
        : [],
    );
    const result = compliance.synth();
    for (const file of fs.readdirSync(CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY)) {
      if (!before.has(file)) created.push(path.join(CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY, file));
    }
    return result.report.rules.find((r) => r.ruleId === 'CloudFormation-Validate::W3030');
  }

  test('a cached finding keeps its severity and rule, takes the current construct path, and honours acknowledgments', () => {
    const value = randomUUID();
    const cold = reported(value, 'Old', false);
    expect(cold).toMatchObject({ source: 'CloudFormation Validate', open: [{ path: 'Test/Old/Queue' }] });
    const runsBefore = engineRuns.mock.calls.length;
    const warm = reported(value, 'New', false);
    const acknowledgedWarm = reported(value, 'New', true);
    expect(engineRuns.mock.calls.length).toBe(runsBefore);
    expect(warm).toStrictEqual({
      ...cold,
      open: cold?.open.map((finding) => ({ ...finding, path: 'Test/New/Queue' })),
    });
    expect(acknowledgedWarm?.open).toEqual([]);
    expect(acknowledgedWarm?.acknowledged.map((f) => f.path)).toEqual(['Test/New/Queue']);
  });
});
