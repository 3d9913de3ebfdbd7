import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';
import { OwnershipTags } from '../../constructs';
import { tempDir } from './temp-dir';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The repository's own cdk.json context: feature flags and placeholder accounts, as `cdk synth` sees them. */
export const repositoryContext: Readonly<Record<string, unknown>> = cdkJson.context;

export interface TestAppOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validator at synth, as `cdk synth` does. Its engine costs about 3 s to
   * start in every test file, so construct tests leave it off; the tests of whole apps (test/lib/synth.test.ts, the
   * teams, the services), of the compliance engine, and test/constructs/cloudformation-validation.test.ts (every
   * construct variant in one app) turn it on.
   * @default false
   */
  readonly cloudFormationValidation?: boolean;
}

/**
 * An App with the repository's context, writing its assembly to a temporary directory removed after the test file.
 * Like `cdk synth` (SYNTH_APP_PROPS in lib/synth.ts), it records no creation stack trace per construct: under Jest,
 * whose source-map support maps every frame, those cost up to a second per test file.
 */
export function testApp(context: Record<string, unknown> = {}, options: TestAppOptions = {}): App {
  return new App({
    context: { ...repositoryContext, [DISABLE_CREATION_STACK_TRACES]: true, ...context },
    outdir: tempDir('keel-test-'),
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
}

/** A stack in a test app, in a fixed account and region. */
export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A test stack whose resources carry the ownership tags, so only the rule under test can fire. */
export function ownedTestStack(app: App = testApp()): Stack {
  const stack = testStack(app);
  new OwnershipTags(stack, 'OwnershipTags', {
    owner: 'commerce',
    service: 'orders',
    environment: 'dev',
    costCenter: 'CC-1',
    dataClassification: 'internal',
  });
  return stack;
}

/** The handler construct tests point functions at. */
export const ECHO_HANDLER = path.join(__dirname, 'echo-handler.ts');

/** A test app that skips asset bundling, for tests that don't test bundling. */
export function unbundledTestApp(context: Record<string, unknown> = {}, options: TestAppOptions = {}): App {
  return testApp({ 'aws:cdk:bundling-stacks': [], ...context }, options);
}
