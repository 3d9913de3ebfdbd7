import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack, Validations, type App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ACKNOWLEDGMENT_METADATA, normalizeRuleId, type RecordedAcknowledgment } from './acknowledge';
import { daysUntil } from './iso-date';
import {
  COMPLIANCE_REPORT_FILE,
  EXPIRY_WARNING_DAYS,
  fromPackFinding,
  groupByRule,
  isUnder,
  PathsByRoot,
  renderSummary,
  type AcknowledgmentStatus,
  type ComplianceReport,
  type Finding,
} from './compliance-report';
import { describeAcknowledgment, expiryProblems, lifecycleWarnings } from './acknowledgment-lifecycle';
import { CachedCloudFormationValidate } from './cloudformation-validate-cache';
import { CONTROL_TOWER, ControlTowerControls } from './control-tower';
import { DEPLOYABILITY, TemplateCycles } from './template-cycles';
import { FindingLog, instrumentPack, ruleFamilyOf } from './finding-log';
import { KEEL_RULES } from './keel-checks';
import { BASELINE_RULE_PACKS, RULE_PACKS, RULE_PACK_NAMES, type RulePackName } from './rule-packs';
import { keelRuleProblems, type KeelRule } from './rules/keel-rule';
import { KeelValidationError, problemsToMessages, type Problem } from '../errors';

export { COMPLIANCE_REPORT_FILE } from './compliance-report';

const CDK_VALIDATION_REPORT_FILE = 'validation-report.json';
const CFN_VALIDATOR = 'CloudFormation Validate';
/** The rule namespaces of the validators that check templates, as aws-cdk-lib names them from the plugins. */
const TEMPLATE_VALIDATOR_NAMESPACES = ['CloudFormation-Validate', CONTROL_TOWER, DEPLOYABILITY];

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

/** What one walk of the construct tree finds: Keel's acknowledgments, and every rule acknowledged on a construct. */
interface AcknowledgmentScan {
  readonly recorded: readonly RecordedAcknowledgment[];
  /** Rule ids in aws-cdk-lib's acknowledged-rules metadata, Keel's own acknowledgments included. */
  readonly acknowledgedRules: readonly { readonly path: string; readonly id: string }[];
}

/**
 * Keel's compliance engine: runs AwsSolutions, Serverless and KeelChecks on every stack added to it, extra packs
 * where asked (NIST 800-53 rev 5 on prod), counts aws-cdk-lib's own CloudFormation validator like any pack,
 * judges acknowledgments (owner, expiry, staleness), and writes `keel-compliance.json` on every synth.
 *
 * Create it right after the App, call `addStack(stack, packs)` for each stack, then `synth()` instead of
 * `app.synth()`.
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
  /** The acknowledgments found by the synth's validation, which the report reuses. */
  private scan?: AcknowledgmentScan;

  constructor(app: App, props: ComplianceProps = {}) {
    this.app = app;
    this.enabled = props.enabled ?? true;
    this.maxAcknowledgmentDays = props.maxAcknowledgmentDays ?? 180;
    this.knownOwners = props.knownOwners;
    this.now = props.now;
    this.print = props.print ?? ((line) => console.error(line));
    app.node.addValidation({ validate: () => problemsToMessages(this.acknowledgmentProblems()) });
    // aws-cdk-lib's own validator runs with compliance on or off; its cached form replaces it either way, so switching
    // compliance off (for measurement) removes exactly Keel's checks and nothing else.
    const cloudFormation = CachedCloudFormationValidate.forApp(app);
    if (cloudFormation) Validations.of(app).addPlugins(cloudFormation);
    if (this.enabled) Validations.of(app).addPlugins(new TemplateCycles(), new ControlTowerControls());
  }

  /**
   * Adds `stack` to what the packs check at synth: the baseline packs (AwsSolutions, Serverless, KeelChecks),
   * `extraPacks`, and `extraRules` as part of KeelChecks on this stack alone (a team's rules on the team's stacks).
   * @throws KeelValidationError when an extra rule is incomplete, or its name is not PascalCase or is taken.
   */
  public addStack(stack: Stack, extraPacks: readonly RulePackName[] = [], extraRules: readonly KeelRule[] = []): void {
    if (!this.enabled) return;
    const stackRules = this.rulesByStack.get(stack) ?? [];
    const taken = [...KEEL_RULES, ...stackRules].map((rule) => rule.name);
    const problems = keelRuleProblems(extraRules, (i) => `${stack.node.path} extraRules[${i}]`, { taken });
    if (problems.length > 0) {
      throw new KeelValidationError(`Extra KeelChecks rules on ${stack.node.path} are invalid:`, problems);
    }
    if (extraRules.length > 0) this.rulesByStack.set(stack, [...stackRules, ...extraRules]);
    for (const name of new Set([...BASELINE_RULE_PACKS, ...extraPacks])) {
      let stacks = this.stacksByPack.get(name);
      if (!stacks) {
        stacks = new Set();
        this.stacksByPack.set(name, stacks);
        const pack = RULE_PACKS[name]((s) => this.rulesByStack.get(s) ?? []);
        Validations.of(this.app).addPlugins(instrumentPack(pack, stacks, this.findingLog));
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

  /** Expired, too distant, unowned and bypassing acknowledgments: each fails the synth. */
  private acknowledgmentProblems(): Problem[] {
    const scan = (this.scan = scanAcknowledgments(this.app));
    const problems: Problem[] = [];
    const today = this.today();
    for (const ack of scan.recorded) {
      problems.push(...expiryProblems(ack, today, this.maxAcknowledgmentDays));
      if (this.knownOwners && !this.knownOwners.includes(ack.owner)) {
        problems.push({
          where: describeAcknowledgment(ack),
          what: `owner '${ack.owner}' is not a known team`,
          fix: `use one of ${this.knownOwners.join(', ')}, or add the team to the team registry`,
        });
      }
    }
    problems.push(...bypassingAcknowledgments(scan));
    return problems;
  }

  /**
   * Whether the acknowledged rule's pack checked anything the acknowledgment covers: a NIST acknowledgment in a
   * construct used in dev and prod is not stale in dev, where NIST does not run.
   */
  private ruleRanUnder(ack: RecordedAcknowledgment, stackPaths: ReadonlyMap<string, PathsByRoot>): boolean {
    const pack = RULE_PACK_NAMES.find((name) => ack.id.startsWith(`${name}-`));
    if (!pack) return true;
    const paths = stackPaths.get(pack)?.near(ack.path) ?? [];
    return paths.some((stack) => isUnder(ack.path, stack) || isUnder(stack, ack.path));
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
    // Indexed by id, then by the top of the path: each acknowledgment looks only at its own service's findings and
    // stacks, so the report grows with the number of services, not with its square.
    const acknowledgedById = new Map<string, PathsByRoot>();
    for (const finding of findings) {
      if (finding.acknowledgedAt === undefined) continue;
      for (const id of new Set([finding.findingId, ruleFamilyOf(finding.findingId)])) {
        if (!acknowledgedById.has(id)) acknowledgedById.set(id, new PathsByRoot());
        acknowledgedById.get(id)?.add(finding.path);
      }
    }
    const stackPaths = new Map(
      [...this.stacksByPack].map(([pack, stacks]) => [pack, new PathsByRoot([...stacks].map((s) => s.node.path))]),
    );
    const recorded = (this.scan ?? scanAcknowledgments(this.app)).recorded;
    const acknowledgments: AcknowledgmentStatus[] = recorded.map((ack) => {
      const near = acknowledgedById.get(ack.id)?.near(ack.path) ?? [];
      const covered = near.filter((findingPath) => isUnder(findingPath, ack.path)).length;
      const daysLeft = daysUntil(ack.expires, today);
      const evaluated = this.enabled && this.ruleRanUnder(ack, stackPaths);
      return { ...ack, daysLeft, findingsCovered: covered, evaluated, stale: evaluated && covered === 0 };
    });

    const warnings = acknowledgments
      .filter((ack) => ack.stale)
      .map(
        (ack) =>
          `stale acknowledgment '${ack.id}' at ${ack.path} (owner: ${ack.owner}): the rule fired nowhere under it; remove it.`,
      );
    warnings.push(...lifecycleWarnings(acknowledgments, EXPIRY_WARNING_DAYS));
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

/** One walk of the tree for acknowledgment metadata, Keel's and aws-cdk-lib's. */
function scanAcknowledgments(app: App): AcknowledgmentScan {
  const recorded: RecordedAcknowledgment[] = [];
  const acknowledgedRules: { path: string; id: string }[] = [];
  for (const construct of app.node.findAll()) {
    const path = construct.node.path;
    for (const entry of construct.node.metadata) {
      if (entry.type === ACKNOWLEDGMENT_METADATA) {
        recorded.push({ ...(entry.data as Omit<RecordedAcknowledgment, 'path'>), path });
      } else if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data) {
        for (const raw of Object.keys(entry.data as Record<string, string>)) {
          acknowledgedRules.push({ path, id: raw.replace(/^annotation::/i, '') });
        }
      }
    }
  }
  return { recorded, acknowledgedRules };
}

/** Rule-pack findings acknowledged through `Validations.acknowledge` directly carry no owner or expiry. */
function bypassingAcknowledgments(scan: AcknowledgmentScan): Problem[] {
  const problems: Problem[] = [];
  const keelMadeKeys = new Set(scan.recorded.map((ack) => `${ack.path}\0${ack.id}`));
  for (const { path, id } of scan.acknowledgedRules) {
    const namespaced = /^([^:]+)::/.exec(id)?.[1];
    const pack = [...RULE_PACK_NAMES, ...TEMPLATE_VALIDATOR_NAMESPACES].find(
      (name) => id.startsWith(`${name}-`) || namespaced === name,
    );
    const keelMade = keelMadeKeys.has(`${path}\0${id}`);
    if (pack && !keelMade) {
      problems.push({
        where: path,
        what:
          `rule '${id}' is acknowledged with Validations.acknowledge directly, not with ` +
          `acknowledge(scope, { id: '${normalizeRuleId(id)}', reason, owner, expires }), so it has no owner and no expiry`,
        fix: "use Keel's acknowledge(), which records who decided, why and until when",
      });
    }
  }
  return problems;
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
