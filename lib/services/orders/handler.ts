import { createHmac, randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { correlationIdOf, headersOf, problem, respond } from '../runtime/http';
import { emit } from '../runtime/metrics';
import { ordersMetrics } from './metrics';
import { orderTotalCents, validateOrder, type OrderRequest } from './order';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const ordersTable = process.env.ORDERS_TABLE_NAME ?? '';
const receiptKeySecret = process.env.RECEIPT_KEY_SECRET_NAME ?? '';

const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'idempotencyKey',
  payloadValidationJmesPath: 'order',
  expiresAfterSeconds: 24 * 60 * 60,
});
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? '' });

interface PlacedOrder {
  readonly orderId: string;
  readonly totalCents: number;
  readonly receipt: string;
}

/** Stores a new order once per idempotency key; a retry with the same key gets the same answer. */
const placeOrder = makeIdempotent(
  async (request: { idempotencyKey: string; order: OrderRequest }): Promise<PlacedOrder> => {
    // Everything that can fail before the write comes first, so a failed request never leaves an order behind
    // that a retry would store again.
    const signingKey = await getSecret(receiptKeySecret, { maxAge: 300 });
    if (!signingKey) throw new Error(`secret ${receiptKeySecret} has no value`);
    const orderId = randomUUID();
    const totalCents = orderTotalCents(request.order);
    await dynamodb.send(
      new PutItemCommand({
        TableName: ordersTable,
        Item: {
          orderId: { S: orderId },
          customerId: { S: request.order.customerId },
          items: { S: JSON.stringify(request.order.items) },
          totalCents: { N: String(totalCents) },
          createdAt: { S: new Date().toISOString() },
        },
        ConditionExpression: 'attribute_not_exists(orderId)',
      }),
    );
    const receipt = createHmac('sha256', String(signingKey)).update(`${orderId}:${totalCents}`).digest('base64url');
    emit(metrics, ordersMetrics.ordersPlaced);
    emit(metrics, ordersMetrics.orderValue, totalCents);
    logger.info('order placed', { orderId, totalCents });
    return { orderId, totalCents, receipt };
  },
  { persistenceStore, config: idempotency },
);

async function postOrder(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  emit(metrics, ordersMetrics.orderRequests);
  const idempotencyKey = headersOf(event)['idempotency-key'];
  if (!idempotencyKey || !/^[A-Za-z0-9-]{8,128}$/.test(idempotencyKey)) {
    emit(metrics, ordersMetrics.ordersRejected);
    return problem(400, 'Missing idempotency key', 'send an Idempotency-Key header of 8-128 letters, digits or dashes');
  }
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    emit(metrics, ordersMetrics.ordersRejected);
    return problem(400, 'Invalid order', 'the body is not valid JSON');
  }
  const problems = validateOrder(body);
  if (problems.length > 0) {
    emit(metrics, ordersMetrics.ordersRejected);
    logger.info('order rejected', { problems });
    return problem(400, 'Invalid order', 'the order has invalid fields', problems);
  }
  try {
    return respond(201, await placeOrder({ idempotencyKey, order: body as OrderRequest }));
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      return problem(422, 'Idempotency key reused', 'this Idempotency-Key was already used for a different order');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      return problem(409, 'Order in progress', 'an order with this Idempotency-Key is being placed; retry shortly');
    }
    throw error;
  }
}

async function getOrder(orderId: string): Promise<APIGatewayProxyResult> {
  const { Item: item } = await dynamodb.send(
    new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } } }),
  );
  if (!item) return problem(404, 'Order not found', `there is no order ${orderId}`);
  return respond(200, {
    orderId,
    customerId: item.customerId?.S,
    items: JSON.parse(item.items?.S ?? '[]') as unknown,
    totalCents: Number(item.totalCents?.N ?? 0),
    createdAt: item.createdAt?.S,
  });
}

/** POST /orders places an order (idempotent by the Idempotency-Key header); GET /orders/{orderId} reads one. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const correlationId = correlationIdOf(event, context);
  logger.addContext(context);
  logger.appendKeys({ correlationId });
  idempotency.registerLambdaContext(context);
  try {
    if (event.httpMethod === 'POST' && event.resource === '/orders') return await postOrder(event);
    const orderId = event.pathParameters?.orderId;
    if (event.httpMethod === 'GET' && orderId) return await getOrder(orderId);
    return problem(405, 'Method not allowed', `${event.httpMethod} ${event.resource} is not supported`);
  } catch (error) {
    emit(metrics, ordersMetrics.orderFailures);
    logger.error('order request failed', { error: error as Error, method: event.httpMethod, resource: event.resource });
    return respond(500, { type: 'about:blank', title: 'Internal error', status: 500, correlationId });
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}
