import type { CfnResource } from 'aws-cdk-lib';
import type { NagRuleResult } from '../nag';
import type { Problem } from '../../errors';
import { pascalCase } from '../../naming';

/**
 * One KeelChecks rule: a pure function of a CloudFormation resource, and the words shown when it fires.
 * Its id is `KeelChecks-<name>`; a rule that returns findings yields ids `KeelChecks-<name>[<finding>]`.
 */
export interface KeelRule {
  /** PascalCase, unique in the pack; part of the rule id, so renaming it invalidates acknowledgments. */
  readonly name: string;
  /** What is wrong, in one sentence, shown with every finding. */
  readonly info: string;
  /** Why the rule exists and how to comply. */
  readonly explanation: string;
  readonly check: (resource: CfnResource) => NagRuleResult;
}

/** The names rules that join KeelChecks must avoid, and whose rules they are. */
export interface KeelRuleNaming {
  /** Names already taken in KeelChecks, e.g. those of Keel's own rules. */
  readonly taken: readonly string[];
  /**
   * The id of the team whose rules these are: each name must start with the team's name in PascalCase, so its id
   * says whose rule it is.
   * @default - any PascalCase name
   */
  readonly team?: string;
}

/**
 * Everything wrong with rules that are to join KeelChecks: a rule without a name, info, explanation or check, a name
 * that is not PascalCase (or does not start with the team's name), and a name that is taken or used twice.
 * @param where names the rule at an index, e.g. `teams[2].profile.extraRules[0] (lib/config/teams.ts)`.
 */
export function keelRuleProblems(
  rules: readonly KeelRule[],
  where: (index: number) => string,
  naming: KeelRuleNaming,
): Problem[] {
  const problems: Problem[] = [];
  const prefix = naming.team === undefined ? '' : pascalCase(naming.team);
  const seen = new Set(naming.taken);
  rules.forEach((rule, i) => {
    const name: unknown = rule?.name;
    if (
      typeof name !== 'string' ||
      typeof rule.check !== 'function' ||
      !rule.info?.trim() ||
      !rule.explanation?.trim()
    ) {
      problems.push({
        where: where(i),
        what: `${JSON.stringify(name)} is not a complete rule`,
        fix: 'give it a name, info, explanation and a check function (see constructs/governance/rules/keel-rule.ts)',
      });
    } else if (prefix && !new RegExp(`^${prefix}[A-Z][A-Za-z0-9]*$`).test(name)) {
      problems.push({
        where: where(i),
        what: `${JSON.stringify(name)} does not start with the team's name, ${prefix}, followed by PascalCase`,
        fix: `rename it, e.g. '${prefix}${name.charAt(0).toUpperCase()}${name.slice(1).replace(/[^A-Za-z0-9]/g, '')}', so its id says whose rule it is`,
      });
    } else if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
      problems.push({
        where: where(i),
        what: `${JSON.stringify(name)} is not a PascalCase name`,
        fix: "name the rule in PascalCase after what it requires, e.g. 'PaymentsTableDeletionProtection'",
      });
    } else if (seen.has(name)) {
      problems.push({
        where: where(i),
        what: `KeelChecks-${name} is already a rule`,
        fix: 'give each rule its own name',
      });
    }
    if (typeof name === 'string') seen.add(name);
  });
  return problems;
}
