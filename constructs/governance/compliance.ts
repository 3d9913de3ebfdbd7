import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack, Validations, type App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ACKNOWLEDGMENT_METADATA, normalizeRuleId, parseIsoDate, type RecordedAcknowledgment } from './acknowledge';
import {
  COMPLIANCE_REPORT_FILE,
  fromPackFinding,
  groupByRule,
  isUnder,
  renderSummary,
  type AcknowledgmentStatus,
  type ComplianceReport,
  type Finding,
} from './compliance-report';
import { CONTROL_TOWER, ControlTowerControls } from './control-tower';
import { DEPLOYABILITY, TemplateCycles } from './template-cycles';
import { FindingLog, observePack, ruleFamilyOf } from './finding-log';
import { KEEL_RULES, KeelChecks } from './keel-checks';
import { BASELINE_RULE_PACKS, RULE_PACKS, RULE_PACK_NAMES, type RulePackName } from './rule-packs';
import type { KeelRule } from './rules/keel-rule';
import { KeelValidationError, type Problem } from '../errors';

export { COMPLIANCE_REPORT_FILE } from './compliance-report';

const CDK_VALIDATION_REPORT_FILE = 'validation-report.json';
const CFN_VALIDATOR = 'CloudFormation Validate';
/** The rule namespaces of the validators that check templates, as aws-cdk-lib names them from the plugins. */
const TEMPLATE_VALIDATOR_NAMESPACES = ['CloudFormation-Validate', CONTROL_TOWER, DEPLOYABILITY];
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ComplianceProps {
  /**
   * Run the rule packs. Off exists only to measure synth time; the report then says so, loudly.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How many days ahead an acknowledgment may expire at most.
   * @default 180
   */
  readonly maxAcknowledgmentDays?: number;
  /**
   * Team ids that may own acknowledgments.
   * @default - any non-empty owner is accepted
   */
  readonly knownOwners?: readonly string[];
  /**
   * The moment acknowledgments are judged against.
   * @default - the time of synth
   */
  readonly now?: Date;
  /**
   * Receives the printed summary, line by line.
   * @default - standard error
   */
  readonly print?: (line: string) => void;
}

export interface ComplianceResult {
  /** The cloud assembly, when aws-cdk-lib produced one. */
  readonly assembly?: CloudAssembly;
  readonly report: ComplianceReport;
  /** Path of the written `keel-compliance.json`. */
  readonly reportPath: string;
  /** True when no finding is left unacknowledged (or compliance is off). */
  readonly passed: boolean;
}

interface CdkViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly violatingConstructs?: readonly { readonly constructPath?: string }[];
  readonly acknowledgedAt?: string;
}

interface CdkPluginReport {
  readonly pluginName: string;
  readonly violations?: readonly CdkViolation[];
  readonly suppressedViolations?: readonly CdkViolation[];
}

/**
 * Keel's compliance engine: runs AwsSolutions and KeelChecks on every stack it is asked to check, extra packs
 * where asked (NIST 800-53 rev 5 on prod), counts aws-cdk-lib's own CloudFormation validator like any pack,
 * judges acknowledgments (owner, expiry, staleness), and writes `keel-compliance.json` on every synth.
 *
 * Create it right after the App, call `check(stack, packs)` for each stack, then `synth()` instead of `app.synth()`.
 */
export class Compliance {
  public readonly app: App;
  public readonly enabled: boolean;
  private readonly maxAcknowledgmentDays: number;
  private readonly knownOwners?: readonly string[];
  private readonly now?: Date;
  private readonly print: (line: string) => void;
  private readonly stacksByPack = new Map<RulePackName, Set<Stack>>();
  private readonly rulesByStack = new Map<Stack, readonly KeelRule[]>();
  private readonly findingLog = new FindingLog();

  constructor(app: App, props: ComplianceProps = {}) {
    this.app = app;
    this.enabled = props.enabled ?? true;
    this.maxAcknowledgmentDays = props.maxAcknowledgmentDays ?? 180;
    this.knownOwners = props.knownOwners;
    this.now = props.now;
    this.print = props.print ?? ((line) => console.error(line));
    app.node.addValidation({ validate: () => this.acknowledgmentErrors() });
    if (this.enabled) Validations.of(app).addPlugins(new TemplateCycles(), new ControlTowerControls());
  }

  /**
   * Runs the baseline packs (AwsSolutions, KeelChecks) and `extraPacks` on `stack`, and `extraRules` as part of
   * KeelChecks on it alone (a team's rules on the team's stacks).
   * @throws KeelValidationError when an extra rule's name is not PascalCase or is taken by another rule.
   */
  public check(stack: Stack, extraPacks: readonly RulePackName[] = [], extraRules: readonly KeelRule[] = []): void {
    if (!this.enabled) return;
    checkRuleNames(stack.node.path, extraRules);
    if (extraRules.length > 0) this.rulesByStack.set(stack, [...(this.rulesByStack.get(stack) ?? []), ...extraRules]);
    for (const name of new Set([...BASELINE_RULE_PACKS, ...extraPacks])) {
      let stacks = this.stacksByPack.get(name);
      if (!stacks) {
        stacks = new Set();
        this.stacksByPack.set(name, stacks);
        const pack =
          name === 'KeelChecks'
            ? new KeelChecks({ stackRules: (s) => this.rulesByStack.get(s) ?? [] })
            : new RULE_PACKS[name]();
        Validations.of(this.app).addPlugins(observePack(pack, stacks, this.findingLog));
      }
      stacks.add(stack);
    }
  }

  /**
   * Synthesizes the app with every check, writes `keel-compliance.json` into the assembly directory and
   * prints the summary.
   *
   * @throws the synth error itself when synth failed before the checks ran (e.g. a construct's validation).
   */
  public synth(): ComplianceResult {
    const cdkReportPath = path.join(this.app.outdir, CDK_VALIDATION_REPORT_FILE);
    fs.rmSync(cdkReportPath, { force: true });
    let assembly: CloudAssembly | undefined;
    let failure: unknown;
    try {
      assembly = this.app.synth();
    } catch (error) {
      failure = error;
    }
    if (failure !== undefined && !fs.existsSync(cdkReportPath)) throw failure;

    const report = this.buildReport(readCdkReport(cdkReportPath), failure);
    const reportPath = path.join(this.app.outdir, COMPLIANCE_REPORT_FILE);
    fs.mkdirSync(this.app.outdir, { recursive: true });
    fs.writeFileSync(reportPath, `${JSON.stringify(report, undefined, 2)}\n`);
    for (const line of renderSummary(report)) this.print(line);
    return { assembly, report, reportPath, passed: report.result !== 'fail' };
  }

  private today(): Date {
    const now = this.now ?? new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  }

  private acknowledgments(): RecordedAcknowledgment[] {
    const found: RecordedAcknowledgment[] = [];
    for (const construct of this.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type === ACKNOWLEDGMENT_METADATA) {
          found.push({ ...(entry.data as Omit<RecordedAcknowledgment, 'path'>), path: construct.node.path });
        }
      }
    }
    return found;
  }

  /** Expired, too distant, unowned and bypassing acknowledgments: each fails the synth. */
  private acknowledgmentErrors(): string[] {
    const errors: string[] = [];
    const today = this.today();
    const latest = new Date(today.getTime() + this.maxAcknowledgmentDays * DAY_MS);
    const recorded = this.acknowledgments();
    for (const ack of recorded) {
      const where = `acknowledgment '${ack.id}' at ${ack.path} (owner: ${ack.owner})`;
      const expires = parseIsoDate(ack.expires);
      if (expires && expires < today) {
        errors.push(
          `${where} expired on ${ack.expires}. The owner must decide again: fix the finding, or renew the ` +
            `acknowledgment with a new expiry (at most ${this.maxAcknowledgmentDays} days ahead) and a current reason.`,
        );
      } else if (expires && expires > latest) {
        errors.push(
          `${where} expires on ${ack.expires}, ${Math.round((expires.getTime() - today.getTime()) / DAY_MS)} days ahead; ` +
            `at most ${this.maxAcknowledgmentDays} days are allowed. Choose a date on or before ${latest.toISOString().slice(0, 10)}.`,
        );
      }
      if (this.knownOwners && !this.knownOwners.includes(ack.owner)) {
        errors.push(
          `${where}: owner '${ack.owner}' is not a known team. Use one of ${this.knownOwners.join(', ')}, or add the team to the team registry.`,
        );
      }
    }
    errors.push(...this.bypassingAcknowledgments(recorded));
    return errors;
  }

  /** Rule-pack findings acknowledged through `Validations.acknowledge` directly carry no owner or expiry. */
  private bypassingAcknowledgments(recorded: readonly RecordedAcknowledgment[]): string[] {
    const errors: string[] = [];
    for (const construct of this.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
        for (const raw of Object.keys(entry.data as Record<string, string>)) {
          const id = raw.replace(/^annotation::/i, '');
          const namespaced = /^([^:]+)::/.exec(id)?.[1];
          const pack = [...RULE_PACK_NAMES, ...TEMPLATE_VALIDATOR_NAMESPACES].find(
            (name) => id.startsWith(`${name}-`) || namespaced === name,
          );
          const keelMade = recorded.some((ack) => ack.path === construct.node.path && ack.id === id);
          if (pack && !keelMade) {
            errors.push(
              `${construct.node.path}: rule '${id}' is acknowledged with Validations.acknowledge directly, so it has no ` +
                `owner and no expiry. Use Keel's acknowledge(scope, { id: '${normalizeRuleId(id)}', reason, owner, expires }) instead.`,
            );
          }
        }
      }
    }
    return errors;
  }

  /**
   * Whether the acknowledged rule's pack checked anything the acknowledgment covers: a NIST acknowledgment in a
   * construct used in dev and prod is not stale in dev, where NIST does not run.
   */
  private ruleRanUnder(ack: RecordedAcknowledgment): boolean {
    const pack = RULE_PACK_NAMES.find((name) => ack.id.startsWith(`${name}-`));
    if (!pack) return true;
    const stacks = [...(this.stacksByPack.get(pack) ?? [])];
    return stacks.some((stack) => isUnder(ack.path, stack.node.path) || isUnder(stack.node.path, ack.path));
  }

  private buildReport(cdkReports: readonly CdkPluginReport[], failure: unknown): ComplianceReport {
    const packNames = new Set<string>(this.stacksByPack.keys());
    const findings: Finding[] = this.findingLog.findings.map(fromPackFinding);
    for (const plugin of cdkReports) {
      if (packNames.has(plugin.pluginName)) continue; // cdk-nag packs: the finding log has all of it
      findings.push(...cdkFindings(plugin, plugin.violations ?? [], false));
      findings.push(...cdkFindings(plugin, plugin.suppressedViolations ?? [], true));
    }

    const today = this.today();
    const acknowledgedById = new Map<string, Finding[]>();
    for (const finding of findings) {
      if (finding.acknowledgedAt === undefined) continue;
      for (const id of new Set([finding.findingId, ruleFamilyOf(finding.findingId)])) {
        const same = acknowledgedById.get(id);
        if (same) same.push(finding);
        else acknowledgedById.set(id, [finding]);
      }
    }
    const acknowledgments: AcknowledgmentStatus[] = this.acknowledgments().map((ack) => {
      const covered = (acknowledgedById.get(ack.id) ?? []).filter((f) => isUnder(f.path, ack.path)).length;
      const expires = parseIsoDate(ack.expires);
      const daysLeft = expires ? Math.round((expires.getTime() - today.getTime()) / DAY_MS) : 0;
      const evaluated = this.enabled && this.ruleRanUnder(ack);
      return { ...ack, daysLeft, findingsCovered: covered, evaluated, stale: evaluated && covered === 0 };
    });

    const warnings = acknowledgments
      .filter((ack) => ack.stale)
      .map(
        (ack) =>
          `stale acknowledgment '${ack.id}' at ${ack.path} (owner: ${ack.owner}): the rule fired nowhere under it; remove it.`,
      );
    const open = findings.filter((f) => f.acknowledgedAt === undefined).length;
    if (failure !== undefined && open === 0) {
      warnings.push(`aws-cdk-lib's validation failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
    const checkedStacks = [...new Set([...this.stacksByPack.values()].flatMap((stacks) => [...stacks]))];
    const checkedResources = new Set([...this.findingLog.checked.values()].flatMap((paths) => [...paths]));
    const failed = open > 0 || failure !== undefined;
    const packs: ComplianceReport['packs'][number][] = [...this.stacksByPack.entries()].map(([name, stacks]) => ({
      name,
      stacks: [...stacks].map((s) => s.stackName),
      resourcesChecked: this.findingLog.checked.get(name)?.size ?? 0,
    }));
    // The template validators check every template: aws-cdk-lib's own unless switched off with CDK_VALIDATION=false.
    const templateValidators = [
      ...(process.env.CDK_VALIDATION !== 'false' ? [CFN_VALIDATOR] : []),
      CONTROL_TOWER,
      DEPLOYABILITY,
    ];
    const templateResources = this.enabled
      ? checkedStacks.flatMap((stack) => stack.node.findAll().filter(CfnResource.isCfnResource)).length
      : 0;
    for (const name of this.enabled ? templateValidators : []) {
      packs.push({ name, stacks: checkedStacks.map((s) => s.stackName), resourcesChecked: templateResources });
    }
    for (const plugin of cdkReports) {
      if (!packs.some((p) => p.name === plugin.pluginName))
        packs.push({ name: plugin.pluginName, stacks: [], resourcesChecked: 0 });
    }
    return {
      version: 1,
      generatedAt: (this.now ?? new Date()).toISOString(),
      enabled: this.enabled,
      result: !this.enabled ? 'off' : failed ? 'fail' : 'pass',
      packs,
      stacks: checkedStacks.length,
      resourcesChecked: checkedResources.size,
      findings: { total: findings.length, acknowledged: findings.length - open, open },
      rules: groupByRule(findings),
      acknowledgments,
      warnings,
    };
  }
}

/** Extra rules join KeelChecks, so their names must be PascalCase and not clash with Keel's or each other's. */
function checkRuleNames(where: string, rules: readonly KeelRule[]): void {
  const problems: Problem[] = [];
  const taken = new Set(KEEL_RULES.map((rule) => rule.name));
  for (const rule of rules) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(rule.name ?? '')) {
      problems.push({
        where: `${where} rule ${JSON.stringify(rule.name)}`,
        what: 'is not a PascalCase name',
        fix: "name the rule in PascalCase after what it requires, e.g. 'PaymentsTableDeletionProtection'",
      });
    } else if (taken.has(rule.name)) {
      problems.push({
        where: `${where} rule ${rule.name}`,
        what: `KeelChecks-${rule.name} is already a rule`,
        fix: "start the rule's name with the team's name, e.g. 'Payments' + what it requires",
      });
    }
    taken.add(rule.name);
  }
  if (problems.length > 0) throw new KeelValidationError(`Extra KeelChecks rules on ${where} are invalid:`, problems);
}

function readCdkReport(file: string): CdkPluginReport[] {
  if (!fs.existsSync(file)) return [];
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports?: CdkPluginReport[] };
  return parsed.pluginReports ?? [];
}

function cdkFindings(plugin: CdkPluginReport, violations: readonly CdkViolation[], acknowledged: boolean): Finding[] {
  const namespace = plugin.pluginName.replaceAll(' ', '-');
  return violations.flatMap((violation) =>
    (violation.violatingConstructs ?? [{}]).map((construct) => {
      const findingId = violation.ruleName.includes('::') ? violation.ruleName : `${namespace}::${violation.ruleName}`;
      return {
        source: plugin.pluginName,
        ruleId: findingId,
        findingId,
        path: construct.constructPath ?? '(unknown construct)',
        severity: violation.severity ?? 'error',
        info: violation.description,
        ...(acknowledged ? { acknowledgedAt: violation.acknowledgedAt ?? '(unknown)' } : {}),
      };
    }),
  );
}
