import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from '../helpers/repository-copy';

/** Runs the install script from a fresh folder with no .venv, as on a fresh clone, with `env` added. */
function installFresh(env: Record<string, string>, args: string[] = []) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-install-'));
  try {
    fs.mkdirSync(path.join(root, 'scripts'));
    const script = path.join(root, 'scripts', 'install-python-tools.cjs');
    fs.copyFileSync(path.join(REPOSITORY_ROOT, 'scripts', 'install-python-tools.cjs'), script);
    const result = spawnSync(process.execPath, [script, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    return { ...result, venvCreated: fs.existsSync(path.join(root, '.venv')) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('fails when Python 3 is absent, in one line that says how to install it, and installs nothing', () => {
  const result = installFresh({ PYTHON: '/nonexistent/python3' });
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    'keel: Python 3 is needed to install moto and cfn-lint into .venv, and /nonexistent/python3 was not found: ' +
      'install Python 3 with venv (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python), ' +
      'or set PYTHON to a Python 3 interpreter',
  ]);
  expect(result.venvCreated).toBe(false);
});

test('fails when the interpreter is not Python 3, naming what it is', () => {
  const result = installFresh({ PYTHON: process.execPath }, ['cfn-lint']);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^keel: Python 3 is needed to install cfn-lint into \.venv, and .* is "v\d+/);
});
