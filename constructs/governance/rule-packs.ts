import type { NagPack } from 'cdk-nag';
import type { Problem } from '../errors';
import { KeelChecks, type StackRules } from './keel-checks';
import { nagPacks } from './nag';

/**
 * Rule packs Keel can run, by the pack name that prefixes their rule ids, each as a function that builds the pack.
 * Every one takes the rules KeelChecks adds per stack, so no code can build KeelChecks without a team's rules.
 */
export const RULE_PACKS = {
  AwsSolutions: () => new (nagPacks().AwsSolutionsChecks)(),
  KeelChecks: (stackRules) => new KeelChecks({ stackRules }),
  'NIST.800.53.R5': () => new (nagPacks().NIST80053R5Checks)(),
  'NIST.800.53.R4': () => new (nagPacks().NIST80053R4Checks)(),
  'HIPAA.Security': () => new (nagPacks().HIPAASecurityChecks)(),
  'PCI.DSS.321': () => new (nagPacks().PCIDSS321Checks)(),
  Serverless: () => new (nagPacks().ServerlessChecks)(),
} as const satisfies Record<string, (stackRules: StackRules) => NagPack>;

export type RulePackName = keyof typeof RULE_PACKS;

export const RULE_PACK_NAMES = Object.keys(RULE_PACKS) as RulePackName[];

/** The packs every stack gets, whatever its environment. */
export const BASELINE_RULE_PACKS: readonly RulePackName[] = ['AwsSolutions', 'Serverless', 'KeelChecks'];

export function isRulePackName(value: unknown): value is RulePackName {
  return typeof value === 'string' && Object.hasOwn(RULE_PACKS, value);
}

/**
 * Everything wrong with packs to run on top of the baseline (an environment's or a team's): unknown packs, and
 * baseline packs, which already run on every stack.
 * @param where names the pack at an index, e.g. `environmentDefaults.prod.extraRulePacks[0] (lib/config/environments.ts)`.
 */
export function extraRulePackProblems(packs: readonly string[], where: (index: number) => string): Problem[] {
  const problems: Problem[] = [];
  packs.forEach((pack, i) => {
    if (!isRulePackName(pack)) {
      problems.push({
        where: where(i),
        what: `${JSON.stringify(pack)} is not a rule pack Keel knows`,
        fix: `use one of ${RULE_PACK_NAMES.filter((name) => !BASELINE_RULE_PACKS.includes(name)).join(', ')}`,
      });
    } else if (BASELINE_RULE_PACKS.includes(pack)) {
      problems.push({ where: where(i), what: `${pack} already checks every stack`, fix: 'remove it from the list' });
    }
  });
  return problems;
}
