import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CFN_LINT_INSTALL_HINT,
  assemblyTemplates,
  cfnLintExecutable,
  requireCfnLint,
  runCfnLint,
} from '../../../lib/ops/cfn-lint';
import { removeTempDirs, tempDir } from '../../helpers/manifest';
import { cliFailure } from '../../helpers/refusal';

afterAll(removeTempDirs);

const failure = (run: () => unknown) => cliFailure(Promise.resolve().then(run));

/**
 * A stand-in for cfn-lint that records its arguments in `args.txt` beside it, prints `stdout`, exits with `code`,
 * and says `cfn-lint 9.9.9` to `--version`.
 */
function fakeCfnLint(stdout: string, code: number): { path: string; fromEnv: boolean; args: () => string[] } {
  const dir = tempDir('keel-fake-cfn-lint-');
  const file = path.join(dir, 'cfn-lint');
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo "cfn-lint 9.9.9"; exit 0; fi',
      `printf '%s\\n' "$@" > '${dir}/args.txt'`,
      `printf '%s' '${stdout}'`,
      `exit ${code}`,
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    path: file,
    fromEnv: true,
    args: () => fs.readFileSync(path.join(dir, 'args.txt'), 'utf8').trim().split('\n'),
  };
}

describe('cfnLintExecutable', () => {
  test("runs KEEL_CFN_LINT when it is set, else the repository's pinned .venv/bin/cfn-lint", () => {
    expect(cfnLintExecutable({ KEEL_CFN_LINT: 'tools/cfn-lint' })).toEqual({
      path: path.resolve('tools/cfn-lint'),
      fromEnv: true,
    });
    expect(cfnLintExecutable({})).toEqual({
      path: path.join(__dirname, '..', '..', '..', '.venv', 'bin', 'cfn-lint'),
      fromEnv: false,
    });
  });
});

describe('requireCfnLint', () => {
  test('fails when cfn-lint is missing, saying how to install it or to fix KEEL_CFN_LINT', async () => {
    const missing = path.join(tempDir(), 'cfn-lint');

    const pinned = await failure(() => requireCfnLint({ path: missing, fromEnv: false }));
    const fromEnv = await failure(() => requireCfnLint({ path: missing, fromEnv: true }));

    expect(pinned).toMatchObject({
      exitCode: 2,
      message: `cfn-lint is not installed at ${missing}: ${CFN_LINT_INSTALL_HINT}`,
    });
    expect(fromEnv.message).toMatch(/^KEEL_CFN_LINT is .+, which does not exist: point it at a cfn-lint executable/);
  });
});

describe('assemblyTemplates', () => {
  test('lists the templates of the assembly and its nested Stage assemblies with stack names, regions and paths', () => {
    const dir = tempDir('keel-assembly-');
    fs.mkdirSync(path.join(dir, 'assembly-Shop-prod'));
    fs.writeFileSync(path.join(dir, 'Pipeline.template.json'), JSON.stringify({ Resources: {} }));
    const resource = { Type: 'AWS::SNS::Topic', Metadata: { 'aws:cdk:path': 'Shop-prod/Alerts/Resource' } };
    fs.writeFileSync(
      path.join(dir, 'assembly-Shop-prod', 'Service.template.json'),
      JSON.stringify({ Resources: { Alerts: resource, Bare: { Type: 'AWS::SNS::Topic' } } }),
    );
    fs.writeFileSync(
      path.join(dir, 'assembly-Shop-prod', 'manifest.json'),
      JSON.stringify({
        artifacts: {
          Service: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://111111111111/eu-west-1',
            properties: { templateFile: 'Service.template.json', stackName: 'Shop-prod' },
          },
        },
      }),
    );

    expect(assemblyTemplates(dir)).toEqual([
      { file: 'Pipeline.template.json', stack: 'Pipeline.template.json', constructPaths: {} },
      {
        file: path.join('assembly-Shop-prod', 'Service.template.json'),
        stack: 'Shop-prod',
        region: 'eu-west-1',
        constructPaths: { Alerts: 'Shop-prod/Alerts/Resource' },
      },
    ]);
  });

  test('fails when there is no assembly, or no template in it, saying to synthesize first', async () => {
    const empty = tempDir();
    const nowhere = path.join(empty, 'cdk.out');

    expect((await failure(() => assemblyTemplates(nowhere))).message).toBe(
      `no cloud assembly at ${nowhere}: run 'npx cdk synth' first, or pass its directory`,
    );
    expect((await failure(() => assemblyTemplates(empty))).message).toBe(
      `no *.template.json in ${empty}: run 'npx cdk synth' first, or pass the cdk.out directory`,
    );
  });
});

describe('runCfnLint', () => {
  const warning = {
    Filename: 'S.template.json',
    Level: 'Warning',
    Message: 'Parameter Unused not used',
    Rule: { Id: 'W2001' },
  };

  test('runs cfn-lint once, as JSON, without its own config files, for the regions given, and reads its matches', async () => {
    const cfnLint = fakeCfnLint(JSON.stringify([warning]), 4);

    const run = await runCfnLint(cfnLint, tempDir(), ['S.template.json'], ['eu-west-1', 'us-east-1']);

    expect(run).toEqual({ version: '9.9.9', matches: [warning] });
    expect(cfnLint.args()).toEqual([
      ...['--format', 'json', '--non-zero-exit-code', 'informational', '--config-file', '/dev/null'],
      ...['--regions', 'eu-west-1', 'us-east-1', '--', 'S.template.json'],
    ]);
  });

  test('fails, never passes, when its exit code and its findings disagree or its report is not a list of findings', async () => {
    const silent = await failure(() => runCfnLint(fakeCfnLint('[]', 4), tempDir(), ['S.template.json'], []));
    const odd = await failure(() =>
      runCfnLint(fakeCfnLint('[{"Level":"Fatal"}]', 2), tempDir(), ['S.template.json'], []),
    );

    expect(silent.exitCode).toBe(2);
    expect(silent.message).toContain('exited with 4, but its findings make 0; nothing was validated');
    expect(odd.message).toContain('exited with 2 with JSON that is not a list of findings');
  });
});
