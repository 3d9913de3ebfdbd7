import type { CfnResource } from 'aws-cdk-lib';
import type { NagRuleResult } from 'cdk-nag';

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
