import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { KeelRule } from '../keel-rule';

const SECRET_PROPERTY =
  /(password|passphrase|secretstring|clientsecret|apikey|privatekey|authtoken|accesstoken|secretaccesskey)$/i;
/** Environment variables are NoCredentialLiterals' to judge: by Keel's convention they hold secrets' names. */
const SKIPPED_PROPERTY = /^environment$/i;
const DYNAMIC_REFERENCE = /^\{\{resolve:(secretsmanager|ssm-secure):/;

/** Paths of string properties named like a secret whose value is a literal rather than a dynamic reference. */
function plainTextSecretPaths(value: unknown, path: string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => plainTextSecretPaths(item, [...path, String(i)]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (SKIPPED_PROPERTY.test(key)) return [];
    if (typeof child === 'string' && SECRET_PROPERTY.test(key) && !DYNAMIC_REFERENCE.test(child)) {
      return [[...path, key].join('.')];
    }
    return plainTextSecretPaths(child, [...path, key]);
  });
}

/**
 * No secret value reaches a template in plain text: a property named like a password, secret string, API key or token holds
 * a dynamic reference (`{{resolve:secretsmanager:...}}`), not a literal. Catches `SecretValue.unsafePlainText`
 * and literal `SecretString`s; one finding per property.
 */
export function NoPlainTextSecrets(resource: CfnResource): NagRuleResult {
  const properties: unknown = Stack.of(resource).resolve(resource['cfnProperties']);
  const paths = plainTextSecretPaths(properties, []);
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
