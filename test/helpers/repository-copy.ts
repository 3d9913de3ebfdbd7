import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './temp-dir';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/**
 * A fresh copy of this repository's files (tracked and new, as `git ls-files` lists them, without ignored ones),
 * sharing its node_modules: what a fresh clone looks like after `npm ci`. Removed after the test file.
 */
export function copyRepository(): string {
  const copy = tempDir('keel-clone-');
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter((f) => f !== '')) {
    const source = path.join(REPOSITORY_ROOT, file);
    if (!fs.existsSync(source)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(source, path.join(copy, file));
  }
  fs.symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` in `cwd` with the repository's tools on the PATH, as `npx` would. */
export function run(cwd: string, command: string, args: readonly string[]): CommandResult {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(cwd, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
