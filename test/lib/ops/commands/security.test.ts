import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TeamConfig } from '../../../../lib/config/model';
import { runCli } from '../../../../lib/ops/cli';
import { tempDir } from '../../../helpers/temp-dir';

const NOW = new Date('2026-12-01T10:00:00Z');

/** Runs `keel security ...` over the repository at `root`, whose registry has the teams platform and payments. */
async function security(argv: readonly string[], root: string) {
  const out: string[] = [];
  const err: string[] = [];
  const teams = [{ id: 'platform' }, { id: 'payments' }] as TeamConfig[];
  const code = await runCli(['security', ...argv], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    repository: { root, registry: { teams } },
    now: () => NOW,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A repository at a temporary path with these files (path → content). */
function repository(files: Readonly<Record<string, string | object>>): string {
  const root = tempDir('keel-security-');
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

const acknowledged = (reason: string, expires = '2027-03-31') => ({ reason, owner: 'platform', expires });

// Made-up AWS secret access keys, built here so that this file holds none: secretlint scans this repository too.
const FAKE_AWS_SECRET = ['Zx9kQ2mP7vL4nR8s', 'T1wY6uB3cE5hJ0aD', '2fG9iK4o'].join('');
const LATER_AWS_SECRET = ['Hq3nV8bW1xT6zK4m', 'P9cR2dF7gJ5sL0yA', '8uE3tI6o'].join('');

/** A secret finding's id: rule, file, and the SHA-256 of the trimmed line, 12 hex digits. */
const secretId = (file: string, line: string) =>
  `@secretlint/secretlint-rule-aws:${file}:${createHash('sha256').update(line).digest('hex').slice(0, 12)}`;

describe('keel security secrets', () => {
  test('fails on a fake AWS secret access key in a git-tracked file, naming the file, line and rule; passes what is acknowledged, and only that', async () => {
    const keyLine = `aws_secret_access_key = "${FAKE_AWS_SECRET}"`;
    const laterLine = `aws_secret_access_key = "${LATER_AWS_SECRET}"`;
    const planted = `region = "eu-west-1"\n${keyLine}\n`;
    const root = repository({
      'config/deploy.env': planted,
      // The acknowledged key has moved down a line; a second key came after the review.
      'test/fixture.ts': `// fixture\n${planted}${laterLine}\n`,
      'untracked.env': planted,
      'security-acknowledgments.json': {
        secrets: {
          [secretId('test/fixture.ts', keyLine)]: acknowledged('a made-up key in a test fixture'),
          [secretId('gone.ts', keyLine)]: acknowledged('a file since removed'),
        },
      },
    });
    execFileSync('git', ['init', '--quiet'], { cwd: root });
    execFileSync('git', ['add', 'config/deploy.env', 'test/fixture.ts', 'security-acknowledgments.json'], {
      cwd: root,
    });

    const result = await security(['secrets'], root);

    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `✗ secrets: config/deploy.env:2: found AWS Secret Access Key: ${'*'.repeat(40)} ` +
        `(@secretlint/secretlint-rule-aws) [${secretId('config/deploy.env', keyLine)}]`,
    );
    expect(result.out).toContain(
      `✗ secrets: test/fixture.ts:4: found AWS Secret Access Key: ${'*'.repeat(40)} ` +
        `(@secretlint/secretlint-rule-aws) [${secretId('test/fixture.ts', laterLine)}]`,
    );
    expect(result.out).not.toContain(FAKE_AWS_SECRET);
    expect(result.out).not.toContain(LATER_AWS_SECRET);
    expect(result.out).not.toContain('untracked.env');
    expect(result.out).toContain(
      `✓ secrets: 1 finding(s) of "${secretId('test/fixture.ts', keyLine)}" acknowledged by platform until 2027-03-31`,
    );
    expect(result.out).toContain(`! secrets: stale acknowledgment "${secretId('gone.ts', keyLine)}"`);
    expect(result.out).toMatch(
      /\nsecurity secrets: FAILED: secretlint \S+ over 3 git-tracked file\(s\): 2 open finding\(s\), 1 acknowledged$/,
    );
  });
});

/** A package-lock.json (v3) with the root and these packages. */
function lock(packages: Readonly<Record<string, object>>): object {
  return {
    name: 'app',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'app', version: '1.0.0', license: 'Apache-2.0' }, ...packages },
  };
}

describe('keel security licences', () => {
  const packages = {
    'node_modules/left-pad': { version: '1.3.0', license: 'MIT' },
    'node_modules/either': { version: '2.0.0', license: '(MIT OR GPL-3.0-or-later)' },
    'node_modules/copyleft': { version: '4.1.0', license: 'GPL-3.0-only' },
    'node_modules/both': { version: '1.0.0', license: 'MIT AND GPL-2.0-only' },
    'node_modules/tool-only': { version: '9.0.0', license: 'GPL-3.0-only', dev: true },
    'node_modules/copyleft/node_modules/unlicensed': { version: '0.1.0', license: 'SEE LICENSE IN LICENSE.txt' },
  };

  test('fails on a GPL-3.0-only production package against the allow-list in config, naming it; dev packages are not checked', async () => {
    const root = repository({ 'package-lock.json': lock(packages) });

    const result = await security(['licences'], root);

    expect(result.code).toBe(1);
    expect(result.out).toContain(
      '✗ licences: copyleft@4.1.0 (node_modules/copyleft, package-lock.json) is licensed GPL-3.0-only, which the ' +
        'allow-list does not allow [copyleft@4.1.0]',
    );
    expect(result.out).toContain('both@1.0.0 (node_modules/both, package-lock.json) is licensed MIT AND GPL-2.0-only');
    expect(result.out).toContain(
      'unlicensed@0.1.0 (node_modules/copyleft/node_modules/unlicensed, package-lock.json) declares the licence ' +
        '"SEE LICENSE IN LICENSE.txt", not an SPDX expression',
    );
    expect(result.out).not.toMatch(/left-pad|either|tool-only/);
    expect(result.out).toMatch(
      /\nsecurity licences: FAILED: .* over 5 production package\(s\) in package-lock.json: 3 open/,
    );
  });

  test('passes when each finding is acknowledged, by name and version or by name; an expired one opens it again', async () => {
    const acknowledgments = {
      licences: {
        'copyleft@4.1.0': acknowledged('used only by the build container, never linked into a service'),
        both: acknowledged('the GPL part is its test suite, not shipped'),
        unlicensed: acknowledged('its LICENSE.txt is the MIT text'),
      },
    };
    const current = repository({
      'package-lock.json': lock(packages),
      'security-acknowledgments.json': acknowledgments,
    });
    const expired = repository({
      'package-lock.json': lock(packages),
      'security-acknowledgments.json': {
        licences: { ...acknowledgments.licences, both: acknowledged('the GPL part is its test suite', '2026-11-30') },
      },
    });

    const passed = await security(['licences'], current);
    const reopened = await security(['licences'], expired);

    expect(passed.code).toBe(0);
    expect(passed.out).toMatch(/security licences: PASSED: .*: 0 open finding\(s\), 3 acknowledged$/);
    expect(reopened.code).toBe(1);
    expect(reopened.out).toContain('✗ licences: both@1.0.0 (node_modules/both, package-lock.json) is licensed');
    expect(reopened.out).toContain(
      '✗ licences: acknowledgment "both" in security-acknowledgments.json (owner: platform) expired on 2026-11-30; ' +
        'its findings are open again',
    );
  });

  test('an expired acknowledgment that covers nothing any more is stale, not a failure; legacy names can be acknowledged', async () => {
    const root = repository({
      'package-lock.json': lock(packages),
      'security-acknowledgments.json': {
        licences: {
          'copyleft@4.1.0': acknowledged('used only by the build container'),
          both: acknowledged('the GPL part is its test suite, not shipped'),
          unlicensed: acknowledged('its LICENSE.txt is the MIT text'),
          'JSONStream@1.3.5': acknowledged('removed last month', '2026-11-30'),
        },
      },
    });

    const result = await security(['licences'], root);

    expect(result.code).toBe(0);
    expect(result.out).toContain('JSONStream@1.3.5');
    expect(result.out).not.toContain('expired on');
  });

  test('fails when an acknowledgment has no reason, owner or expiry, with one line and the fix for each', async () => {
    const root = repository({
      'package-lock.json': lock(packages),
      'security-acknowledgments.json': {
        licences: { copyleft: { owner: 'platform', expires: '2027-01-31' }, both: { reason: 'r', expires: 'soon' } },
        audit: { 'GHSA-jrc7-96c5-q579': { reason: 'r', owner: 'nobody', expires: '2027-12-31' } },
        licence: {},
      },
    });

    const result = await security(['licences'], root);

    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toEqual([
      'keel: security-acknowledgments.json: licences["copyleft"].reason is missing: an acknowledgment without a ' +
        'reason cannot be reviewed; fix: say why this finding is acceptable, specifically enough for a reviewer to judge',
      'security-acknowledgments.json: licences["both"].owner is missing; fix: name the team that owns the decision ' +
        'and will revisit it, e.g. "platform"',
      'security-acknowledgments.json: licences["both"].expires is "soon", not a date; fix: give the last day the ' +
        'acknowledgment holds as YYYY-MM-DD, e.g. "2027-03-31"',
      'security-acknowledgments.json: audit["GHSA-jrc7-96c5-q579"].owner is "nobody", not a team in the team ' +
        'registry; fix: use one of platform, payments, or add the team to lib/config/teams.ts',
      'security-acknowledgments.json: audit["GHSA-jrc7-96c5-q579"].expires is "2027-12-31", later than 2027-05-30: ' +
        "every acknowledgment is revisited within the platform's limit; fix: choose a date on or before 2027-05-30 " +
        '(platform.maxAcknowledgmentDays in lib/config/platform.ts)',
      'security-acknowledgments.json: "licence" is not a security gate whose findings can be acknowledged; fix: use "licences"',
    ]);
  });
});

describe('keel security', () => {
  test('fails when the gate is missing or unknown, naming the gates, or given --out it has no use for', async () => {
    const root = repository({});

    const none = await security([], root);
    const typo = await security(['secret'], root);
    const out = await security(['licences', '--out', 'x.json'], root);

    expect(none).toMatchObject({ code: 2, out: '' });
    expect(none.err).toBe(
      'keel: keel security takes one gate, secrets, audit, licences, all, sbom; got none: run keel security all for every release gate',
    );
    expect(typo.err).toBe(
      'keel: keel security takes one gate, secrets, audit, licences, all, sbom; got "secret": did you mean keel security secrets?',
    );
    expect(out.err).toBe(
      'keel: --out is where keel security sbom writes the SBOM; keel security licences writes no file: drop --out',
    );
  });
});
