import * as fs from 'node:fs';

/** Leftovers that are Keel's: tempDir's `keel-*` directories and the `cdk.out*` of an App without an outdir. */
const KEEL_LEFTOVER = /^(keel-|cdk\.out)/;

/**
 * Jest's globalTeardown: removes the run's temporary directory (global-setup.ts) and fails the run when a test
 * left a Keel directory in it. Other tools' caches there (tsx, jest) are removed without complaint.
 */
export default function globalTeardown(): void {
  const runDir = process.env.KEEL_TEST_RUN_TMPDIR;
  if (runDir === undefined) return;
  const outer = process.env.KEEL_TEST_OUTER_TMPDIR;
  if (outer) process.env.TMPDIR = outer;
  else delete process.env.TMPDIR;
  const leftovers = fs.readdirSync(runDir).filter((name) => KEEL_LEFTOVER.test(name));
  fs.rmSync(runDir, { recursive: true, force: true });
  if (leftovers.length > 0) {
    // mkdtemp adds six characters to the prefix: count by prefix, which names the helper or test that made them.
    const byPrefix = new Map<string, number>();
    for (const name of leftovers) byPrefix.set(name.slice(0, -6), (byPrefix.get(name.slice(0, -6)) ?? 0) + 1);
    const counted = [...byPrefix].map(([prefix, count]) => `${count} ${prefix}*`).sort();
    throw new Error(
      `the tests left ${leftovers.length} temporary directories behind (${counted.join(', ')}). ` +
        'Make them with tempDir() from test/helpers/temp-dir.ts, which removes them after the test file.',
    );
  }
}
