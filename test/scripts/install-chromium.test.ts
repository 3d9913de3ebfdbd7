import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from '../helpers/repository-copy';
import { removeTempDirs, tempDir } from '../helpers/temp-dir';

afterAll(removeTempDirs);

const SCRIPT = path.join(REPOSITORY_ROOT, 'scripts', 'install-chromium.cjs');

/** Runs the install script (or a copy of it with another pin) with `env` added. */
function install(args: string[], env: Record<string, string> = {}, pin?: string) {
  let script = SCRIPT;
  if (pin) {
    script = path.join(tempDir('keel-install-chromium-'), 'install-chromium.cjs');
    fs.writeFileSync(script, fs.readFileSync(SCRIPT, 'utf8').replace(/^const PIN = '.*';$/m, `const PIN = '${pin}';`));
  }
  // The machine's own CHROMIUM or KEEL_BROWSER_CHECK would stop the script before what a test looks at.
  const clean = { ...process.env, CHROMIUM: '', KEEL_BROWSER_CHECK: '' };
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...clean, ...env } });
}

/** The newest chromium build apt offers now, from this machine's real package lists. */
const offered = /^\s*chromium \| (\S+) \|/m.exec(
  spawnSync('apt-cache', ['madison', 'chromium'], { encoding: 'utf8' }).stdout ?? '',
)?.[1];

test('does nothing, silently, when Chromium is installed (npm test runs it first)', () => {
  expect(fs.existsSync('/usr/bin/chromium')).toBe(true);
  const result = install([]);
  expect([result.status, result.stdout, result.stderr]).toEqual([0, '', '']);
});

test('fails when CHROMIUM names no file, in one line that says what to do', () => {
  const result = install([], { CHROMIUM: '/nonexistent/chrome' });
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    'keel: CHROMIUM=/nonexistent/chrome does not exist: point it at a Chrome or Chromium executable, or unset it to ' +
      "install Debian's chromium 156.0.8078.114-1~deb12u1 at /usr/bin/chromium",
  ]);
});

// From this machine's real package lists (apt-cache); --dry-run prints the apt-get command instead of running it.
(offered ? describe : describe.skip)('with apt offering chromium', () => {
  test('installs the pinned chromium and chromium-common, with fonts and without recommended packages', () => {
    const result = install(['--dry-run'], {}, offered);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      `would run: apt-get install -y -qq --no-install-recommends chromium=${offered} chromium-common=${offered} fonts-liberation\n`,
    );
  });

  test('installs the newest chromium, saying so, when the pinned build is no longer in the mirror', () => {
    const result = install(['--dry-run'], {}, '1.0-gone~deb12u1');
    expect(result.status).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^keel: chromium 1\.0-gone~deb12u1 is no longer in the mirror \(it offers \d[^)]*\); installing the newest instead: move PIN in scripts\/install-chromium\.cjs to the version installed$/,
      ),
    ]);
    expect(result.stdout).toBe(
      'would run: apt-get install -y -qq --no-install-recommends chromium chromium-common fonts-liberation\n',
    );
  });
});

test('installs nothing when KEEL_BROWSER_CHECK=off (the service pipelines), saying the browser check is skipped', () => {
  const result = install(['--dry-run'], { KEEL_BROWSER_CHECK: 'off' });
  expect([result.status, result.stdout]).toEqual([0, '']);
  expect(result.stderr).toBe(
    "keel: KEEL_BROWSER_CHECK=off: Chromium is not installed, and npm test skips the audit report's browser check\n",
  );
});
