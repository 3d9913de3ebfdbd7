import * as fs from 'node:fs';
import * as path from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import { closest } from '../arguments';
import { usageError } from '../errors';
import type { RawFinding } from './gate-result';

/** One package in a v2/v3 package-lock.json's `packages`, by its path (`node_modules/a/node_modules/b`). */
interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly license?: unknown;
  readonly dev?: boolean;
  readonly link?: boolean;
}

/** A package installed in production, with the licence its lock entry declares. */
export interface ProductionPackage {
  readonly name: string;
  readonly version: string;
  /** Where the lock installs it. */
  readonly location: string;
  readonly license?: string;
}

/**
 * The packages of a package-lock.json (lockfile version 2 or 3) that a production install (`npm ci --omit=dev`)
 * installs: every entry of `packages` but the root, links and those marked `dev`. Optional and `devOptional` entries
 * are kept: `--omit=dev` installs them (`devOptional` ones are needed by an optional production dependency).
 * @throws KeelCliError (usage) when the file is not a lockfile with `packages`.
 */
export function productionPackages(lockFile: string): ProductionPackage[] {
  let lock: { lockfileVersion?: number; packages?: Readonly<Record<string, LockEntry>> };
  try {
    lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as typeof lock;
  } catch (error) {
    throw usageError(`licences: ${lockFile} cannot be read (${(error as Error).message}); fix: run npm install`);
  }
  if (typeof lock.packages !== 'object' || lock.packages === null) {
    throw usageError(
      `licences: ${lockFile} has no "packages" (lockfileVersion ${lock.lockfileVersion ?? 'missing'}); ` +
        'fix: regenerate it with npm 7 or later (npm install --package-lock-only)',
    );
  }
  return Object.entries(lock.packages)
    .filter(([location, entry]) => location !== '' && !entry.dev && !entry.link)
    .map(([location, entry]) => ({
      name: entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? 'unknown',
      location,
      ...(typeof entry.license === 'string' ? { license: entry.license } : {}),
    }));
}

/**
 * Whether an SPDX expression's terms are allowed: an id when it is in `allowed` (`GPL-2.0+` and `X WITH exception`
 * as their base id: an exception only grants more), `A OR B` when either side is, `A AND B` when both are.
 */
function allowedBy(info: parseSpdx.Info, allowed: ReadonlySet<string>): boolean {
  if ('conjunction' in info) {
    return info.conjunction === 'or'
      ? allowedBy(info.left, allowed) || allowedBy(info.right, allowed)
      : allowedBy(info.left, allowed) && allowedBy(info.right, allowed);
  }
  return allowed.has(info.license);
}

/** Whether `value` is one SPDX licence id, e.g. `MIT`, not an expression or a typo. */
export function isSpdxId(value: string): boolean {
  try {
    const info = parseSpdx(value);
    return 'license' in info && info.license === value && !info.plus && !info.exception;
  } catch {
    return false;
  }
}

/** The SPDX licence ids, from the list spdx-expression-parse itself reads (spdx-license-ids). */
function spdxIds(): string[] {
  const list = require.resolve('spdx-license-ids', { paths: [path.dirname(require.resolve('spdx-expression-parse'))] });
  return JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
}

/** The SPDX id `value` probably means: the same letters and digits (`Apache 2.0`), or a close spelling (`MTI`). */
export function closestSpdxId(value: string): string | undefined {
  const ids = spdxIds();
  const plain = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return ids.find((id) => plain(id) === plain(value)) ?? closest(value, ids);
}

/**
 * Checks the production packages of `lockFile` against `allowed` (SPDX ids): a package whose declared licence is not
 * allowed, or that declares none an SPDX parser accepts, is a finding with the id `<name>@<version>` (an acknowledgment
 * may also name `<name>`, for every version).
 * @throws KeelCliError (usage) when an allowed entry is not an SPDX id, or the lockfile is unreadable.
 */
export function licenceFindings(
  lockFile: string,
  allowed: readonly string[],
): { checked: string; findings: RawFinding[] } {
  const notId = allowed.find((id) => !isSpdxId(id));
  if (notId !== undefined) {
    const meant = closestSpdxId(notId);
    throw usageError(
      `platform.licences.allowed (lib/config/platform.ts): ${JSON.stringify(notId)} is not an SPDX licence id; fix: ` +
        (meant ? `write "${meant}"` : 'write the id as https://spdx.org/licenses/ lists it'),
    );
  }
  const allow = new Set(allowed);
  const packages = productionPackages(lockFile);
  const findings = packages.flatMap((pkg): RawFinding[] => {
    let info: parseSpdx.Info | undefined;
    try {
      info = pkg.license === undefined ? undefined : parseSpdx(pkg.license);
    } catch {
      info = undefined;
    }
    if (info && allowedBy(info, allow)) return [];
    const id = `${pkg.name}@${pkg.version}`;
    const where = `${id} (${pkg.location}, ${path.basename(lockFile)})`;
    return [
      info
        ? {
            id,
            aliases: [pkg.name],
            message: `${where} is licensed ${pkg.license}, which the allow-list does not allow`,
            fix:
              'replace or remove the dependency; or, if the licence is acceptable for every service, ask the ' +
              'platform team to add its SPDX id to platform.licences.allowed in lib/config/platform.ts',
          }
        : {
            id,
            aliases: [pkg.name],
            message: `${where} declares ${pkg.license === undefined ? 'no licence' : `the licence ${JSON.stringify(pkg.license)}, not an SPDX expression`}`,
            fix: "read the package's licence; replace it, or acknowledge it with what the licence is and why it is acceptable",
          },
    ];
  });
  return { checked: `${packages.length} production package(s) in ${path.basename(lockFile)}`, findings };
}
