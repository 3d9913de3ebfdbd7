import { Stack, type CfnResource } from 'aws-cdk-lib';
import { CfnAlarm, CfnCompositeAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import { COMPOSITE_CHILD_METADATA } from '../../../naming';
import type { KeelRule } from '../keel-rule';

/** Every alarm notifies someone when it fires, unless it is marked as a child of a composite that does. */
export function AlarmHasActions(resource: CfnResource): NagRuleResult {
  if (!(resource instanceof CfnAlarm) && !(resource instanceof CfnCompositeAlarm))
    return NagRuleCompliance.NOT_APPLICABLE;
  const child = [resource.node, resource.node.scope?.node].some((node) =>
    node?.metadata.some((entry) => entry.type === COMPOSITE_CHILD_METADATA),
  );
  if (child) return NagRuleCompliance.COMPLIANT;
  // L2 alarms render their actions lazily: resolve before counting.
  const alarmActions: unknown = Stack.of(resource).resolve(resource.alarmActions);
  const enabled = Stack.of(resource).resolve(resource.actionsEnabled) !== false;
  return enabled && Array.isArray(alarmActions) && alarmActions.length > 0
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

export const alarmHasActions: KeelRule = {
  name: 'AlarmHasActions',
  info: 'The alarm notifies no one when it fires.',
  explanation:
    'An alarm without actions changes colour on a dashboard nobody watches at 3 a.m. Route it to the owner team ' +
    '(ServiceMonitoring does), or, if it only feeds a composite alarm, mark it with the keel:composite-child metadata.',
  check: AlarmHasActions,
};
