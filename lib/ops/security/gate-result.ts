import { EXPIRY_WARNING_DAYS } from '../../../constructs/governance/compliance-report';
import { daysUntil, parseIsoDate } from '../../../constructs/governance/iso-date';
import { SECURITY_ACKNOWLEDGMENTS_FILE, type SecurityAcknowledgment, type SecurityGate } from './acknowledgments';

/** One thing a gate found, before acknowledgments are applied. */
export interface RawFinding {
  /** The id an acknowledgment names: `<rule id>:<file>`, a GHSA id, `<package>@<version>`. */
  readonly id: string;
  /** Other ids that name the same finding in an acknowledgment: an advisory's URL, a package's bare name. */
  readonly aliases?: readonly string[];
  /** One line: what was found, and where. */
  readonly message: string;
  /** One line: how to make it go away. */
  readonly fix: string;
}

export interface GateFinding extends RawFinding {
  /** Whether a current acknowledgment covers it. */
  readonly acknowledged: boolean;
}

export interface AcknowledgmentUse extends SecurityAcknowledgment {
  /** How many findings it covers in this run; 0 when it is stale or expired. */
  readonly covered: number;
  readonly status: 'current' | 'expired' | 'stale';
  /** Days from the day of the run to its expiry; negative once expired. */
  readonly daysLeft: number;
}

/** What one gate checked, what it found, and whether the release may go on. */
export interface GateResult {
  readonly gate: SecurityGate;
  /** The tool and version that did the checking, e.g. `secretlint 11.7.1`. */
  readonly tool: string;
  /** What was checked, e.g. `320 git-tracked file(s)`. */
  readonly checked: string;
  readonly findings: readonly GateFinding[];
  /** What the gate reports without failing on it, e.g. advisories below the audit level. */
  readonly notes: readonly string[];
  readonly acknowledgments: readonly AcknowledgmentUse[];
  /** True when no finding is open and no acknowledgment of this gate has expired. */
  readonly passed: boolean;
  /** Why the gate could not run, when it could not: then it failed (an unchecked release does not pass). */
  readonly error?: string;
}

/** The first moment of `now`'s day in UTC, as expiries are compared. */
export function dayOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * Applies the gate's acknowledgments to what it found: a finding is acknowledged by a current acknowledgment of its id
 * or an alias; an expired one covers nothing (its findings are open again) and fails the gate; one that covers nothing
 * is stale.
 */
export function judge(
  gate: SecurityGate,
  raw: readonly RawFinding[],
  acknowledgments: readonly SecurityAcknowledgment[],
  now: Date,
  about: { readonly tool: string; readonly checked: string; readonly notes?: readonly string[] },
): GateResult {
  const today = dayOf(now);
  const mine = acknowledgments.filter((ack) => ack.gate === gate);
  const isCurrent = (ack: SecurityAcknowledgment) => (parseIsoDate(ack.expires) ?? today) >= today;
  const names = (finding: RawFinding) => [finding.id, ...(finding.aliases ?? [])];
  const findings = raw.map((finding) => ({
    ...finding,
    acknowledged: mine.some((ack) => isCurrent(ack) && names(finding).includes(ack.id)),
  }));
  const uses: AcknowledgmentUse[] = mine.map((ack) => {
    const matching = findings.filter((f) => names(f).includes(ack.id));
    // An expired acknowledgment fails its gate only while it still covers a finding; covering none, it is stale.
    const status = matching.length === 0 ? 'stale' : !isCurrent(ack) ? 'expired' : 'current';
    return {
      ...ack,
      covered: status === 'current' ? matching.length : 0,
      status,
      daysLeft: daysUntil(ack.expires, today),
    };
  });
  return {
    gate,
    tool: about.tool,
    checked: about.checked,
    findings,
    notes: about.notes ?? [],
    acknowledgments: uses,
    passed: findings.every((f) => f.acknowledged) && uses.every((use) => use.status !== 'expired'),
  };
}

function acknowledgmentLines(result: GateResult): string[] {
  const lines: string[] = [];
  for (const ack of result.acknowledgments) {
    const who = `${JSON.stringify(ack.id)} in ${SECURITY_ACKNOWLEDGMENTS_FILE} (owner: ${ack.owner})`;
    if (ack.status === 'expired') {
      lines.push(
        `✗ ${result.gate}: acknowledgment ${who} expired on ${ack.expires}; its findings are open again`,
        '    fix: the owner decides again: fix the finding, or renew the acknowledgment with a new expiry and a ' +
          'current reason',
      );
      continue;
    }
    if (ack.status === 'stale') {
      lines.push(`! ${result.gate}: stale acknowledgment ${who}: nothing it names was found; remove it`);
    } else {
      lines.push(
        `✓ ${result.gate}: ${ack.covered} finding(s) of ${JSON.stringify(ack.id)} acknowledged by ${ack.owner} ` +
          `until ${ack.expires}: ${ack.reason}`,
      );
    }
    if (ack.daysLeft <= EXPIRY_WARNING_DAYS) {
      lines.push(
        `! ${result.gate}: acknowledgment ${who} expires on ${ack.expires} (${ack.daysLeft} day(s) left): fix the ` +
          'finding, or renew it before then with a "renewal" record (its previous expiry, and a reviewer or a new reason)',
      );
    }
  }
  return lines;
}

/** The result for a person: each open finding with its fix, notes, each acknowledgment, then one verdict line. */
export function renderGate(result: GateResult): string[] {
  if (result.error !== undefined) {
    return [`✗ ${result.gate}: ${result.error}`, `security ${result.gate}: FAILED: the gate could not run`];
  }
  const lines: string[] = [];
  const open = result.findings.filter((f) => !f.acknowledged);
  for (const finding of open) {
    lines.push(`✗ ${result.gate}: ${finding.message} [${finding.id}]`, `    fix: ${finding.fix}`);
  }
  if (open.length > 0) {
    lines.push(
      `    or, when it is acceptable, acknowledge it in ${SECURITY_ACKNOWLEDGMENTS_FILE}, reviewed: ` +
        `{ "${result.gate}": { "<id in brackets>": { "reason": "...", "owner": "<team id>", "expires": "YYYY-MM-DD" } } }`,
    );
  }
  for (const note of result.notes) lines.push(`i ${result.gate}: ${note}`);
  lines.push(...acknowledgmentLines(result));
  const acknowledged = result.findings.length - open.length;
  const expired = result.acknowledgments.filter((ack) => ack.status === 'expired').length;
  lines.push(
    `security ${result.gate}: ${result.passed ? 'PASSED' : 'FAILED'}: ${result.tool} over ${result.checked}: ` +
      `${open.length} open finding(s), ${acknowledged} acknowledged` +
      (expired > 0 ? `, ${expired} acknowledgment(s) expired` : ''),
  );
  return lines;
}
