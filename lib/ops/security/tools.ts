import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** This repository, whose node_modules holds the gates' tools (secretlint, CycloneDX), installed by `npm ci`. */
export const KEEL_ROOT = path.resolve(__dirname, '..', '..', '..');

/** What a tool printed, and how it ended. */
export interface ToolRun {
  /** The exit code; `undefined` when it could not start or was killed. */
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it could not start, e.g. `spawn npm ENOENT`. */
  readonly failure?: string;
}

/** Runs `command` with `args` in `cwd` to its end, without a shell; its output is kept whole (up to 512 MiB). */
export function runTool(command: string, args: readonly string[], cwd: string): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
      const failure = error && code === undefined ? error.message : undefined;
      resolve({ code, stdout, stderr, ...(failure ? { failure } : {}) });
    });
  });
}

/** A Node script of a package in this repository's node_modules, e.g. `secretlint/bin/secretlint.js`. */
export function nodeModule(relative: string): string {
  return path.join(KEEL_ROOT, 'node_modules', relative);
}

/** `<name> <version>` of a package installed in this repository's node_modules. */
export function packageVersion(name: string): string {
  const manifest = JSON.parse(fs.readFileSync(nodeModule(`${name}/package.json`), 'utf8')) as { version: string };
  return `${name} ${manifest.version}`;
}

/** The first line of what a tool said when it failed, to quote it in one line. */
export function firstLine(run: ToolRun): string {
  const said = (run.failure ?? run.stderr.trim()) || run.stdout.trim();
  return said.split('\n')[0].slice(0, 300) || `exit code ${run.code}`;
}
