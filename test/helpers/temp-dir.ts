import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

/**
 * A fresh directory in the OS temporary directory, removed after the test file that made it. Name it `keel-...`:
 * the run's check (test/helpers/global-teardown.ts) fails on a `keel-` directory that is still there at the end.
 */
export function tempDir(prefix = 'keel-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory `tempDir` has made so far; runs by itself after each test file. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

// Jest loads this module afresh for each test file, so the hook below runs once at the end of every file that
// uses tempDir, directly or through a helper. Being registered on import, it runs before the file's own top-level
// afterAll hooks: those must not need the directories.
afterAll(removeTempDirs);
