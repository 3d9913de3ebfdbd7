import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  SloIndicator,
  buildManifest,
  defineBusinessMetrics,
  writeManifest,
  type KeelManifest,
} from '../../../constructs';
import { testStack, unbundledTestApp } from '../../helpers/app';
import { monitoredShop } from '../../helpers/monitoring';
import { tempDir } from '../../helpers/temp-dir';

const REPOSITORY = 'https://github.com/example-org/keel';
const NOW = new Date('2025-01-02T03:04:05.000Z');

const shopMetrics = defineBusinessMetrics('shop', {
  sales: { name: 'Sales', unit: 'Count', statistic: 'Sum', description: 'Sales made, one per checkout' },
  basketValue: {
    name: 'BasketValue',
    unit: 'None',
    statistic: 'Average',
    description: 'Value of each basket, in cents',
  },
});

/** The shop service, prod, maximum protection, monitored, with business metrics and an SLO. */
function shop(stack: Stack) {
  const {
    service,
    fn: handler,
    monitoring,
  } = monitoredShop({
    stack,
    environment: 'prod',
    protection: 'maximum',
    shopAnchors: ['sales-stopped', 'availability-fast-burn', 'availability-slow-burn'],
  });
  monitoring.addBusinessMetrics(shopMetrics, [handler]);
  monitoring.addHeartbeatAlarm(shopMetrics.sales, {
    slug: 'sales-stopped',
    severity: 'critical',
    description: 'No sale for 15 minutes.',
  });
  monitoring.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'Shop availability',
    indicator: SloIndicator.availability(service.api.metricServerError(), service.api.metricCount()),
    target: 0.999,
  });
  return monitoring;
}

describe('the manifest of a monitored service', () => {
  const app = unbundledTestApp();
  const stack = testStack(app);
  const monitoring = shop(stack);
  const template = Template.fromStack(stack);
  const manifest = buildManifest(app, NOW);
  const [entry] = manifest.services;
  const alarm = (name: string) => entry.alarms.find((a) => a.name === name);

  test('has version 1 and the time it was made', () => {
    expect(manifest.version).toBe(1);
    expect(MANIFEST_VERSION).toBe(1);
    expect(manifest.generatedAt).toBe('2025-01-02T03:04:05.000Z');
  });

  test('describes the one monitored service, where it runs and its well-known names', () => {
    expect(manifest.services).toHaveLength(1);
    expect(entry).toMatchObject({
      service: 'shop',
      environment: 'prod',
      stackName: stack.stackName,
      account: '111111111111',
      region: 'eu-west-1',
      healthAlarm: 'shop-prod-health-critical',
      alarmPrefix: 'shop-prod-',
      dashboard: 'shop-prod',
    });
  });

  test('lists every registered alarm, in order, each starting with the alarm prefix', () => {
    expect(entry.alarms.map((a) => a.name)).toEqual(monitoring.alarms.map((a) => a.name));
    for (const a of entry.alarms) expect(a.name.startsWith(entry.alarmPrefix)).toBe(true);
    for (const a of entry.alarms) {
      expect(Object.keys(a).sort()).toEqual(['compositeChild', 'kind', 'name', 'runbook', 'severity', 'watches']);
    }
  });

  test('gives each alarm its severity, kind, runbook link, what it watches and whether it only feeds a composite', () => {
    expect(alarm('shop-prod-health-critical')).toEqual({
      name: 'shop-prod-health-critical',
      severity: 'critical',
      kind: 'health',
      runbook: `${REPOSITORY}/blob/main/runbooks/shop.md#health`,
      watches: 'every critical alarm',
      compositeChild: false,
    });
    expect(alarm('shop-prod-api-5xx-rate-critical')).toMatchObject({
      severity: 'critical',
      kind: 'standard',
      runbook: `${REPOSITORY}/blob/main/runbooks/standard-alarms.md#api-5xx-rate`,
      watches: 'API 5xx rate > 1%',
      compositeChild: false,
    });
    expect(alarm('shop-prod-sales-stopped-critical')).toEqual({
      name: 'shop-prod-sales-stopped-critical',
      severity: 'critical',
      kind: 'heartbeat',
      runbook: `${REPOSITORY}/blob/main/runbooks/shop.md#sales-stopped`,
      watches: 'Keel/Shop/Sales arrives at least once every 15 minutes',
      compositeChild: false,
    });
    expect(alarm('shop-prod-availability-fast-burn-long-critical')).toMatchObject({
      severity: 'critical',
      kind: 'slo',
      runbook: `${REPOSITORY}/blob/main/runbooks/shop.md#availability-fast-burn`,
      compositeChild: true,
    });
    expect(alarm('shop-prod-availability-slow-burn-warning')).toMatchObject({
      severity: 'warning',
      kind: 'slo',
      runbook: `${REPOSITORY}/blob/main/runbooks/shop.md#availability-slow-burn`,
      compositeChild: false,
    });
  });

  test('lists the business metrics as handlers emit them', () => {
    expect(entry.metrics).toEqual([
      {
        namespace: 'Keel/Shop',
        name: 'Sales',
        dimensions: { service: 'shop' },
        unit: 'Count',
        statistic: 'Sum',
        description: 'Sales made, one per checkout',
      },
      {
        namespace: 'Keel/Shop',
        name: 'BasketValue',
        dimensions: { service: 'shop' },
        unit: 'None',
        statistic: 'Average',
        description: 'Value of each basket, in cents',
      },
    ]);
  });

  test('lists the objectives with their tier composites', () => {
    expect(entry.objectives).toEqual([
      {
        slug: 'availability',
        kind: 'availability',
        target: 0.999,
        budgetPeriodDays: 30,
        alarms: ['shop-prod-availability-fast-burn-critical', 'shop-prod-availability-slow-burn-warning'],
        errorRate: {
          expression: 'IF(FILL(valid, 0) > 0, FILL(bad, 0) / valid, 0)',
          metrics: {
            bad: {
              namespace: 'AWS/ApiGateway',
              name: '5XXError',
              dimensions: { ApiName: 'shop-prod' },
              stat: 'Sum',
            },
            valid: {
              namespace: 'AWS/ApiGateway',
              name: 'Count',
              dimensions: { ApiName: 'shop-prod' },
              stat: 'Sum',
            },
          },
        },
      },
    ]);
  });

  test('names exactly the alarms the synthesized template creates', () => {
    const names = (type: string, property: string) =>
      Object.values(template.findResources(type)).map((r) => (r.Properties as Record<string, unknown>)[property]);
    const synthesized = [
      ...names('AWS::CloudWatch::Alarm', 'AlarmName'),
      ...names('AWS::CloudWatch::CompositeAlarm', 'AlarmName'),
    ];
    expect(synthesized.every((name) => typeof name === 'string')).toBe(true);
    expect([...synthesized].sort()).toEqual(entry.alarms.map((a) => a.name).sort());
    expect(synthesized).toContain(entry.healthAlarm);
    for (const objective of entry.objectives) for (const name of objective.alarms) expect(synthesized).toContain(name);
  });

  test('names the dashboard the template creates', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: entry.dashboard });
  });

  test('writes keel-manifest.json into the given directory, creating it, and returns its path', () => {
    const outdir = path.join(tempDir('keel-manifest-'), 'cdk.out');
    const file = writeManifest(app, outdir, NOW);
    expect(file).toBe(path.join(outdir, MANIFEST_FILE));
    expect(MANIFEST_FILE).toBe('keel-manifest.json');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text) as KeelManifest).toEqual(manifest);
  });
});

test('leaves out the account and region of an environment-agnostic stack', () => {
  const app = unbundledTestApp();
  shop(new Stack(app, 'Agnostic'));
  const [entry] = buildManifest(app).services;
  expect(entry.stackName).toBe('Agnostic');
  expect(entry).not.toHaveProperty('account');
  expect(entry).not.toHaveProperty('region');
});

test('describes no service in an app without monitoring', () => {
  const app = new App({ outdir: tempDir('keel-test-') });
  new cloudwatch.Alarm(new Stack(app, 'Plain'), 'Alarm', {
    metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  expect(buildManifest(app, NOW)).toEqual({ version: 1, generatedAt: NOW.toISOString(), services: [] });
});

test('lists only its own tier composites for an objective whose slug prefixes another', () => {
  const app = unbundledTestApp();
  const monitoring = shop(testStack(app));
  monitoring.addServiceLevelObjective('AvailabilityApi', {
    slug: 'availability-api',
    description: 'Shop API availability',
    indicator: SloIndicator.availability(
      monitoring.service.api.metricServerError(),
      monitoring.service.api.metricCount(),
    ),
    target: 0.99,
  });
  const [availability] = buildManifest(app).services[0].objectives;
  expect(availability.alarms).toEqual([
    'shop-prod-availability-fast-burn-critical',
    'shop-prod-availability-slow-burn-warning',
  ]);
});
