import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import type { KeelRule } from '../keel-rule';

/** Log groups keep their events for a finite time. */
export function LogGroupRetention(resource: CfnResource): NagRuleResult {
  if (!(resource instanceof CfnLogGroup)) return NagRuleCompliance.NOT_APPLICABLE;
  const retention: unknown = Stack.of(resource).resolve(resource.retentionInDays);
  return typeof retention === 'number' && retention > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const logGroupRetention: KeelRule = {
  name: 'LogGroupRetention',
  info: 'The log group keeps its events forever.',
  explanation:
    'Logs kept forever cost money every month and hold personal data longer than any policy allows. ' +
    "Set the log group's retention (e.g. logs.RetentionDays.THREE_MONTHS).",
  check: LogGroupRetention,
};
