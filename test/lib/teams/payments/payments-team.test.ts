import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagRuleCompliance } from '../../../../constructs';
import { ProductionService, type ComplianceResult } from '../../../../constructs';
import { loadConfig, repositoryDefinition } from '../../../../lib/config/load';
import type { ServiceConfig } from '../../../../lib/config/model';
import { buildPlatform, readSynthOptions, type Platform } from '../../../../lib/platform';
import type { ServiceStackFactory } from '../../../../lib/services/service-stack';
import { PaymentsService } from '../../../../lib/teams/payments/payments-service';
import { PaymentsTableDeletionProtection } from '../../../../lib/teams/payments/rules/payments-table-deletion-protection';
import { unbundledTestApp } from '../../../helpers/app';
import { LedgerStack } from './ledger-stack';

const ledger: ServiceConfig = {
  name: 'ledger',
  owner: 'payments',
  dataClassification: 'restricted',
  tags: { PciScope: 'cardholder-data' },
};

/** Builds and synthesizes the repository's platform with only `ledger`, made by `factory`, printing nothing. */
function synthLedger(
  factory: ServiceStackFactory,
  context: Record<string, unknown> = {},
): { platform: Platform; result: ComplianceResult } {
  const app = unbundledTestApp(context, { cloudFormationValidation: true });
  const read = (key: string): unknown => app.node.tryGetContext(key);
  const config = loadConfig({ context: read, env: {} }, { ...repositoryDefinition, services: [ledger] });
  const platform = buildPlatform(app, config, readSynthOptions(read, config), [{ config: ledger, stack: factory }]);
  const result = platform.compliance.synth();
  return { platform, result };
}

describe('a payments service on PaymentsService, in all three environments', () => {
  let platform: Platform;
  let result: ComplianceResult;
  const template = (stackName: string) => {
    const stack = platform.stacks.find((s) => s.stackName === stackName);
    if (!stack) throw new Error(`no stack ${stackName}`);
    return Template.fromStack(stack);
  };

  beforeAll(() => {
    const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      ({ platform, result } = synthLedger((scope, id, props) => new LedgerStack(scope, id, props)));
    } finally {
      print.mockRestore();
    }
  });

  test('passes every pack, PCI DSS and the team rule included, with no finding left open', () => {
    expect(result.report.findings.open).toBe(0);
    expect(result.passed).toBe(true);
    const pci = result.report.packs.find((pack) => pack.name === 'PCI.DSS.321');
    expect(pci?.stacks).toEqual(['Ledger-dev', 'Ledger-staging', 'Ledger-prod']);
    expect(platform.pipelines.map((s) => s.stackName)).toEqual(['Ledger-pipeline']);
  });

  test('applies the team profile: tighter API alarms, a slower prod canary, two years of prod logs', () => {
    const prod = template('Ledger-prod');
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ledger-prod-api-5xx-rate-critical',
      Threshold: 0.005,
    });
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ledger-prod-api-p99-latency-warning',
      Threshold: 1000,
    });
    prod.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 5, CanaryInterval: 15 } },
    });
    prod.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    // Where the profile is silent, the platform's defaults stay: dev keeps a month of logs.
    template('Ledger-dev').allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test("tags every resource with the team's extra required tag", () => {
    template('Ledger-staging').allResourcesProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([{ Key: 'PciScope', Value: 'cardholder-data' }]),
    });
  });

  test('keeps deletion protection on in dev, where the platform leaves it off, and gives functions 1 GB', () => {
    const dev = template('Ledger-dev');
    dev.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    dev.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024 });
  });
});

test('fails when a payments table is built on plain ProductionService, naming the team rule and the table', () => {
  const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let result: ComplianceResult;
  try {
    // Dev only: that is where the platform leaves tables unprotected, and no pipeline needs a health alarm.
    ({ result } = synthLedger((scope, id, props) => new LedgerStack(scope, id, props, ProductionService), {
      'keel:environments': 'dev',
    }));
  } finally {
    print.mockRestore();
  }
  expect(result.passed).toBe(false);
  const open = result.report.rules.flatMap((r) => r.open);
  expect(open.map((f) => [f.findingId, f.path])).toEqual([
    ['KeelChecks-PaymentsTableDeletionProtection', 'Ledger-dev/Service/Service/Ledger/Resource'],
  ]);
});

test('the team rule judges only DynamoDB tables, by their deletion protection', () => {
  const stack = new Stack(unbundledTestApp(), 'Rule');
  const unprotected = new dynamodb.CfnTable(stack, 'Unprotected', {
    keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
    attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
  });
  const table = new dynamodb.Table(stack, 'Protected', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    deletionProtection: true,
  });
  expect(PaymentsTableDeletionProtection(unprotected)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(PaymentsTableDeletionProtection(table.node.defaultChild as dynamodb.CfnTable)).toBe(
    NagRuleCompliance.COMPLIANT,
  );
  const queue = new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' });
  expect(PaymentsTableDeletionProtection(queue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('PaymentsService lets a table opt out explicitly, and the team rule still catches it', () => {
  const stack = new Stack(unbundledTestApp(), 'Explicit');
  const service = new PaymentsService(stack, 'Service', {
    serviceName: 'ledger',
    environment: 'dev',
    protection: 'basic',
  });
  const table = service.addTable('Scratch', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    deletionProtection: false,
  });
  expect(PaymentsTableDeletionProtection(table.node.defaultChild as dynamodb.CfnTable)).toBe(
    NagRuleCompliance.NON_COMPLIANT,
  );
});
