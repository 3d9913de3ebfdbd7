import type { PackFinding } from './finding-log';
import type { RecordedAcknowledgment } from './acknowledge';

/**
 * Where every synth writes its compliance report, inside the cloud assembly directory. It lives here, in a file
 * without runtime imports, so the `keel` CLI reads the report without loading the compliance engine.
 */
export const COMPLIANCE_REPORT_FILE = 'keel-compliance.json';

/** From this many days before its expiry, every synth names an acknowledgment and where it is made. */
export const EXPIRY_WARNING_DAYS = 30;

/** One rule's findings across the app. */
export interface RuleFindings {
  readonly ruleId: string;
  /** The pack or validator that reported it. */
  readonly source: string;
  readonly severity: string;
  readonly info: string;
  /** Resources (construct paths) that fail the rule with no acknowledgment: each fails the synth. */
  readonly open: readonly { readonly path: string; readonly findingId: string }[];
  /** Resources whose finding is acknowledged, and where. */
  readonly acknowledged: readonly {
    readonly path: string;
    readonly findingId: string;
    readonly acknowledgedAt: string;
  }[];
}

export interface AcknowledgmentStatus extends RecordedAcknowledgment {
  /** Whole days until it expires; negative once expired. */
  readonly daysLeft: number;
  /** How many findings it covered in this synth. */
  readonly findingsCovered: number;
  /** False when the acknowledged rule's pack did not run where the acknowledgment is (e.g. NIST in dev). */
  readonly evaluated: boolean;
  /** True when its rule ran but it covered nothing: the rule no longer fires there, so it should be removed. */
  readonly stale: boolean;
}

/** `cdk.out/keel-compliance.json`: what was checked, what was found, what was acknowledged, by whom and until when. */
export interface ComplianceReport {
  readonly version: 1;
  readonly generatedAt: string;
  /** False only when compliance was switched off for a measurement (`-c keel:compliance=off`). */
  readonly enabled: boolean;
  readonly result: 'pass' | 'fail' | 'off';
  readonly packs: readonly {
    readonly name: string;
    readonly stacks: readonly string[];
    readonly resourcesChecked: number;
  }[];
  readonly stacks: number;
  readonly resourcesChecked: number;
  readonly findings: { readonly total: number; readonly acknowledged: number; readonly open: number };
  readonly rules: readonly RuleFindings[];
  readonly acknowledgments: readonly AcknowledgmentStatus[];
  readonly warnings: readonly string[];
}

/** A finding from any source, in one shape. */
export interface Finding {
  readonly source: string;
  readonly ruleId: string;
  readonly findingId: string;
  readonly path: string;
  readonly severity: string;
  readonly info: string;
  readonly acknowledgedAt?: string;
}

export function fromPackFinding(finding: PackFinding): Finding {
  return { ...finding, source: finding.pack };
}

/** Groups findings by rule, open ones first within each rule. */
export function groupByRule(findings: readonly Finding[]): RuleFindings[] {
  const rules = new Map<
    string,
    { base: Finding; open: RuleFindings['open'][number][]; acked: RuleFindings['acknowledged'][number][] }
  >();
  for (const finding of findings) {
    const key = `${finding.source}\u0000${finding.ruleId}`;
    let entry = rules.get(key);
    if (!entry) rules.set(key, (entry = { base: finding, open: [], acked: [] }));
    if (finding.acknowledgedAt === undefined) entry.open.push({ path: finding.path, findingId: finding.findingId });
    else entry.acked.push({ path: finding.path, findingId: finding.findingId, acknowledgedAt: finding.acknowledgedAt });
  }
  return [...rules.values()]
    .map(({ base, open, acked }) => ({
      ruleId: base.ruleId,
      source: base.source,
      severity: base.severity,
      info: base.info,
      open,
      acknowledged: acked,
    }))
    .sort((a, b) => b.open.length - a.open.length || a.ruleId.localeCompare(b.ruleId));
}

/** True when `path` is `scope` or lies under it. */
export function isUnder(path: string, scope: string): boolean {
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

/**
 * Construct paths grouped by their first segment (a service's Stage or stack): what `near` returns holds every path
 * that can be under, or above, a given path.
 */
export class PathsByRoot {
  private readonly byRoot = new Map<string, string[]>();
  private readonly all: string[] = [];

  constructor(paths: readonly string[] = []) {
    for (const p of paths) this.add(p);
  }

  public add(constructPath: string): void {
    const root = rootOf(constructPath);
    if (!this.byRoot.has(root)) this.byRoot.set(root, []);
    this.byRoot.get(root)?.push(constructPath);
    this.all.push(constructPath);
  }

  /** The paths that share `constructPath`'s first segment; every path for the app itself (''). */
  public near(constructPath: string): readonly string[] {
    return constructPath === ''
      ? this.all
      : [...(this.byRoot.get(rootOf(constructPath)) ?? []), ...(this.byRoot.get('') ?? [])];
  }
}

const rootOf = (constructPath: string): string => constructPath.split('/', 1)[0];

const pad = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/** The acknowledgment that expires first (or expired last), if any. */
export function nearestExpiry(acks: readonly AcknowledgmentStatus[]): AcknowledgmentStatus | undefined {
  const upcoming = acks.filter((a) => a.daysLeft >= 0).sort((a, b) => a.daysLeft - b.daysLeft);
  return upcoming[0] ?? [...acks].sort((a, b) => b.daysLeft - a.daysLeft)[0];
}

/** The short table printed after every synth, and how to act on each open finding. */
export function renderSummary(report: ComplianceReport): string[] {
  if (!report.enabled) {
    return [
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!! Keel compliance is OFF (-c keel:compliance=off). No rule pack ran. This switch exists only to measure  !!',
      '!! synth time; never deploy what this synth produced.                                                    !!',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ];
  }
  const lines = [
    `Keel compliance: ${report.stacks} stack(s), ${report.resourcesChecked} resource(s) checked by ${report.packs.map((p) => p.name).join(', ')}`,
  ];
  if (report.rules.length > 0) {
    lines.push(`  ${pad('rule', 58)} ${pad('source', 16)} ${'open'.padStart(5)} ${'acked'.padStart(6)}`);
    for (const rule of report.rules) {
      lines.push(
        `  ${pad(rule.ruleId, 58)} ${pad(rule.source, 16)} ${String(rule.open.length).padStart(5)} ${String(rule.acknowledged.length).padStart(6)}`,
      );
    }
  }
  const expiringSoon = report.acknowledgments.filter((a) => a.daysLeft >= 0 && a.daysLeft <= EXPIRY_WARNING_DAYS);
  const expired = report.acknowledgments.filter((a) => a.daysLeft < 0).length;
  const stale = report.acknowledgments.filter((a) => a.stale).length;
  lines.push(
    `  acknowledgments: ${report.acknowledgments.length} (${expiringSoon.length} expiring within ${EXPIRY_WARNING_DAYS} days, ${stale} stale)`,
  );
  const nearest = nearestExpiry(report.acknowledgments);
  if (nearest && (expiringSoon.length > 0 || expired > 0)) {
    lines.push(
      `  expiring: ${expiringSoon.length} within ${EXPIRY_WARNING_DAYS} days, ${expired} expired; the nearest on ${nearest.expires} (${nearest.daysLeft} day(s) left), each named below`,
    );
  }
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  const open = report.rules.flatMap((rule) => rule.open.map((finding) => ({ ...finding, info: rule.info })));
  for (const finding of open) {
    lines.push(`  ✗ ${finding.findingId} on ${finding.path}: ${finding.info.replace(/\s+/g, ' ')}`);
  }
  if (open.length > 0) {
    lines.push(
      '  Fix each resource, or acknowledge the finding on its construct (or an ancestor) with Keel:',
      "    acknowledge(construct, { id: '<rule id as shown>', reason: '<why it is acceptable, 20+ characters>', owner: '<team id>', expires: 'YYYY-MM-DD' })",
    );
  }
  lines.push(
    report.result === 'pass'
      ? `  PASS: ${report.findings.total} finding(s), all acknowledged`
      : `  FAIL: ${report.findings.open} unacknowledged finding(s) of ${report.findings.total}`,
  );
  return lines;
}
