import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  CanaryDeployment,
  ProductionService,
  SecretRotation,
  ServiceMonitoring,
  SloIndicator,
  type ProtectionLevel,
  type ServiceFunction,
  type ServiceSecret,
  type Severity,
} from '../../../constructs';
import type { ServiceStackProps } from '../service-stack';
import { ordersMetrics, type OrdersMetrics } from './metrics';

const ORDER_SCHEMA: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['customerId', 'items'],
  properties: {
    customerId: { type: apigateway.JsonSchemaType.STRING, maxLength: 64 },
    items: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, maxItems: 100 },
  },
};

/**
 * The orders service on ProductionService: POST /orders places an order (idempotent by its Idempotency-Key),
 * GET /orders/{orderId} reads one back; orders and idempotency records live in two encrypted tables, order
 * receipts are signed with a rotating secret. Business alarms, SLOs and the standard alarms page the owner team.
 */
export class OrdersStack extends Stack {
  public readonly service: ProductionService;
  public readonly orders: dynamodb.Table;
  public readonly idempotency: dynamodb.Table;
  public readonly receiptKey: ServiceSecret;
  public readonly handler: ServiceFunction;
  public readonly monitoring: ServiceMonitoring;
  public readonly deployment: CanaryDeployment;

  private readonly metrics: OrdersMetrics;

  /**
   * @param metrics the business metrics the stack alarms on: the orders service's own, or, for another service shaped
   * like orders (the benchmark generates them), the same metrics defined under that service's name.
   */
  constructor(scope: Construct, id: string, props: ServiceStackProps, metrics: OrdersMetrics = ordersMetrics) {
    super(scope, id, props);
    this.metrics = metrics;
    this.service = new ProductionService(this, 'Service', props.defaults.service);
    this.orders = this.service.addTable('Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    });
    this.idempotency = this.service.addTable('Idempotency', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    this.receiptKey = this.service.addSecret('ReceiptKey', SecretRotation.randomValue(), 'Signs order receipts');

    this.handler = this.service.addFunction('Handler', {
      entry: path.join(__dirname, 'handler.ts'),
      environment: {
        ORDERS_TABLE_NAME: this.orders.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotency.tableName,
      },
    });
    this.handler.grantTableReadWrite(this.orders);
    this.handler.grantTableReadWrite(this.idempotency);
    this.handler.readSecret(this.receiptKey.secret, 'RECEIPT_KEY_SECRET_NAME');
    this.service.addRoute('POST', '/orders', this.handler, { requestSchema: ORDER_SCHEMA });
    this.service.addRoute('GET', '/orders/{orderId}', this.handler);

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      service: this.service,
    });
    this.addBusinessAlarms(props.environment.protection);
    this.addObjectives();

    // New versions reach the live alias through CodeDeploy: canary in prod, linear in staging, all at once in dev,
    // rolled back by any critical alarm. In prod the hook reads a missing order through the new version: a 404 is
    // healthy, a 5xx fails the deployment.
    this.deployment = new CanaryDeployment(this, 'Deployment', {
      ...props.defaults.deployment,
      monitoring: this.monitoring,
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

  /** Alarms on what the business cares about: orders arriving, failing, rejected, and their value. */
  private addBusinessAlarms(protection: ProtectionLevel): void {
    const m = this.monitoring;
    const { ordersPlaced, orderValue, ordersRejected, orderFailures, orderRequests } = this.metrics;
    m.addBusinessMetrics(this.metrics, [this.handler]);

    // No orders at all means something upstream is broken; dev and staging see too little traffic to tell.
    const heartbeat = HEARTBEAT_SEVERITY[protection];
    if (heartbeat) {
      m.addHeartbeatAlarm(ordersPlaced, {
        slug: 'orders-stopped',
        severity: heartbeat,
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

  /** Objectives on the order API: availability and latency, each alarmed on its error-budget burn rate. */
  private addObjectives(): void {
    const m = this.monitoring;
    const api = this.service.api;
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
}

/** How loudly the orders heartbeat alarms, by protection level; absent where traffic is too sparse to tell. */
const HEARTBEAT_SEVERITY: Readonly<Record<ProtectionLevel, Severity | undefined>> = {
  basic: undefined,
  standard: 'warning',
  maximum: 'critical',
};
