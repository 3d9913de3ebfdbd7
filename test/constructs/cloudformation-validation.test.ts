import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  addAlarmNameCheck,
  CanaryDeployment,
  DeliveryAccess,
  ProductionService,
  SecretRotation,
  ServiceAuthorization,
  ServiceMonitoring,
  SloIndicator,
} from '../../constructs';
import { CachedCloudFormationValidate } from '../../constructs/governance/cloudformation-validate-cache';
import { ECHO_HANDLER, testStack, unbundledTestApp } from '../helpers/app';
import {
  ON_CALL_ENDPOINT,
  RUNBOOK_REPOSITORY_URL,
  runbookFile,
  runbooksDirectory,
  shopMetrics,
  TICKET_ENDPOINT,
} from '../helpers/monitoring';

// Construct tests run without aws-cdk-lib's CloudFormation validator (test/helpers/app.ts says why). Here it runs
// once over every construct and the variants the reference app does not use: Cognito and Lambda authorizers, a
// private API, hosted and own-function secret rotation, every kind of alarm, SLOs and a canary with its hook.
test("every construct variant, in prod, passes aws-cdk-lib's CloudFormation validator", () => {
  const app = unbundledTestApp({}, { cloudFormationValidation: true });
  // In its cached form, as `cdk synth` runs it: the same findings, and the engine starts only for a changed template.
  const cloudFormation = CachedCloudFormationValidate.forApp(app);
  if (cloudFormation) Validations.of(app).addPlugins(cloudFormation);
  addAlarmNameCheck(app);
  const stack = testStack(app);
  const pool = new cognito.UserPool(stack, 'Users');
  const shop = new ProductionService(stack, 'Service', {
    serviceName: 'shop',
    environment: 'prod',
    protection: 'maximum',
    authorization: ServiceAuthorization.cognito([pool], ['shop/orders']),
  });
  const handler = shop.addFunction('Handler', { entry: ECHO_HANDLER, reservedConcurrency: 5 });
  shop.addRoute('POST', '/orders', handler, { requestSchema: { type: 'object' as never } });
  shop.addRoute('GET', '/orders/{orderId}', handler);
  handler.grantTableReadWrite(
    shop.addTable('Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
    }),
  );
  handler.readSecret(shop.addSecret('ApiKey', SecretRotation.randomValue()).secret, 'API_KEY_SECRET_NAME');
  shop.addSecret('Database', SecretRotation.hosted(secretsmanager.HostedRotation.postgreSqlSingleUser()));
  shop.addSecret('Partner', SecretRotation.withFunction(handler.function, Duration.days(7)));

  const internal = new ProductionService(stack, 'Internal', {
    serviceName: 'ledger',
    environment: 'prod',
    protection: 'maximum',
    publicApi: false,
    authorization: ServiceAuthorization.lambda(handler.function),
  });
  internal.addRoute('GET', '/entries', internal.addFunction('Reader', { entry: ECHO_HANDLER }));

  const metrics = shopMetrics();
  const anchors = [
    'health',
    'orders-stopped',
    'failure-rate',
    'value-low',
    'value-anomaly',
    'availability-fast-burn',
    'availability-slow-burn',
    'latency-fast-burn',
    'latency-slow-burn',
  ];
  const runbooks = runbooksDirectory({
    'shop.md': runbookFile('shop', anchors),
    'ledger.md': runbookFile('ledger', ['health']),
  });
  const monitor = (service: ProductionService) =>
    new ServiceMonitoring(stack, `${service.node.id}Monitoring`, {
      service,
      onCallEndpoint: ON_CALL_ENDPOINT,
      ticketEndpoint: TICKET_ENDPOINT,
      runbooks: { repositoryUrl: RUNBOOK_REPOSITORY_URL, directory: runbooks },
    });
  const monitoring = monitor(shop);
  monitoring.addBusinessMetrics(metrics, [handler]);
  const missingIsFine = cloudwatch.TreatMissingData.NOT_BREACHING;
  monitoring.addHeartbeatAlarm(metrics.placed, { slug: 'orders-stopped', severity: 'critical', description: 'x' });
  monitoring.addRatioAlarm(metrics.failed, metrics.requests, {
    slug: 'failure-rate',
    severity: 'critical',
    description: 'x',
    above: 0.05,
    treatMissingData: missingIsFine,
  });
  monitoring.addThresholdAlarm(metrics.value, {
    slug: 'value-low',
    severity: 'warning',
    description: 'x',
    below: 100,
    minSamples: 10,
    treatMissingData: missingIsFine,
  });
  monitoring.addAnomalyAlarm(metrics.value, {
    slug: 'value-anomaly',
    severity: 'warning',
    description: 'x',
    bandWidth: 2,
    direction: 'outside',
    treatMissingData: missingIsFine,
  });
  monitoring.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'x',
    target: 0.999,
    indicator: SloIndicator.availability(shop.api.metricServerError(), shop.api.metricCount()),
  });
  monitoring.addServiceLevelObjective('Latency', {
    slug: 'latency',
    description: 'x',
    target: 0.99,
    indicator: SloIndicator.latency(shop.api.metricLatency(), Duration.seconds(1)),
  });
  new CanaryDeployment(stack, 'Deployment', { monitoring });
  new CanaryDeployment(stack, 'InternalDeployment', { monitoring: monitor(internal) });
  new DeliveryAccess(stack, 'DeliveryAccess', {
    serviceName: 'shop',
    environment: 'prod',
    deliveryAccount: '222222222222',
  });

  app.synth();
  const report = path.join(app.outdir, 'validation-report.json');
  const violations = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
  expect(violations).not.toMatch(/CloudFormation/);
});
