import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R4Checks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
  type NagPack,
} from 'cdk-nag';
import { KeelChecks } from './keel-checks';

/** Rule packs Keel can run, by the pack name that prefixes their rule ids. */
export const RULE_PACKS = {
  AwsSolutions: AwsSolutionsChecks,
  KeelChecks: KeelChecks,
  'NIST.800.53.R5': NIST80053R5Checks,
  'NIST.800.53.R4': NIST80053R4Checks,
  'HIPAA.Security': HIPAASecurityChecks,
  'PCI.DSS.321': PCIDSS321Checks,
  Serverless: ServerlessChecks,
} as const satisfies Record<string, new () => NagPack>;

export type RulePackName = keyof typeof RULE_PACKS;

export const RULE_PACK_NAMES = Object.keys(RULE_PACKS) as RulePackName[];

/** The packs every stack gets, whatever its environment. */
export const BASELINE_RULE_PACKS: readonly RulePackName[] = ['AwsSolutions', 'Serverless', 'KeelChecks'];

export function isRulePackName(value: unknown): value is RulePackName {
  return typeof value === 'string' && Object.hasOwn(RULE_PACKS, value);
}
