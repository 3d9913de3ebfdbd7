import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack } from 'cdk-nag';
import { alarmHasActions } from './rules/alarms/alarm-has-actions';
import type { KeelRule } from './rules/keel-rule';
import { logGroupEncryption } from './rules/logs/log-group-encryption';
import { logGroupRetention } from './rules/logs/log-group-retention';
import { noCredentialLiterals } from './rules/secrets/no-credential-literals';
import { noPlainTextSecrets } from './rules/secrets/no-plain-text-secrets';
import { requiredOwnershipTags } from './rules/tags/required-ownership-tags';

/** The rules KeelChecks always runs. */
export const KEEL_RULES: readonly KeelRule[] = [
  requiredOwnershipTags,
  logGroupRetention,
  logGroupEncryption,
  noCredentialLiterals,
  noPlainTextSecrets,
  alarmHasActions,
];

export interface KeelChecksProps {
  /**
   * Add each rule's explanation to its findings.
   * @default false
   */
  readonly verbose?: boolean;
  /**
   * Rules to run on top of Keel's own, e.g. a team's.
   * @default - only Keel's rules
   */
  readonly extraRules?: readonly KeelRule[];
  /**
   * Rules to run on some stacks only, on top of Keel's own and `extraRules`: a team's rules on its services.
   * @default - none
   */
  readonly stackRules?: (stack: Stack) => readonly KeelRule[];
}

/** Keel's own rule pack, a cdk-nag 3 pack: `Validations.of(app).addPlugins(new KeelChecks())`. */
export class KeelChecks extends NagPack {
  public readonly name = 'KeelChecks';
  private readonly rules: readonly KeelRule[];
  private readonly stackRules?: (stack: Stack) => readonly KeelRule[];

  constructor(props: KeelChecksProps = {}) {
    super(undefined, { verbose: props.verbose });
    this.packName = 'KeelChecks';
    this.rules = [...KEEL_RULES, ...(props.extraRules ?? [])];
    this.stackRules = props.stackRules;
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of [...this.rules, ...(this.stackRules?.(Stack.of(node)) ?? [])]) {
      this.applyRule({
        ruleSuffixOverride: rule.name,
        info: rule.info,
        explanation: rule.explanation,
        level: NagMessageLevel.ERROR,
        rule: rule.check,
        node,
      });
    }
  }
}
