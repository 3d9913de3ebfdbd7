import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeploymentStrategy, KeelValidationError, pascalCase } from '../../constructs';
import { repositoryDefinition } from '../../lib/config/load';
import { readSynthOptions, serviceStackProps } from '../../lib/platform';
import { orders } from '../../lib/services/orders';
import { loadRepositoryConfig } from '../../lib/synth';
import { repositoryContext } from '../helpers/app';

const config = loadRepositoryConfig({ context: (key) => repositoryContext[key], env: {} });
const options = (context: Record<string, string>) => readSynthOptions((key) => context[key], config);

test('builds every environment and every service with compliance on by default', () => {
  expect(options({})).toEqual({
    environments: ['dev', 'staging', 'prod'],
    compliance: true,
    services: ['orders', 'hello-container'],
  });
});

describe('keel:services', () => {
  const two = loadRepositoryConfig({ context: (key) => repositoryContext[key], env: {} }, repositoryDefinition, [
    orders,
    { ...orders, config: { ...orders.config, name: 'invoices' } },
  ]);
  const services = (value: string) => readSynthOptions((key) => ({ 'keel:services': value })[key], two).services;

  test('builds only the services named in keel:services, once each', () => {
    expect(services(' invoices ')).toEqual(['invoices']);
    expect(services('orders,invoices,orders')).toEqual(['orders', 'invoices']);
  });

  test('fails when keel:services names an unknown service, naming the value, the known services and the fix', () => {
    expect(() => services('orders,billing')).toThrow(KeelValidationError);
    expect(() => services('orders,billing')).toThrow(
      'context keel:services: "orders,billing" names unknown service(s) billing\n    fix: list one or more of orders, invoices, comma-separated (e.g. -c keel:services=orders), or leave it out to build every service',
    );
  });

  test('fails when keel:services names no service, rather than synthesizing nothing', () => {
    expect(() => services(' , ')).toThrow(/" , " names no service/);
  });
});

test('builds only the environments named in keel:environments', () => {
  expect(options({ 'keel:environments': 'dev, staging' }).environments).toEqual(['dev', 'staging']);
});

test('fails when keel:environments names an unknown environment, listing the known ones', () => {
  expect(() => options({ 'keel:environments': 'dev,qa' })).toThrow(KeelValidationError);
  expect(() => options({ 'keel:environments': 'dev,qa' })).toThrow(
    /unknown environment\(s\) qa[\s\S]*dev, staging, prod/,
  );
});

test('fails when compliance is switched off for a synth that builds prod', () => {
  expect(() => options({ 'keel:compliance': 'off' })).toThrow(/compliance cannot be switched off while building prod/);
  expect(() => options({ 'keel:compliance': 'off' })).toThrow(/-c keel:environments=dev,staging/);
});

test('allows compliance off, for measurement, when prod is not built', () => {
  expect(options({ 'keel:compliance': 'off', 'keel:environments': 'dev' })).toEqual({
    environments: ['dev'],
    compliance: false,
    services: ['orders', 'hello-container'],
  });
});

test('fails when keel:compliance is neither on nor off', () => {
  expect(() => options({ 'keel:compliance': 'false' })).toThrow(/"false" is not on or off/);
});

test('stack names are the PascalCase service name', () => {
  expect(pascalCase('order-history')).toBe('OrderHistory');
  expect(pascalCase('orders')).toBe('Orders');
});

test("a container service's props come from config: the environment's protection and certificate, the team's profile", () => {
  const prod = config.environments.find((e) => e.name === 'prod');
  const commerce = config.teams.find((t) => t.id === 'commerce');
  if (!prod || !commerce) throw new Error('the repository config has no prod or no commerce team');
  const team = {
    ...commerce,
    profile: {
      deployment: { prod: DeploymentStrategy.canary(20, Duration.minutes(10)) },
      containerSize: { prod: { cpu: 2048, memoryMiB: 4096 } },
      logRetention: { prod: RetentionDays.TWO_YEARS },
    },
  };
  const { containerService } = serviceStackProps(config, orders.config, prod, team).defaults;
  expect(containerService).toMatchObject({
    serviceName: 'orders',
    environment: 'prod',
    protection: 'maximum',
    certificateArn: prod.certificateArn,
    size: { cpu: 2048, memoryMiB: 4096 },
    logRetention: RetentionDays.TWO_YEARS,
  });
  expect(containerService.deploymentStrategy?.describe()).toBe('canary 20% for 10 minutes');
  expect(prod.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:333333333333:certificate\//);
});
