import * as fs from 'node:fs';
import * as path from 'node:path';
import { cfnLintExecutable } from '../../../lib/ops/cfn-lint';
import { runCli } from '../../../lib/ops/cli';
import { thisRepository } from '../../../lib/ops/commands/repository';
import type { ValidationResult } from '../../../lib/ops/validate';
import { removeTempDirs, tempDir } from '../../helpers/manifest';

const NOW = new Date('2027-01-15T09:00:00Z');

/** Two topics that each wait for the other: CloudFormation can create neither. */
const CIRCULAR = {
  Resources: {
    AlertsTopic: {
      Type: 'AWS::SNS::Topic',
      DependsOn: 'AuditTopic',
      Metadata: { 'aws:cdk:path': 'Loop-dev/Alerts/Resource' },
    },
    AuditTopic: {
      Type: 'AWS::SNS::Topic',
      DependsOn: 'AlertsTopic',
      Metadata: { 'aws:cdk:path': 'Loop-dev/Audit/Resource' },
    },
  },
};

/** A parameter nothing uses: cfn-lint's warning W2001. */
const UNUSED_PARAMETER = {
  Parameters: { Unused: { Type: 'String' } },
  Resources: { AlertsTopic: { Type: 'AWS::SNS::Topic', Metadata: { 'aws:cdk:path': 'Quiet-dev/Alerts/Resource' } } },
};

/** A cloud assembly holding `template` as the one stack of a Stage, in a nested assembly as CDK Pipelines writes it. */
function assemblyWith(stackName: string, template: unknown): string {
  const dir = tempDir('keel-validate-');
  const nested = path.join(dir, `assembly-${stackName}`);
  fs.mkdirSync(nested);
  fs.writeFileSync(path.join(nested, 'Service.template.json'), JSON.stringify(template, undefined, 2));
  const manifest = {
    version: '48.0.0',
    artifacts: {
      Service: {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/eu-west-1',
        properties: { templateFile: 'Service.template.json', stackName },
      },
    },
  };
  fs.writeFileSync(path.join(nested, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/** A repository root with `acknowledgments` as its cfn-lint-acknowledgments.json (none when undefined). */
function repositoryWith(acknowledgments?: unknown): string {
  const root = tempDir('keel-validate-root-');
  if (acknowledgments !== undefined) {
    fs.writeFileSync(path.join(root, 'cfn-lint-acknowledgments.json'), JSON.stringify(acknowledgments));
  }
  return root;
}

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function validate(argv: readonly string[], root = repositoryWith(), cfnLint?: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.env.KEEL_CFN_LINT;
  if (cfnLint !== undefined) process.env.KEEL_CFN_LINT = cfnLint;
  try {
    const code = await runCli(['validate', ...argv], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      repository: { root, registry: thisRepository().registry },
      now: () => NOW,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (before === undefined) delete process.env.KEEL_CFN_LINT;
    else process.env.KEEL_CFN_LINT = before;
  }
}

/** A stand-in for cfn-lint that prints `stdout` and `stderr` and exits with `code`. */
function fakeCfnLint(stdout: string, stderr: string, code: number): string {
  const file = path.join(tempDir('keel-fake-cfn-lint-'), 'cfn-lint');
  fs.writeFileSync(file, `#!/bin/sh\nprintf '%s' '${stdout}'\nprintf '%s\\n' '${stderr}' >&2\nexit ${code}\n`, {
    mode: 0o755,
  });
  return file;
}

/**
 * cfn-lint's answer on the UNUSED_PARAMETER assembly: the real cfn-lint runs once, through `keel validate`, and a
 * script records what it printed and its exit code; later runs replay them. The tests of the acknowledgment rules
 * need cfn-lint's real report on that template, not another second of Python each.
 */
let replayed: Promise<string> | undefined;
function recordedCfnLint(): Promise<string> {
  replayed ??= (async () => {
    const dir = tempDir('keel-cfn-lint-replay-');
    const [stdout, status, version] = ['stdout', 'status', 'version'].map((file) => `'${path.join(dir, file)}'`);
    const script = (name: string, lines: string[]): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, ['#!/bin/sh', ...lines, ''].join('\n'), { mode: 0o755 });
      return file;
    };
    const real = JSON.stringify(cfnLintExecutable().path);
    const recorder = script('record', [
      `if [ "$1" = --version ]; then ${real} --version | tee ${version}; exit; fi`,
      `${real} "$@" > ${stdout}`,
      `echo $? > ${status}`,
      `cat ${stdout}`,
      `exit $(cat ${status})`,
    ]);
    await validate([assemblyWith('Quiet-dev', UNUSED_PARAMETER)], repositoryWith(), recorder);
    return script('cfn-lint', [
      `if [ "$1" = --version ]; then cat ${version}; exit; fi`,
      `cat ${stdout}`,
      `exit $(cat ${status})`,
    ]);
  })();
  return replayed;
}

/** `keel validate` of a fresh UNUSED_PARAMETER assembly with `root`'s acknowledgments, cfn-lint's report replayed. */
async function validateUnusedParameter(root: string, ...flags: string[]): Promise<Run> {
  return validate([assemblyWith('Quiet-dev', UNUSED_PARAMETER), ...flags], root, await recordedCfnLint());
}

const W2001 = { reason: 'the stack takes a parameter for a later feature', owner: 'platform', expires: '2027-03-31' };

afterAll(removeTempDirs);

test('fails when a template has a circular dependency, naming E3004, both resources and their construct paths', async () => {
  const result = await validate([assemblyWith('Loop-dev', CIRCULAR)]);
  expect(result.code).toBe(1);
  expect(result.out).toContain(
    '✗ E3004 error on Loop-dev/Alerts/Resource (AlertsTopic in stack Loop-dev, assembly-Loop-dev/Service.template.json)',
  );
  expect(result.out).toContain('✗ E3004 error on Loop-dev/Audit/Resource (AuditTopic in stack Loop-dev');
  expect(result.out).toContain('Circular dependency with [AuditTopic]');
  expect(result.out).toContain('    fix: break the loop');
  expect(result.out).toMatch(/cfn-lint \d+\.\d+\.\d+: 1 template\(s\), 2 error\(s\), 0 warning\(s\) open/);
});

test('fails when a warning is not acknowledged, and reports it to machines with --json', async () => {
  const result = await validateUnusedParameter(repositoryWith(), '--json');
  expect(result.code).toBe(1);
  const report = JSON.parse(result.out) as ValidationResult;
  expect(report).toMatchObject({ errors: 0, openWarnings: 1, acknowledgedWarnings: 0, passed: false });
  expect(report.regions).toEqual(['eu-west-1']);
  expect(report.findings).toEqual([
    expect.objectContaining({
      rule: 'W2001',
      severity: 'warning',
      stack: 'Quiet-dev',
      location: 'Parameters/Unused',
      acknowledged: false,
    }),
  ]);
});

test('passes when the warning is acknowledged, saying by whom and until when, and reports a stale one', async () => {
  const stale = { reason: 'aws-cdk-lib emits redundant DependsOn', owner: 'platform', expires: '2027-05-15' };
  const root = repositoryWith({ W2001, W3005: stale });
  const result = await validateUnusedParameter(root);
  expect(result.code).toBe(0);
  expect(result.out).toContain(`✓ 1 W2001 warning(s) acknowledged by platform until 2027-03-31: ${W2001.reason}`);
  expect(result.out).toContain('! stale acknowledgment W3005 in cfn-lint-acknowledgments.json (owner: platform)');
  expect(result.out).toMatch(/: 1 template\(s\), 0 error\(s\), 0 warning\(s\) open, 1 warning\(s\) acknowledged$/);
});

test('fails when the acknowledgment has expired: the warning is open again and the owner must decide again', async () => {
  const root = repositoryWith({ W2001: { ...W2001, expires: '2027-01-14' } });
  const result = await validateUnusedParameter(root);
  expect(result.code).toBe(1);
  expect(result.out).toContain('✗ W2001 warning on Parameters/Unused (stack Quiet-dev');
  expect(result.out).toContain(
    '✗ acknowledgment W2001 in cfn-lint-acknowledgments.json (owner: platform) expired on 2027-01-14',
  );
  expect(result.out).toMatch(/1 warning\(s\) open, 0 warning\(s\) acknowledged, 1 acknowledgment\(s\) expired$/);
});

test('fails when an acknowledgment has no reason, acknowledges an error, or names an unknown owner', async () => {
  const root = repositoryWith({
    W2001: { owner: 'platform', expires: '2027-03-31' },
    E3004: W2001,
    W3005: { ...W2001, owner: 'billing', expires: '31.03.2027' },
  });
  const result = await validateUnusedParameter(root);
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toContain('cfn-lint-acknowledgments.json has 4 problem(s); nothing was validated');
  expect(result.err).toContain('- W2001.reason is missing: an acknowledgment without a reason cannot be reviewed');
  expect(result.err).toContain('- E3004 is an error rule; errors always fail\n    fix: fix the template');
  expect(result.err).toContain('- W3005.owner is "billing", not a team in the team registry');
  expect(result.err).toContain('- W3005.expires is "31.03.2027", not a date\n    fix: give the last day');
});

test('fails when an acknowledgment expires later than the platform allows, naming the last day it may', async () => {
  const root = repositoryWith({ W2001: { ...W2001, expires: '2099-12-31' } });
  const result = await validateUnusedParameter(root);
  expect(result.code).toBe(2);
  expect(result.err).toContain(
    '- W2001.expires is "2099-12-31", later than 2027-07-14: every acknowledgment is revisited within the ' +
      "platform's limit\n    fix: choose a date on or before 2027-07-14 (platform.maxAcknowledgmentDays",
  );
});

test('fails when cfn-lint is missing, saying how to install it', async () => {
  const missing = path.join(tempDir('keel-no-cfn-lint-'), 'cfn-lint');
  const result = await validate([assemblyWith('Quiet-dev', UNUSED_PARAMETER)], repositoryWith(), missing);
  expect(result.code).toBe(2);
  expect(result.err).toBe(
    `keel: KEEL_CFN_LINT is ${missing}, which does not exist: point it at a cfn-lint executable, or unset it and ` +
      "install it with 'npm run setup' (or: node scripts/install-python-tools.cjs cfn-lint), which needs Python 3",
  );
});

test('fails, never passes, when cfn-lint crashes or prints something that is not its report', async () => {
  const assembly = assemblyWith('Quiet-dev', UNUSED_PARAMETER);
  const crash = await validate([assembly], repositoryWith(), fakeCfnLint('', 'Traceback: KeyError boom', 1));
  expect(crash.code).toBe(2);
  expect(crash.err).toContain('failed with exit code 1; nothing was validated. It said:\nTraceback: KeyError boom');
  const garbled = await validate([assembly], repositoryWith(), fakeCfnLint('[{"Lev', '', 0));
  expect(garbled.code).toBe(2);
  expect(garbled.err).toContain('exited with 0 without its JSON report');
  const contradicting = await validate([assembly], repositoryWith(), fakeCfnLint('[]', '', 2));
  expect(contradicting.code).toBe(2);
  expect(contradicting.err).toContain('exited with 2, but its findings make 0');
});

test('fails when there is no cloud assembly, or no template in it, saying to synthesize first', async () => {
  const nowhere = path.join(tempDir('keel-validate-'), 'cdk.out');
  expect(await validate([nowhere])).toMatchObject({
    code: 2,
    err: expect.stringContaining(`no cloud assembly at ${nowhere}: run 'npx cdk synth' first`),
  });
  const empty = tempDir('keel-validate-');
  expect(await validate([empty])).toMatchObject({
    code: 2,
    err: expect.stringContaining(`no *.template.json in ${empty}: run 'npx cdk synth' first`),
  });
  expect((await validate([empty, 'extra'])).err).toBe(
    'keel: keel validate takes one cloud assembly directory: keel validate [cdk.out]',
  );
});

test('names an acknowledgment from 30 days before it expires, with how to renew it, and not earlier', async () => {
  const soon = await validateUnusedParameter(repositoryWith({ W2001: { ...W2001, expires: '2027-02-04' } }));
  expect(soon.code).toBe(0);
  expect(soon.out).toContain(
    '! acknowledgment W2001 in cfn-lint-acknowledgments.json (owner: platform) expires on 2027-02-04 (20 day(s) left): ' +
      'fix the warnings, or renew it before then with a "renewal" record',
  );
  const later = await validateUnusedParameter(repositoryWith({ W2001: { ...W2001, expires: '2027-02-15' } }));
  expect(later.out).not.toContain('expires on');
});
