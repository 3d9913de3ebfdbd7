import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Jest's globalSetup: gives this run a temporary directory of its own, so that global-teardown.ts can tell what the
 * run left behind, whatever other runs on the machine are doing. Workers start after this and inherit TMPDIR, and
 * so do the commands the tests spawn.
 */
export default function globalSetup(): void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-keel-run-'));
  process.env.KEEL_TEST_RUN_TMPDIR = runDir;
  process.env.KEEL_TEST_OUTER_TMPDIR = process.env.TMPDIR ?? '';
  process.env.TMPDIR = runDir;
}
