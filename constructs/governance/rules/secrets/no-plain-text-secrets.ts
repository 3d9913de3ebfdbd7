import { Stack, Tokenization, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import type { KeelRule } from '../keel-rule';

const SECRET_PROPERTY =
  /(password|passphrase|secretstring|clientsecret|apikey|privatekey|authtoken|accesstoken|secretaccesskey)$/i;
/** Environment variables are NoCredentialLiterals' to judge: by Keel's convention they hold secrets' names. */
const SKIPPED_PROPERTY = /^environment$/i;
const DYNAMIC_REFERENCE = /^\{\{resolve:(secretsmanager|ssm-secure):/;

/**
 * Paths of properties named like a secret whose resolved value is a literal string rather than a dynamic
 * reference. Walks the unresolved properties and resolves only the values of matching keys: resolving every
 * property of every resource would dominate synth time.
 */
function plainTextSecretPaths(resource: CfnResource, value: unknown, path: string[]): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => plainTextSecretPaths(resource, item, [...path, String(i)]));
  if (value === null || typeof value !== 'object' || Tokenization.isResolvable(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (SKIPPED_PROPERTY.test(key)) return [];
    if (SECRET_PROPERTY.test(key)) {
      const resolved: unknown = Stack.of(resource).resolve(child);
      return typeof resolved === 'string' && !DYNAMIC_REFERENCE.test(resolved) ? [[...path, key].join('.')] : [];
    }
    return plainTextSecretPaths(resource, child, [...path, key]);
  });
}

/**
 * No secret value reaches a template in plain text: a property named like a password, secret string, API key or token holds
 * a dynamic reference (`{{resolve:secretsmanager:...}}`), not a literal. Catches `SecretValue.unsafePlainText`
 * and literal `SecretString`s; one finding per property.
 */
export function NoPlainTextSecrets(resource: CfnResource): NagRuleResult {
  const paths = plainTextSecretPaths(resource, resource['cfnProperties'], []);
  return paths.length === 0 ? NagRuleCompliance.COMPLIANT : paths.map((path) => `Property::${path}`);
}

export const noPlainTextSecrets: KeelRule = {
  name: 'NoPlainTextSecrets',
  info: 'A secret value is written into the template in plain text.',
  explanation:
    'Templates are stored in the CDK assembly, in S3 and in CloudFormation, readable by anyone who can read the stack. ' +
    'Generate the value in Secrets Manager (ServiceSecret) and reference it, e.g. SecretValue.secretsManager(...).',
  check: NoPlainTextSecrets,
};
