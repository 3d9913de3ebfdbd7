import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Stack, type App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceStack } from '../../../constructs/service/service-stack';
import { testApp } from '../../helpers/app';

const CFN_LINT = path.join(__dirname, '..', '..', '..', '.venv', 'bin', 'cfn-lint');
const ENV = { account: '111111111111', region: 'eu-west-1' };

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: { readonly AvailabilityZone?: unknown };
}

/** cfn-lint's findings on `templates`, one `<template file> <rule> <resource path>` line per match. */
function cfnLintFindings(templates: string[]): string[] {
  let out: string;
  try {
    out = execFileSync(CFN_LINT, ['--format', 'json', '--regions', ENV.region, '--', ...templates], {
      encoding: 'utf8',
    });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  const matches = JSON.parse(out) as { Filename: string; Rule: { Id: string }; Location: { Path: unknown[] } }[];
  return matches.map((m) => `${path.basename(m.Filename)} ${m.Rule.Id} ${m.Location.Path.slice(0, 2).join('/')}`);
}

describe('a VPC in a ServiceStack, beside the same VPC in a plain Stack with a concrete env (each in its own app)', () => {
  const synth = (stack: (app: App) => Stack) => {
    const app = testApp();
    new ec2.Vpc(stack(app), 'Vpc', { maxAzs: 2, natGateways: 0 });
    return app.synth();
  };
  const service = synth((app) => new ServiceStack(app, 'Orders-dev', { env: ENV }));
  const plain = synth((app) => new Stack(app, 'Plain', { env: ENV }));
  const subnetZones = (assembly: CloudAssembly, stackName: string) =>
    Object.values(assembly.getStackByName(stackName).template.Resources as Record<string, CfnResourceJson>)
      .filter((r) => r.Type === 'AWS::EC2::Subnet')
      .map((r) => r.Properties.AvailabilityZone);

  test('puts its subnets in the first two availability zones of the region, as CloudFormation resolves them at deploy time', () => {
    const zone = (index: number) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] });
    expect(subnetZones(service, 'Orders-dev')).toEqual([zone(0), zone(1), zone(0), zone(1)]);
  });

  test('needs no context lookup: its assembly records no missing value, while the plain stack needs the zones from AWS', () => {
    expect(service.manifest.missing).toBeUndefined();
    expect(plain.manifest.missing?.map((m) => m.provider)).toEqual(['availability-zones']);
    expect(subnetZones(plain, 'Plain')).toEqual(['dummy1a', 'dummy1b', 'dummy1a', 'dummy1b']);
  });

  test('leaves cfn-lint nothing to say about its availability zones (W3010), which it reports on the plain stack', () => {
    const templates = [service.getStackByName('Orders-dev'), plain.getStackByName('Plain')].map(
      (s) => s.templateFullPath,
    );
    const w3010 = cfnLintFindings(templates).filter((f) => f.includes(' W3010 '));
    expect(w3010.filter((f) => f.startsWith('Orders-dev.template.json'))).toEqual([]);
    expect(w3010.filter((f) => f.startsWith('Plain.template.json')).length).toBeGreaterThan(0);
  });
});

test('tells a ServiceStack from a plain Stack, also one built by another copy of the library', () => {
  const app = testApp();
  expect(ServiceStack.isServiceStack(new ServiceStack(app, 'Service'))).toBe(true);
  expect(ServiceStack.isServiceStack(new Stack(app, 'Plain'))).toBe(false);
  expect(ServiceStack.isServiceStack({ [Symbol.for('keel.ServiceStack')]: true })).toBe(true);
  expect(ServiceStack.isServiceStack(undefined)).toBe(false);
});
