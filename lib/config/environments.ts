import type { EnvironmentName, ProtectionLevel } from './model';
import type { RulePackName } from '../../constructs';

export interface EnvironmentDefaults {
  readonly protection: ProtectionLevel;
  readonly extraRulePacks: readonly RulePackName[];
}

/**
 * What each environment is, apart from where it lives. Accounts and regions come from `cdk.json` context
 * (`keel:<env>:account`, `keel:<env>:region`), overridable by `-c` or by `KEEL_<ENV>_ACCOUNT` /
 * `KEEL_<ENV>_REGION` environment variables.
 */
export const environmentDefaults: Readonly<Record<EnvironmentName, EnvironmentDefaults>> = {
  dev: { protection: 'basic', extraRulePacks: [] },
  staging: { protection: 'standard', extraRulePacks: [] },
  prod: { protection: 'maximum', extraRulePacks: ['NIST.800.53.R5'] },
};
