import * as path from 'node:path';
import { assemblyTemplates, requireCfnLint, runCfnLint, type CfnLintMatch } from './cfn-lint';
import {
  CFN_LINT_ACKNOWLEDGMENTS_FILE,
  loadCfnLintAcknowledgments,
  type CfnLintAcknowledgment,
} from './cfn-lint-acknowledgments';
import { EXPIRY_WARNING_DAYS } from '../../constructs/governance/compliance-report';
import { daysUntil, parseIsoDate } from '../../constructs/governance/iso-date';

/** Fixes Keel states in its own words, for rules whose cfn-lint description says what is checked, not what to do. */
const FIXES: Readonly<Record<string, string>> = {
  E3004:
    'break the loop: remove or move one DependsOn, Ref, Fn::GetAtt or Fn::Sub between the resources named ' +
    '(often a grant or policy that closes the cycle); CloudFormation cannot create a circular dependency',
};

/** One cfn-lint finding, placed in the stack and construct it is about. */
export interface ValidationFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'informational';
  /** The stack name from the assembly's manifest, or the template file. */
  readonly stack: string;
  /** The template file, relative to the cloud assembly. */
  readonly template: string;
  /** The resource's logical id, when the finding is about a resource. */
  readonly logicalId?: string;
  /** The resource's construct path (`aws:cdk:path`), when the template records it. */
  readonly constructPath?: string;
  /** Where in the template, e.g. `Resources/AlertsTopic/DependsOn`. */
  readonly location: string;
  readonly message: string;
  readonly fix: string;
  /** Whether a current acknowledgment covers it. */
  readonly acknowledged: boolean;
}

export interface AcknowledgmentUse extends CfnLintAcknowledgment {
  /** How many warnings it covers in this run; 0 when it is stale or expired. */
  readonly covered: number;
  readonly status: 'current' | 'expired' | 'stale';
  /** Days from the day of the run to its expiry; negative once expired. */
  readonly daysLeft: number;
}

export interface ValidationResult {
  readonly cfnLintVersion: string;
  readonly assembly: string;
  readonly templates: readonly string[];
  readonly regions: readonly string[];
  readonly findings: readonly ValidationFinding[];
  readonly acknowledgments: readonly AcknowledgmentUse[];
  readonly errors: number;
  readonly openWarnings: number;
  readonly acknowledgedWarnings: number;
  /** True when there is no error, no open warning and no expired acknowledgment. */
  readonly passed: boolean;
}

export interface ValidateOptions {
  /** The cfn-lint to run, from `cfnLintExecutable()`. */
  readonly cfnLint: { path: string; fromEnv: boolean };
  /** The repository root that holds `cfn-lint-acknowledgments.json`. */
  readonly root: string;
  /**
   * The team ids an acknowledgment's owner must be one of.
   * @default - any non-empty owner
   */
  readonly knownOwners?: readonly string[];
  /** The moment acknowledgments are judged against. */
  readonly now: Date;
  /**
   * How many days ahead an acknowledgment may expire at most, as for the compliance engine's acknowledgments.
   * @default 180
   */
  readonly maxAcknowledgmentDays?: number;
  readonly onProgress?: (line: string) => void;
}

const SEVERITY = { Error: 'error', Warning: 'warning', Informational: 'informational' } as const;

function fixOf(match: CfnLintMatch): string {
  const rule = match.Rule;
  const described = FIXES[rule.Id] ?? rule.Description ?? rule.ShortDescription ?? 'see the rule';
  return `${described} (${rule.Id}: ${rule.Source ?? 'https://github.com/aws-cloudformation/cfn-lint'})`;
}

/**
 * Runs cfn-lint over every template of the cloud assembly in `assemblyDir` and judges its findings: errors always
 * fail; a warning fails unless its rule is acknowledged, unexpired, in `cfn-lint-acknowledgments.json`.
 * @throws KeelCliError (usage) when there is no template, the acknowledgments file is malformed, or cfn-lint is
 *   missing or crashes.
 */
export async function validate(assemblyDir: string, options: ValidateOptions): Promise<ValidationResult> {
  const today = new Date(Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth(), options.now.getUTCDate()));
  const latestExpiry = new Date(today.getTime() + (options.maxAcknowledgmentDays ?? 180) * 24 * 60 * 60 * 1000);
  const acknowledgments = loadCfnLintAcknowledgments(options.root, { knownOwners: options.knownOwners, latestExpiry });
  const templates = assemblyTemplates(assemblyDir);
  const regions = [...new Set(templates.flatMap((t) => (t.region ? [t.region] : [])))].sort();
  requireCfnLint(options.cfnLint);
  options.onProgress?.(`cfn-lint: checking ${templates.length} template(s) in ${path.resolve(assemblyDir)} ...`);
  const run = await runCfnLint(
    options.cfnLint,
    assemblyDir,
    templates.map((t) => t.file),
    regions,
  );

  const current = new Map(
    acknowledgments.filter((ack) => (parseIsoDate(ack.expires) ?? today) >= today).map((ack) => [ack.rule, ack]),
  );
  const byFile = new Map(templates.map((t) => [t.file, t]));
  const findings: ValidationFinding[] = run.matches.map((match) => {
    const template = byFile.get(path.normalize(match.Filename));
    const where = match.Location?.Path ?? [];
    const logicalId = where[0] === 'Resources' && typeof where[1] === 'string' ? where[1] : undefined;
    const constructPath = logicalId ? template?.constructPaths[logicalId] : undefined;
    return {
      rule: match.Rule.Id,
      severity: SEVERITY[match.Level],
      stack: template?.stack ?? match.Filename,
      template: match.Filename,
      ...(logicalId ? { logicalId } : {}),
      ...(constructPath ? { constructPath } : {}),
      location: where.join('/'),
      message: match.Message,
      fix: fixOf(match),
      acknowledged: match.Level === 'Warning' && current.has(match.Rule.Id),
    };
  });

  const uses: AcknowledgmentUse[] = acknowledgments.map((ack) => {
    const covered = findings.filter((f) => f.acknowledged && f.rule === ack.rule).length;
    const fired = findings.some((f) => f.rule === ack.rule);
    const daysLeft = daysUntil(ack.expires, today);
    const status = !current.has(ack.rule) ? 'expired' : fired ? 'current' : 'stale';
    return { ...ack, covered, status, daysLeft };
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const openWarnings = findings.filter((f) => f.severity === 'warning' && !f.acknowledged).length;
  return {
    cfnLintVersion: run.version,
    assembly: path.resolve(assemblyDir),
    templates: templates.map((t) => t.file),
    regions,
    findings,
    acknowledgments: uses,
    errors,
    openWarnings,
    acknowledgedWarnings: findings.filter((f) => f.acknowledged).length,
    passed: errors === 0 && openWarnings === 0 && uses.every((use) => use.status !== 'expired'),
  };
}

function describe(finding: ValidationFinding): string {
  const where = finding.constructPath ?? (finding.location || finding.template);
  const resource = finding.logicalId ? `${finding.logicalId} in ` : '';
  const stack =
    finding.stack === finding.template ? `template ${finding.template}` : `stack ${finding.stack}, ${finding.template}`;
  const mark = finding.severity === 'informational' ? 'i' : '✗';
  return `${mark} ${finding.rule} ${finding.severity} on ${where} (${resource}${stack}): ${finding.message}`;
}

/** The result for a person: each open finding with its fix, each acknowledgment, then one summary line. */
export function renderValidation(result: ValidationResult): string[] {
  const lines: string[] = [];
  for (const finding of result.findings) {
    if (finding.acknowledged) continue;
    lines.push(describe(finding), `    fix: ${finding.fix}`);
  }
  for (const ack of result.acknowledgments) {
    const who = `${ack.rule} in ${CFN_LINT_ACKNOWLEDGMENTS_FILE} (owner: ${ack.owner})`;
    if (ack.status === 'expired') {
      lines.push(
        `✗ acknowledgment ${who} expired on ${ack.expires}; its warnings are open again`,
        '    fix: the owner decides again: fix the warnings, or renew the acknowledgment with a new expiry and a ' +
          'current reason',
      );
    } else if (ack.status === 'stale') {
      lines.push(
        `! stale acknowledgment ${who}: ${ack.rule} fired in none of the ${result.templates.length} template(s); ` +
          'remove it',
      );
    } else {
      lines.push(
        `✓ ${ack.covered} ${ack.rule} warning(s) acknowledged by ${ack.owner} until ${ack.expires}: ${ack.reason}`,
      );
    }
    if (ack.status !== 'expired' && ack.daysLeft <= EXPIRY_WARNING_DAYS) {
      lines.push(
        `! acknowledgment ${who} expires on ${ack.expires} (${ack.daysLeft} day(s) left): fix the warnings, or renew ` +
          'it before then with a "renewal" record (its previous expiry, and a reviewer or a new reason; ' +
          'constructs/governance/README.md, "Renew an acknowledgment")',
      );
    }
  }
  if (result.openWarnings > 0) {
    lines.push(
      `Fix each warning, or acknowledge its rule for every template in ${CFN_LINT_ACKNOWLEDGMENTS_FILE}, reviewed:`,
      '    { "<rule id>": { "reason": "<why it is acceptable>", "owner": "<team id>", "expires": "YYYY-MM-DD" } }',
    );
  }
  const expired = result.acknowledgments.filter((ack) => ack.status === 'expired').length;
  lines.push(
    `cfn-lint ${result.cfnLintVersion}: ${result.templates.length} template(s), ${result.errors} error(s), ` +
      `${result.openWarnings} warning(s) open, ${result.acknowledgedWarnings} warning(s) acknowledged` +
      (expired > 0 ? `, ${expired} acknowledgment(s) expired` : ''),
  );
  return lines;
}
