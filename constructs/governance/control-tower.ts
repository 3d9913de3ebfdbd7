import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** The plugin's name; aws-cdk-lib turns it into the rule namespace, so findings read `ControlTower::CT.S3.PR.6`. */
export const CONTROL_TOWER = 'ControlTower';

const RULES_DIRECTORY = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

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

function resourceTypesOf(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const file of templatePaths) {
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    for (const resource of Object.values(template.Resources ?? {})) if (resource.Type) types.add(resource.Type);
  }
  return types;
}

/**
 * AWS Control Tower's proactive controls, as the cfn-guard rules that `@cdklabs/cdk-validator-cfnguard` ships, run
 * by that validator over every synthesized template.
 *
 * Two things are Keel's: a rule runs only when its file mentions a resource type the templates contain (a rule about
 * types that are absent can only SKIP, and each rule costs cfn-guard about 20 ms per template), and each finding is
 * named after its control id (`CT.S3.PR.6`) rather than the guard rule's name, so that it can be looked up in
 * Control Tower's control catalogue and acknowledged as `ControlTower::CT.S3.PR.6`.
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

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const disabledRules = ControlTowerControls.inapplicableRules(resourceTypesOf(context.templatePaths));
    const validator = new CfnGuardValidator({ disabledRules, maxBuffer: 256 * 1024 * 1024 });
    const report = validator.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => {
        const control = /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1];
        return control
          ? { ...violation, ruleName: control, description: `${violation.description} (${violation.ruleName})` }
          : violation;
      }),
    };
  }
}
