import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  COMPLIANCE_REPORT_FILE,
  EXPIRY_WARNING_DAYS,
  type ComplianceReport,
} from '../../constructs/governance/compliance-report';
import { renderComplianceReportHtml } from './compliance-report-html';
import { renderComplianceSarif, type SarifInputs } from './compliance-report-sarif';
import { usageError } from './errors';

export type ReportFormat = 'md' | 'html' | 'json' | 'sarif';

/** "Expires next" lists at least this many acknowledgments, and every one within EXPIRY_WARNING_DAYS. */
export const EXPIRES_NEXT_COUNT = 10;

type AcknowledgmentStatus = ComplianceReport['acknowledgments'][number];

/** What expires next: expired ones first, then by days left; every one within the warning window, and at least 10. */
export function expiresNext(report: ComplianceReport): AcknowledgmentStatus[] {
  const sorted = [...report.acknowledgments].sort((a, b) => a.daysLeft - b.daysLeft || a.id.localeCompare(b.id));
  const soon = sorted.filter((a) => a.daysLeft <= EXPIRY_WARNING_DAYS).length;
  return sorted.slice(0, Math.max(soon, EXPIRES_NEXT_COUNT));
}

export function loadComplianceReport(assemblyDir: string): ComplianceReport {
  const file = path.join(assemblyDir, COMPLIANCE_REPORT_FILE);
  if (!fs.existsSync(file))
    throw usageError(`no ${COMPLIANCE_REPORT_FILE} in ${assemblyDir}: run 'npx cdk synth' first`);
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ComplianceReport;
  if (report.version !== 1)
    throw usageError(`${file} has report version ${JSON.stringify(report.version)}; this keel reads version 1`);
  return report;
}

const renewalText = (renewal: NonNullable<AcknowledgmentStatus['renewal']>): string =>
  `from ${renewal.previousExpiry}, ${
    renewal.reviewer
      ? `reviewed by ${renewal.reviewer}`
      : renewal.previousReason
        ? 'new reason'
        : `emergency ${renewal.emergency ?? ''}`
  }`;

/**
 * An audit-ready report: packs run, findings by rule, acknowledgments with owner, reason and expiry.
 * @param sarif what the SARIF log takes besides the report: the constructs' source lines (compliance-report-sarif.ts)
 */
export function renderComplianceReport(
  report: ComplianceReport,
  format: ReportFormat,
  sarif: SarifInputs = {},
): string {
  if (format === 'json') return `${JSON.stringify(report, undefined, 2)}\n`;
  if (format === 'sarif') return renderComplianceSarif(report, sarif);
  const soon = (days: number) => days >= 0 && days <= EXPIRY_WARNING_DAYS;
  const rows = {
    packs: report.packs.map((p) => [p.name, p.stacks.join(', ') || '-', String(p.resourcesChecked)]),
    rules: report.rules.map((r) => [
      r.ruleId,
      r.source,
      r.severity,
      String(r.open.length),
      String(r.acknowledged.length),
    ]),
    acks: report.acknowledgments.map((a) => [
      a.id,
      a.path,
      a.owner,
      a.reason,
      a.expires,
      `${a.daysLeft}${soon(a.daysLeft) ? ' (expiring soon)' : ''}`,
      a.stale ? 'stale' : a.evaluated ? `${a.findingsCovered} finding(s)` : 'rule not run here',
    ]),
  };
  const next = expiresNext(report).map((a) => [
    a.expires,
    String(a.daysLeft),
    a.id,
    a.path,
    a.owner,
    a.site ?? '-',
    a.renewal ? renewalText(a.renewal) : '-',
  ]);
  const nextTitle = `Expires next (${next.length} of ${report.acknowledgments.length})`;
  const heads = {
    next: ['expires', 'days left', 'rule', 'construct', 'owner', 'acknowledged at', 'renewal'],
    packs: ['pack', 'stacks', 'resources checked'],
    rules: ['rule', 'source', 'severity', 'open', 'acknowledged'],
    acks: ['rule', 'construct', 'owner', 'reason', 'expires', 'days left', 'covers'],
  };
  const summary = `Result: ${report.result.toUpperCase()}. ${report.stacks} stacks, ${report.resourcesChecked} resources checked; ${report.findings.total} findings, ${report.findings.acknowledged} acknowledged, ${report.findings.open} open. Generated ${report.generatedAt}.`;
  if (format === 'md') {
    const table = (head: string[], body: string[][]) =>
      [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---').join(' | ')} |`,
        ...body.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
      ].join('\n');
    const acks = rows.acks.map((r, i) => (soon(report.acknowledgments[i].daysLeft) ? r.map((c) => `**${c}**`) : r));
    return [
      '# Keel compliance report',
      '',
      summary,
      '',
      '## Packs run',
      '',
      table(heads.packs, rows.packs),
      '',
      '## Findings by rule',
      '',
      table(heads.rules, rows.rules),
      '',
      `## Acknowledgments (expiring within ${EXPIRY_WARNING_DAYS} days in bold)`,
      '',
      table(heads.acks, acks),
      '',
      `## ${nextTitle}`,
      '',
      table(heads.next, next),
      '',
    ].join('\n');
  }
  return renderComplianceReportHtml(report, expiresNext(report));
}
