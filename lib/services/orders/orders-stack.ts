import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ProductionService, SecretRotation, type ServiceFunction, type ServiceSecret } from '../../../constructs';
import type { ServiceStackProps } from '../index';

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
 * receipts are signed with a rotating secret, and alerts go to the owner team's on-call.
 */
export class OrdersStack extends Stack {
  public readonly service: ProductionService;
  public readonly orders: dynamodb.Table;
  public readonly idempotency: dynamodb.Table;
  public readonly receiptKey: ServiceSecret;
  public readonly handler: ServiceFunction;
  public readonly alertTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { service, environment, team } = props;
    this.service = new ProductionService(this, 'Service', {
      serviceName: service.name,
      environment: environment.name,
      protection: environment.protection,
    });
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

    this.alertTopic = new sns.Topic(this, 'Alerts', {
      displayName: `${service.name}-${environment.name} alerts for ${team.displayName}`,
      masterKey: this.service.key,
      enforceSSL: true,
    });
    this.alertTopic.addSubscription(
      team.onCallEndpoint.startsWith('https://')
        ? new subscriptions.UrlSubscription(team.onCallEndpoint)
        : new subscriptions.EmailSubscription(team.onCallEndpoint),
    );
  }
}
