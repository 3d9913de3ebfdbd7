import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { runInParallel } from './parallel';
import { ResultCache, keelCacheDirectory } from './result-cache';

/** The plugin's name; aws-cdk-lib turns it into the rule namespace, so findings read `ControlTower::CT.S3.PR.6`. */
export const CONTROL_TOWER = 'ControlTower';

const PACKAGE_DIRECTORY = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const RULES_DIRECTORY = path.join(PACKAGE_DIRECTORY, 'rules', 'control-tower', 'cfn-guard');
/** cfn-guard's JSON for a large template runs to megabytes; the validator's default buffer is too small for it. */
const MAX_BUFFER = 256 * 1024 * 1024;

/** One template for cfn-guard, with the guard rules that cannot apply to it. */
interface GuardJob {
  readonly templatePath: string;
  readonly disabledRules: readonly string[];
}

/**
 * What each worker runs (see runInParallel): CfnGuardValidator, unchanged, on one template. The validator waits on a
 * cfn-guard process, so each worker thread keeps one running while the others do too.
 */
const GUARD_WORK = `
const { CfnGuardValidator } = require(${JSON.stringify(require.resolve('@cdklabs/cdk-validator-cfnguard'))});
return ({ templatePath, disabledRules }) =>
  new CfnGuardValidator({ disabledRules, maxBuffer: ${MAX_BUFFER} }).validate({ templatePaths: [templatePath] }).violations;
`;

/** One Control Tower guard rule file and the resource types it can report on. */
interface GuardRule {
  /** File name without `.guard`, as CfnGuardValidator's `disabledRules` names it. */
  readonly name: string;
  readonly resourceTypes: ReadonlySet<string>;
}

let rules: readonly GuardRule[] | undefined;

/** Every bundled Control Tower rule, with the CloudFormation types its file mentions. */
function controlTowerRules(): readonly GuardRule[] {
  if (rules) return rules;
  const found: GuardRule[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.guard')) {
        const text = fs.readFileSync(file, 'utf8');
        found.push({
          name: entry.name.slice(0, -'.guard'.length),
          resourceTypes: new Set(text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []),
        });
      }
    }
  };
  walk(RULES_DIRECTORY);
  rules = found;
  return rules;
}

function resourceTypesOf(template: string): Set<string> {
  const parsed = JSON.parse(template) as { Resources?: Record<string, { Type?: string }> };
  return new Set(Object.values(parsed.Resources ?? {}).flatMap((resource) => (resource.Type ? [resource.Type] : [])));
}

type Violation = PolicyValidationPluginReportBeta1['violations'][number];

/** Results kept between synths (see keelCacheDirectory): cfn-guard answers the same for the same rules and bytes. */
const cache = new ResultCache<Violation>(keelCacheDirectory('control-tower'), 'KEEL_CONTROL_TOWER_CACHE');

/**
 * AWS Control Tower's proactive controls, as the cfn-guard rules that `@cdklabs/cdk-validator-cfnguard` ships, run
 * by that validator over every synthesized template.
 *
 * Three things are Keel's:
 * - a rule runs only when its file mentions a resource type the template contains: a rule about types that are
 *   absent can only SKIP, and each rule costs cfn-guard about 20 ms per template;
 * - each finding is named after its control id (`CT.S3.PR.6`) rather than the guard rule's name, so that it can be
 *   looked up in Control Tower's control catalogue and acknowledged as `ControlTower::CT.S3.PR.6`;
 * - a template cfn-guard checked before is not checked again: its findings are kept by content (see `validate`).
 */
export class ControlTowerControls implements IPolicyValidationPluginBeta1 {
  public readonly name = CONTROL_TOWER;
  public readonly version: string;

  constructor() {
    this.version = (
      JSON.parse(fs.readFileSync(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  }

  /** Guard rules that cannot apply to templates with these resource types. */
  public static inapplicableRules(resourceTypes: ReadonlySet<string>): string[] {
    return controlTowerRules()
      .filter((rule) => ![...rule.resourceTypes].some((type) => resourceTypes.has(type)))
      .map((rule) => rule.name);
  }

  /**
   * Checks each template with the rules that can apply to it. A template checked before, byte for byte, by the same
   * validator version gets that check's findings again without running cfn-guard (set KEEL_CONTROL_TOWER_CACHE=off
   * to always run it). The others are checked side by side, one cfn-guard process per core.
   */
  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const templates = context.templatePaths.map((templatePath) => {
      const template = fs.readFileSync(templatePath, 'utf8');
      const disabledRules = ControlTowerControls.inapplicableRules(resourceTypesOf(template));
      const key = ResultCache.key(this.version, disabledRules.join(','), template);
      // With no rule left, cfn-guard would refuse to start (it needs one); no rule, no finding.
      const noRuleApplies = disabledRules.length === controlTowerRules().length;
      return { templatePath, disabledRules, key, found: noRuleApplies ? [] : cache.read(key) };
    });
    const unchecked = templates.filter((template) => !template.found);
    const jobs = unchecked.map(({ templatePath, disabledRules }): GuardJob => ({ templatePath, disabledRules }));
    const checked = runInParallel<GuardJob, Violation[]>(jobs, {
      setup: GUARD_WORK,
      describe: (job) => `cfn-guard on ${job.templatePath}`,
    });
    unchecked.forEach((template, i) => {
      template.found = checked[i].map(namedByControl);
      cache.write(template.key, template.found);
    });
    const violations = templates.flatMap(({ templatePath, found }) =>
      (found ?? []).map((violation) => ({
        ...violation,
        violatingResources: violation.violatingResources.map((resource) => ({ ...resource, templatePath })),
      })),
    );
    return { success: violations.length === 0, violations };
  }
}

/** A finding named by its control id (`CT.S3.PR.6`), with the guard rule's name kept in its description. */
function namedByControl(violation: Violation): Violation {
  const control = /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1];
  return control
    ? { ...violation, ruleName: control, description: `${violation.description} (${violation.ruleName})` }
    : violation;
}
