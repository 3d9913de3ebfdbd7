import type { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from '../../../../../constructs';
import {
  NoCredentialLiterals,
  credentialReason,
  shannonEntropy,
} from '../../../../../constructs/governance/rules/secrets/no-credential-literals';
import { testStack } from '../../../../helpers/app';

const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

/** A Lambda function's L1 with the given environment variables. */
function functionWith(variables: Record<string, string>, stack: Stack = testStack()): lambda.CfnFunction {
  return new lambda.CfnFunction(stack, 'Fn', {
    code: { zipFile: 'x' },
    role: 'arn:aws:iam::111111111111:role/r',
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    environment: { variables },
  });
}
describe('NoCredentialLiterals', () => {
  test('fails when a Lambda variable holds an AWS access key id', () => {
    expect(NoCredentialLiterals(functionWith({ UPLOAD_CONFIG: 'AKIAIOSFODNN7EXAMPLE' }))).toEqual([
      'Variable::UPLOAD_CONFIG',
    ]);
  });

  test('fails when a Lambda variable holds a private key', () => {
    expect(NoCredentialLiterals(functionWith({ TLS_CERT: PRIVATE_KEY }))).toEqual(['Variable::TLS_CERT']);
  });

  test('fails when a Lambda variable holds a URL with a user and password', () => {
    expect(NoCredentialLiterals(functionWith({ DB_URL: 'postgres://app:hunter2secret@db:5432/x' }))).toEqual([
      'Variable::DB_URL',
    ]);
  });

  test('fails when a Lambda variable holds a connection string with a password', () => {
    expect(NoCredentialLiterals(functionWith({ CONNECTION: 'Server=db;User=app;Password=hunter2;' }))).toEqual([
      'Variable::CONNECTION',
    ]);
  });

  test('fails when a Lambda variable named like a token holds a random-looking literal', () => {
    expect(NoCredentialLiterals(functionWith({ API_TOKEN: 'q8Zr2LmV9xT4kWb7Nc1Hs6Jd3Pf0Ga5Y' }))).toEqual([
      'Variable::API_TOKEN',
    ]);
  });

  test('fails once per offending variable and leaves ordinary ones alone', () => {
    const fn = functionWith({
      TABLE_NAME: 'orders',
      DB_URL: 'postgres://app:hunter2secret@db:5432/x',
      API_TOKEN: 'q8Zr2LmV9xT4kWb7Nc1Hs6Jd3Pf0Ga5Y',
    });
    expect(NoCredentialLiterals(fn)).toEqual(['Variable::DB_URL', 'Variable::API_TOKEN']);
  });

  test('fails when a variable of a Lambda function built with the L2 construct holds a credential', () => {
    const fn = new lambda.Function(testStack(), 'Fn', {
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      environment: { TABLE_NAME: 'orders', DB_URL: 'postgres://app:hunter2secret@db:5432/x' },
    });
    expect(NoCredentialLiterals(fn.node.defaultChild as lambda.CfnFunction)).toEqual(['Variable::DB_URL']);
  });

  test('a Lambda function with ordinary configuration complies', () => {
    expect(NoCredentialLiterals(functionWith({ TABLE_NAME: 'orders' }))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('a Lambda variable that references a secret by token complies', () => {
    const stack = testStack();
    const secret = new secretsmanager.Secret(stack, 'S');
    expect(NoCredentialLiterals(functionWith({ SIGNING_KEY: secret.secretArn }, stack))).toBe(
      NagRuleCompliance.COMPLIANT,
    );
  });

  test('a low-entropy value under a secret-like name complies', () => {
    expect(NoCredentialLiterals(functionWith({ CACHE_KEY: 'orders-by-customer' }))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('a secret ARN passed as a literal complies', () => {
    const fn = functionWith({ SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x' });
    expect(NoCredentialLiterals(fn)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('a Lambda function without environment variables complies', () => {
    const fn = new lambda.CfnFunction(testStack(), 'Fn', {
      code: { zipFile: 'x' },
      role: 'arn:aws:iam::111111111111:role/r',
      runtime: 'nodejs24.x',
      handler: 'index.handler',
    });
    expect(NoCredentialLiterals(fn)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails when an ECS container variable holds a password literal', () => {
    const taskDef = new ecs.FargateTaskDefinition(testStack(), 'Task');
    taskDef.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      environment: { DB_PASSWORD: 'Zx8!pQ2#rT6@vB1$nM4%', LOG_LEVEL: 'info' },
    });
    expect(NoCredentialLiterals(taskDef.node.defaultChild as ecs.CfnTaskDefinition)).toEqual(['Variable::DB_PASSWORD']);
  });

  test('an ECS task definition with ordinary configuration complies', () => {
    const taskDef = new ecs.FargateTaskDefinition(testStack(), 'Task');
    taskDef.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('nginx'),
      environment: { TABLE_NAME: 'orders' },
    });
    expect(NoCredentialLiterals(taskDef.node.defaultChild as ecs.CfnTaskDefinition)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('does not apply to resources other than Lambda functions and ECS task definitions', () => {
    const queue = new sqs.Queue(testStack(), 'Queue');
    expect(NoCredentialLiterals(queue.node.defaultChild as sqs.CfnQueue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

describe('credentialReason', () => {
  test.each([
    ['an AWS access key id', 'ANYTHING', 'uploads with AKIAIOSFODNN7EXAMPLE'],
    ['a private key', 'TLS_CERT', PRIVATE_KEY],
    ['a password=... pair', 'CONNECTION', 'Server=db;User=app;Password=hunter2;'],
    ['a URL with a user and password', 'DB_URL', 'postgres://app:hunter2secret@db:5432/x'],
    ['a URL with a user and password', 'CACHE_URL', 'redis://:hunter2secret@cache:6379'],
    ['a password=... pair', 'DB_CONFIG', '{"user":"app","password":"hunter2"}'],
    ['a high-entropy secret', 'API_TOKEN', 'q8Zr2LmV9xT4kWb7Nc1Hs6Jd3Pf0Ga5Y'],
  ])('recognises %s', (reason, name, value) => {
    expect(credentialReason(name, value)).toBe(reason);
  });

  test.each([
    ['an ordinary name', 'TABLE_NAME', 'orders'],
    ['a low-entropy value under a secret-like name', 'CACHE_KEY', 'orders-by-customer'],
    ['a random-looking value under an ordinary name', 'BUILD_ID', 'q8Zr2LmV9xT4kWb7Nc1Hs6Jd3Pf0Ga5Y'],
    ['a secret ARN under a secret-like name', 'DB_SECRET', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x'],
    ['a URL without credentials', 'API_URL', 'https://api.example.com:8443/v1'],
  ])('finds nothing in %s', (_case, name, value) => {
    expect(credentialReason(name, value)).toBeUndefined();
  });
});

describe('shannonEntropy', () => {
  test('a string of one repeated character has no entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
  });

  test('two equally frequent characters carry one bit each', () => {
    expect(shannonEntropy('ab')).toBe(1);
  });
});
