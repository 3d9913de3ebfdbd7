import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnTaskDefinition } from 'aws-cdk-lib/aws-ecs';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import type { KeelRule } from '../keel-rule';

const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/;
const PASSWORD_PAIR = /(^|[\s;&?,{"'])(password|passwd|pwd)["']?\s*[=:]\s*["']?[^\s;&,"']+/i;
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;
const SECRET_NAME = /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|KEY)$/i;
const REFERENCE = /^(arn:|\/|\{\{resolve:)/;

/** Bits of entropy per character of a string, by its own character frequencies. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Why an environment variable's literal value looks like a credential, or `undefined` when it does not. */
export function credentialReason(name: string, value: string): string | undefined {
  if (ACCESS_KEY_ID.test(value)) return 'an AWS access key id';
  if (PRIVATE_KEY_BLOCK.test(value)) return 'a private key';
  if (PASSWORD_PAIR.test(value)) return 'a password=... pair';
  if (URL_CREDENTIALS.test(value)) return 'a URL with a user and password';
  const looksRandom =
    value.length >= 16 && shannonEntropy(value) >= 3.5 && /[A-Za-z]/.test(value) && /[0-9]/.test(value);
  if (SECRET_NAME.test(name) && !REFERENCE.test(value) && looksRandom) return 'a high-entropy secret';
  return undefined;
}

/**
 * Literal (not token) string values of a resource's environment variables, by variable name. Resolving an L1
 * property yields its TypeScript shape (`variables`, `name`, `value`), not CloudFormation's.
 */
function literalVariables(resource: CfnResource): [string, string][] {
  const stack = Stack.of(resource);
  const pairs: [string, unknown][] = [];
  if (resource instanceof CfnFunction) {
    const environment = stack.resolve(resource.environment) as { variables?: Record<string, unknown> } | undefined;
    pairs.push(...Object.entries(environment?.variables ?? {}));
  } else if (resource instanceof CfnTaskDefinition) {
    const containers = stack.resolve(resource.containerDefinitions) as
      { environment?: { name?: string; value?: unknown }[] }[] | undefined;
    for (const container of containers ?? []) {
      for (const variable of container.environment ?? []) pairs.push([variable.name ?? '', variable.value]);
    }
  }
  return pairs.filter((pair): pair is [string, string] => typeof pair[1] === 'string');
}

/** No Lambda or ECS environment variable holds a literal that looks like a credential; one finding per variable. */
export function NoCredentialLiterals(resource: CfnResource): NagRuleResult {
  if (!(resource instanceof CfnFunction) && !(resource instanceof CfnTaskDefinition)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = literalVariables(resource)
    .filter(([name, value]) => credentialReason(name, value) !== undefined)
    .map(([name]) => `Variable::${name}`);
  return findings.length === 0 ? NagRuleCompliance.COMPLIANT : findings;
}

export const noCredentialLiterals: KeelRule = {
  name: 'NoCredentialLiterals',
  info: 'An environment variable holds a literal that looks like a credential.',
  explanation:
    'Environment variables are readable by anyone who can read the function or task definition, and land in the ' +
    'template and in git. Keep the credential in Secrets Manager (ServiceSecret) and pass only its name or ARN.',
  check: NoCredentialLiterals,
};
