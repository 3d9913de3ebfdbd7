import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack } from './nag';
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

/** The rules to run on a stack on top of Keel's own, e.g. a team's rules on the team's stacks. */
export type StackRules = (stack: Stack) => readonly KeelRule[];

export interface KeelChecksProps {
  /**
   * Add each rule's explanation to its findings.
   * @default false
   */
  readonly verbose?: boolean;
  /**
   * The rules to run on each stack on top of Keel's own: the one way to add rules, e.g. a team's on its stacks.
   * `Compliance.addStack(stack, packs, rules)` fills it.
   * @default - only Keel's rules, on every stack
   */
  readonly stackRules?: StackRules;
}

/** Keel's own rule pack, a cdk-nag 3 pack: `Validations.of(app).addPlugins(new KeelChecks())`. */
export class KeelChecks extends NagPack {
  public readonly name = 'KeelChecks';
  private readonly stackRules: StackRules;

  constructor(props: KeelChecksProps = {}) {
    super(undefined, { verbose: props.verbose });
    this.packName = 'KeelChecks';
    this.stackRules = props.stackRules ?? (() => []);
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of [...KEEL_RULES, ...this.stackRules(Stack.of(node))]) {
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
