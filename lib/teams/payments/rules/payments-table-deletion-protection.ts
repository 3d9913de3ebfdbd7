import { Stack, type CfnResource } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { NagRuleCompliance, type NagRuleResult } from '../../../../constructs';
import type { KeelRule } from '../../../../constructs';

/** Every payments table refuses deletion, in every environment, dev included. */
export function PaymentsTableDeletionProtection(resource: CfnResource): NagRuleResult {
  if (!(resource instanceof CfnTable)) return NagRuleCompliance.NOT_APPLICABLE;
  const enabled: unknown = Stack.of(resource).resolve(resource.deletionProtectionEnabled);
  return enabled === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const paymentsTableDeletionProtection: KeelRule = {
  name: 'PaymentsTableDeletionProtection',
  info: 'The payments table can be deleted.',
  explanation:
    'Payments tables hold the ledger, and dev ledgers are replayed in reconciliation tests: the payments team keeps ' +
    'deletion protection on in every environment, where the platform keeps it off in dev. Build the table with ' +
    "PaymentsService's addTable (lib/teams/payments/payments-service.ts), or set deletionProtection: true.",
  check: PaymentsTableDeletionProtection,
};
