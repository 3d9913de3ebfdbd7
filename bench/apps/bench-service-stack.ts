// The stack of every service bench/apps/generated-services.ts generates. It is shaped like orders, so the benchmark
// measures services the size of the reference one, and it mirrors lib/services/orders/orders-stack.ts construct for
// construct: keep the two in step when orders changes. What it adds is what a generated service needs and orders
// must not carry: the orders metrics defined under the generated service's name, and the orders runbook.
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  CanaryDeployment,
  ProductionService,
  SecretRotation,
  ServiceMonitoring,
  SloIndicator,
  defineBusinessMetrics,
  type ServiceFunction,
} from '../../constructs';
import { ORDERS_METRIC_SPECS } from '../../lib/services/orders/metrics';
import type { ServiceStackProps } from '../../lib/services/service-stack';

const ORDER_SCHEMA: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['customerId', 'items'],
  properties: {
    customerId: { type: apigateway.JsonSchemaType.STRING, maxLength: 64 },
    items: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, maxItems: 100 },
  },
};

/** A generated service: the orders handler, tables, secret, routes, alarms, SLOs and deployment, under its own name. */
export class BenchServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const service = new ProductionService(this, 'Service', props.defaults.service);
    const orders = service.addTable('Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    });
    const idempotency = service.addTable('Idempotency', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    const receiptKey = service.addSecret('ReceiptKey', SecretRotation.randomValue(), 'Signs order receipts');
    const handler = service.addFunction('Handler', {
      entry: path.join(__dirname, '..', '..', 'lib', 'services', 'orders', 'handler.ts'),
      environment: { ORDERS_TABLE_NAME: orders.tableName, IDEMPOTENCY_TABLE_NAME: idempotency.tableName },
    });
    handler.grantTableReadWrite(orders);
    handler.grantTableReadWrite(idempotency);
    handler.readSecret(receiptKey.secret, 'RECEIPT_KEY_SECRET_NAME');
    service.addRoute('POST', '/orders', handler, { requestSchema: ORDER_SCHEMA });
    service.addRoute('GET', '/orders/{orderId}', handler);

    // Generated services have no runbook of their own: their alarms are the orders alarms, documented there.
    const monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      service,
      runbookFile: 'orders.md',
    });
    addOrdersAlarms(monitoring, handler, props);
    addOrdersObjectives(monitoring, service);

    new CanaryDeployment(this, 'Deployment', {
      ...props.defaults.deployment,
      monitoring,
      smokeEvent: {
        httpMethod: 'GET',
        resource: '/orders/{orderId}',
        path: '/orders/smoke-test',
        pathParameters: { orderId: 'smoke-test' },
        headers: { 'x-correlation-id': 'post-traffic-hook' },
        requestContext: { requestId: 'post-traffic-hook' },
        body: null,
      },
    });
  }
}

/** The orders business alarms, on the orders metrics as this service's handler emits them. */
function addOrdersAlarms(m: ServiceMonitoring, handler: ServiceFunction, props: ServiceStackProps): void {
  // The namespace and `service` dimension of what the orders handler emits come from the generated service's name
  // (ServiceFunction sets them), so its metrics are the orders set defined under that name.
  const metrics = defineBusinessMetrics(props.service.name, ORDERS_METRIC_SPECS);
  const { ordersPlaced, orderValue, ordersRejected, orderFailures, orderRequests } = metrics;
  m.addBusinessMetrics(metrics, [handler]);
  const heartbeat = { basic: undefined, standard: 'warning', maximum: 'critical' } as const;
  const severity = heartbeat[props.environment.protection];
  if (severity) {
    m.addHeartbeatAlarm(ordersPlaced, {
      slug: 'orders-stopped',
      severity,
      description: 'No order has been placed for 30 minutes.',
      window: Duration.minutes(30),
    });
  }
  m.addRatioAlarm(orderFailures, orderRequests, {
    slug: 'order-failure-rate',
    severity: 'critical',
    description: 'More than 5% of order requests fail with an unexpected error.',
    above: 0.05,
    minSamples: 20,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  m.addRatioAlarm(ordersRejected, orderRequests, {
    slug: 'orders-rejected-rate',
    severity: 'warning',
    description: 'More than a quarter of order requests are refused as invalid: a client is sending bad orders.',
    above: 0.25,
    minSamples: 20,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  m.addThresholdAlarm(orderValue, {
    slug: 'order-value-low',
    severity: 'warning',
    description: 'Orders are worth less than 1.00 on average: prices may be missing.',
    below: 100,
    minSamples: 10,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  m.addAnomalyAlarm(orderValue, {
    slug: 'order-value-anomaly',
    severity: 'warning',
    description: 'The average order value left its usual band.',
    bandWidth: 3,
    direction: 'outside',
    period: Duration.hours(1),
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });
}

/** The orders objectives: API availability and latency. */
function addOrdersObjectives(m: ServiceMonitoring, service: ProductionService): void {
  const api = service.api;
  m.addServiceLevelObjective('Availability', {
    slug: 'availability',
    description: 'Order API availability',
    indicator: SloIndicator.availability(api.metricServerError(), api.metricCount()),
    target: 0.999,
  });
  m.addServiceLevelObjective('Latency', {
    slug: 'latency',
    description: 'Order API latency under 1 second',
    indicator: SloIndicator.latency(api.metricLatency(), Duration.seconds(1)),
    target: 0.99,
  });
}
