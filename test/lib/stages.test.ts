import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { KeelValidationError } from '../../constructs';
import { StageFailures, isUserMistake, synthesizeStages } from '../../lib/stages';
import { testApp as app } from '../helpers/app';

/** A Stage with one stack, whose resource fails validation with `message` when given. */
function stage(scope: Construct, id: string, message?: string): Stage {
  const built = new Stage(scope, id);
  const resource = new CfnResource(new Stack(built, 'Stack'), 'Thing', { type: 'Test::Thing' });
  if (message) resource.node.addValidation({ validate: () => [message] });
  return built;
}

describe('synthesizing every Stage', () => {
  test('reports each failing Stage with its own message, where aws-cdk-lib stops at the first', () => {
    const root = app();
    stage(root, 'Dev', 'runbook section missing in dev');
    stage(root, 'Staging');
    stage(root, 'Prod', 'runbook section missing in prod');
    expect(() => root.synth()).toThrow(/missing in dev/);
    const failures = synthesizeStages(root);
    expect(failures.map((f) => f.stage)).toEqual(['Dev', 'Prod']);
    expect(failures[0].message).toContain('[Dev/Stack/Thing] runbook section missing in dev');
    expect(failures[1].message).toContain('[Prod/Stack/Thing] runbook section missing in prod');
  });

  test('reports a Stage inside a Stage once, and does not try the Stage that holds it', () => {
    const root = app();
    const outer = stage(root, 'Outer');
    stage(outer, 'Inner', 'inner is wrong');
    expect(synthesizeStages(root)).toEqual([
      { stage: 'Outer/Inner', message: expect.stringContaining('inner is wrong') },
    ]);
  });

  test("leaves the App's own synth the same: it reuses each Stage's assembly", () => {
    const root = app();
    const dev = stage(root, 'Dev');
    expect(synthesizeStages(root)).toEqual([]);
    const early = dev.synth();
    const assembly = root.synth();
    expect(dev.synth()).toBe(early);
    expect(assembly.getNestedAssembly('assembly-Dev').stacks.map((s) => s.stackName)).toEqual(['Dev-Stack']);
  });

  test('lets an error that is not a user mistake through as it is', () => {
    const root = app();
    const broken = stage(root, 'Broken');
    broken.node.addValidation({
      validate: () => {
        throw new TypeError('a bug');
      },
    });
    expect(() => synthesizeStages(root)).toThrow(TypeError);
  });
});

describe('the failures of a synth', () => {
  test('read as one message listing every Stage and its problems, indented under it', () => {
    const error = new StageFailures([
      { stage: 'Orders-dev', message: 'Invalid alarm:\n  - a\n    fix: b' },
      { stage: 'Orders-prod', message: 'Invalid alarm:\n  - c' },
    ]);
    expect(error.message).toBe(
      [
        'Synth failed in 2 Stage(s) (Orders-dev, Orders-prod); every problem of each:',
        '',
        'Orders-dev:',
        '  Invalid alarm:',
        '    - a',
        '      fix: b',
        '',
        'Orders-prod:',
        '  Invalid alarm:',
        '    - c',
      ].join('\n'),
    );
    expect(isUserMistake(error)).toBe(true);
    expect(isUserMistake(new KeelValidationError('x', []))).toBe(true);
    expect(isUserMistake(new Error('a bug'))).toBe(false);
  });
});
