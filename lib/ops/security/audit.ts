import { EXIT, KeelCliError } from '../errors';
import type { RawFinding } from './gate-result';
import { firstLine, runTool } from './tools';

/** npm's severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The lowest severity that fails the release: a high or critical advisory in a production dependency. Moderate and
 * low ones are listed in the gate's output without failing it (README: Security gates).
 */
export const AUDIT_LEVEL: Severity = 'high';

/** One advisory in `npm audit --json` (report version 2): an object in a vulnerable package's `via`. */
interface Advisory {
  readonly source?: number;
  readonly name?: string;
  readonly title?: string;
  readonly url?: string;
  readonly severity?: Severity;
  readonly range?: string;
}

/** One vulnerable package in `npm audit --json`. */
interface Vulnerability {
  readonly name: string;
  readonly severity: Severity;
  readonly isDirect?: boolean;
  readonly via: readonly (string | Advisory)[];
  readonly effects?: readonly string[];
  readonly range?: string;
  readonly fixAvailable?:
    boolean | { readonly name: string; readonly version: string; readonly isSemVerMajor: boolean };
}

/** What `npm audit --json` prints: a report, or, when the registry could not answer, an error. */
interface AuditReport {
  readonly auditReportVersion?: number;
  readonly vulnerabilities?: Readonly<Record<string, Vulnerability>>;
  readonly metadata?: { readonly dependencies?: { readonly prod?: number; readonly total?: number } };
  readonly message?: string;
  readonly error?: { readonly summary?: string; readonly detail?: string } | string;
}

export interface AuditFindings {
  readonly checked: string;
  readonly findings: readonly RawFinding[];
  /** Advisories below the level, one line each. */
  readonly notes: readonly string[];
}

/** `GHSA-xxxx-xxxx-xxxx` from a GitHub advisory URL; the URL itself, or npm's source number, otherwise. */
function advisoryId(advisory: Advisory): string {
  return (
    /\/(GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$/.exec(advisory.url ?? '')?.[1] ??
    advisory.url ??
    `npm-${advisory.source}`
  );
}

function fixOf(vulnerability: Vulnerability): string {
  const fix = vulnerability.fixAvailable;
  if (fix === true) return 'run npm audit fix --omit=dev, then npm test, and commit package-lock.json';
  if (fix && typeof fix === 'object') {
    return (
      `upgrade ${fix.name} to ${fix.version}${fix.isSemVerMajor ? ' (a major version: read its changelog)' : ''}, ` +
      'then npm test, and commit package.json and package-lock.json'
    );
  }
  return 'no fixed version is released: replace the dependency, or acknowledge the advisory with a reason and an expiry';
}

/**
 * The advisories in a `npm audit --omit=dev --json` report (npm 7 and later, report version 2), each once by its
 * GHSA id (or URL), with the production packages it reaches: those at `level` or above are findings, the others notes.
 * @throws KeelCliError (gate failed) when the output is npm's error instead of a report: an audit that could not run
 *   does not pass.
 */
export function auditFindings(output: string, level: Severity = AUDIT_LEVEL): AuditFindings {
  let report: AuditReport;
  try {
    report = JSON.parse(output) as AuditReport;
  } catch {
    report = { message: output.trim().split('\n')[0] || 'no output' };
  }
  if (report.auditReportVersion !== 2 || typeof report.vulnerabilities !== 'object' || !report.vulnerabilities) {
    const said = report.message ?? (typeof report.error === 'string' ? report.error : report.error?.summary);
    throw new KeelCliError(
      `npm audit gave no report (${said ?? 'an unknown answer'}); the gate fails closed. Fix: make the ` +
        "registry's advisory endpoint (POST /-/npm/v1/security/advisories/bulk) reachable, then rerun",
      EXIT.unhealthy,
    );
  }
  const advisories = new Map<string, { advisory: Advisory; packages: Set<string>; fix: string }>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue; // a package reached through another one, listed under that one
      const id = advisoryId(via);
      const entry = advisories.get(id) ?? { advisory: via, packages: new Set<string>(), fix: fixOf(vulnerability) };
      entry.packages.add(vulnerability.name);
      for (const effect of vulnerability.effects ?? []) entry.packages.add(effect);
      advisories.set(id, entry);
    }
  }
  const atLeast = (severity: Severity | undefined) =>
    SEVERITIES.indexOf(severity ?? 'critical') >= SEVERITIES.indexOf(level);
  const findings: RawFinding[] = [];
  const notes: string[] = [];
  for (const [id, { advisory, packages, fix }] of advisories) {
    const message =
      `${advisory.severity ?? 'unknown severity'} advisory in ${advisory.name} ${advisory.range ?? ''}`.trimEnd() +
      `: ${advisory.title ?? id} (reaches ${[...packages].sort().join(', ')}; ${advisory.url ?? id})`;
    if (atLeast(advisory.severity)) {
      findings.push({ id, aliases: advisory.url ? [advisory.url] : [], message, fix });
    } else {
      notes.push(`${message}: below the gate's level (${level}); ${fix} [${id}]`);
    }
  }
  const production = report.metadata?.dependencies?.prod;
  return {
    checked: `${production ?? 'the'} production dependencies (level: ${level} and above fail)`,
    findings,
    notes,
  };
}

/**
 * Runs `npm audit --omit=dev --audit-level=<level> --json` in `root` and returns what it prints. It asks the
 * registry's advisory database, so it needs the network; its exit code is not read: auditFindings judges the report.
 */
export async function runNpmAudit(
  root: string,
  level: Severity = AUDIT_LEVEL,
): Promise<{ tool: string; output: string }> {
  const [audit, version] = await Promise.all([
    runTool('npm', ['audit', '--omit=dev', `--audit-level=${level}`, '--json'], root),
    runTool('npm', ['--version'], root),
  ]);
  if (audit.code === undefined) {
    throw new KeelCliError(`npm could not run (${firstLine(audit)}); the gate fails closed`, EXIT.unhealthy);
  }
  return { tool: `npm audit ${version.stdout.trim()}`, output: audit.stdout };
}
