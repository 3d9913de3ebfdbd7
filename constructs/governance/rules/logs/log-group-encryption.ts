import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import type { KeelRule } from '../keel-rule';

/** Log groups are encrypted with a customer-managed KMS key. */
export function LogGroupEncryption(resource: CfnResource): NagRuleResult {
  if (!(resource instanceof CfnLogGroup)) return NagRuleCompliance.NOT_APPLICABLE;
  const key: unknown = Stack.of(resource).resolve(resource.kmsKeyId);
  const present = typeof key === 'string' ? key.trim() !== '' : key !== undefined && key !== null;
  return present ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const logGroupEncryption: KeelRule = {
  name: 'LogGroupEncryption',
  info: 'The log group is not encrypted with a KMS key.',
  explanation:
    "Logs carry request data; a customer-managed key lets the owner audit and revoke access to them. Pass the service's key " +
    "as the log group's encryptionKey, and allow logs.<region>.amazonaws.com to use it in the key policy.",
  check: LogGroupEncryption,
};
