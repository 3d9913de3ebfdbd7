import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where Keel keeps what it computed in an earlier synth, one folder per cache: `node_modules/.cache/keel/` beside
 * the other build caches (`npm ci` clears it; deleting it is always safe), or KEEL_CACHE_DIRECTORY, which the
 * pipeline's synth step points outside node_modules so that CodeBuild can keep it between builds
 * (constructs/delivery/build-cache.ts). bin/typescript-hook.cjs follows the same rule for compiled TypeScript.
 */
export function keelCacheDirectory(name: string): string {
  const root =
    process.env.KEEL_CACHE_DIRECTORY ??
    path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), '..', '.cache', 'keel');
  return path.join(root, name);
}

/**
 * A validator's findings kept between synths in `directory` (see keelCacheDirectory), one JSON file per key.
 * `envSwitch=off` in the environment always misses.
 */
export class ResultCache<T> {
  constructor(
    private readonly directory: string,
    private readonly envSwitch: string,
  ) {}

  /** A key for `parts`, which must name everything the result depends on (versions, rules, template bytes). */
  public static key(...parts: readonly string[]): string {
    const hash = crypto.createHash('sha256');
    for (const part of parts) hash.update(`${part.length}:${part}`);
    return hash.digest('hex');
  }

  /** The kept findings, or undefined when there are none, they cannot be read, or the cache is switched off. */
  public read(key: string): T[] | undefined {
    if (process.env[this.envSwitch] === 'off') return undefined;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file(key), 'utf8'));
      return Array.isArray(parsed) ? (parsed as T[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps findings; written aside and renamed, so a synth running at the same time never reads half an entry. */
  public write(key: string, results: readonly T[]): void {
    try {
      fs.mkdirSync(this.directory, { recursive: true });
      const written = `${this.file(key)}.${process.pid}.tmp`;
      fs.writeFileSync(written, JSON.stringify(results));
      fs.renameSync(written, this.file(key));
    } catch {
      // The cache is an optimisation: a read-only node_modules must not fail the synth.
    }
  }

  private file(key: string): string {
    return path.join(this.directory, `${key}.json`);
  }
}
