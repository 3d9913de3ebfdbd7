import { createHmac } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeDynamoDB } from '../../../helpers/fake-dynamodb';
import { emfDocuments, lambdaContext } from '../../../helpers/lambda';
import type { handler as Handler } from '../../../../lib/services/orders/handler';

// The handler reads its configuration when it loads, so it is required (below) only after this is set.
Object.assign(process.env, {
  ORDERS_TABLE_NAME: 'orders-test',
  IDEMPOTENCY_TABLE_NAME: 'idempotency-test',
  RECEIPT_KEY_SECRET_NAME: 'receipt-key',
  POWERTOOLS_SERVICE_NAME: 'orders',
  POWERTOOLS_METRICS_NAMESPACE: 'Keel/Orders',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'orders-handler',
});

const dynamodb = mockClient(DynamoDBClient);
const secrets = mockClient(SecretsManagerClient);
const fake = new FakeDynamoDB({ 'orders-test': ['orderId'], 'idempotency-test': ['id'] });
const { handler } = jest.requireActual<{ handler: typeof Handler }>('../../../../lib/services/orders/handler');
let stdout: jest.SpiedFunction<typeof process.stdout.write>;

const order = {
  customerId: 'c-1',
  items: [
    { sku: 'book', quantity: 2, unitPriceCents: 1250 },
    { sku: 'pen', quantity: 3, unitPriceCents: 99 },
  ],
};
const orderTotal = 2 * 1250 + 3 * 99;

interface RequestOptions {
  readonly body?: unknown;
  readonly orderId?: string;
  readonly idempotencyKey?: string;
  readonly headers?: Record<string, string>;
}

function request(httpMethod: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  const { body, orderId, idempotencyKey, headers = {} } = options;
  return {
    httpMethod,
    resource: orderId ? '/orders/{orderId}' : '/orders',
    path: orderId ? `/orders/${orderId}` : '/orders',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
      ...headers,
    },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    pathParameters: orderId ? { orderId } : null,
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

const context = lambdaContext('orders-handler');

function json(response: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

function expectProblem(response: APIGatewayProxyResult, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
  const body = json(response);
  expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  return body;
}

function orderPuts(): number {
  return dynamodb.commandCalls(PutItemCommand, { TableName: 'orders-test' }).length;
}

beforeEach(() => {
  dynamodb.reset();
  secrets.reset();
  fake.clear();
  fake.install(dynamodb);
  clearCaches();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k' });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  // Metrics warns on stderr whenever a request emitted no metric (GET, 405): expected here, so kept out of the output.
  const writeStderr = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
  jest
    .spyOn(process.stderr, 'write')
    .mockImplementation(
      (chunk: string | Uint8Array) =>
        String(chunk).startsWith('No application metrics to publish') || writeStderr(chunk),
    );
});

afterEach(() => {
  jest.restoreAllMocks();
});

test('places an order with a total and a receipt signed with the secret key, and stores it', async () => {
  const response = await handler(request('POST', { body: order, idempotencyKey: 'key-place-1' }), context);

  expect(response.statusCode).toBe(201);
  expect(response.headers).toEqual({ 'content-type': 'application/json' });
  const { orderId, totalCents, receipt } = json(response);
  expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(totalCents).toBe(orderTotal);
  expect(receipt).toBe(
    createHmac('sha256', 'k')
      .update(`${String(orderId)}:${orderTotal}`)
      .digest('base64url'),
  );
  expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toMatchObject({ SecretId: 'receipt-key' });
  expect(fake.items('orders-test')).toEqual([
    {
      orderId: { S: orderId },
      customerId: { S: 'c-1' },
      items: { S: JSON.stringify(order.items) },
      totalCents: { N: String(orderTotal) },
      createdAt: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    },
  ]);
  expect(fake.items('idempotency-test')).toEqual([expect.objectContaining({ status: { S: 'COMPLETED' } })]);
});

test('a retry with the same Idempotency-Key returns the same order and stores it only once', async () => {
  const first = await handler(request('POST', { body: order, idempotencyKey: 'key-retry-1' }), context);
  const retry = await handler(request('POST', { body: order, idempotencyKey: 'key-retry-1' }), context);

  expect(first.statusCode).toBe(201);
  expect(retry.statusCode).toBe(201);
  expect(json(retry)).toEqual(json(first));
  expect(orderPuts()).toBe(1);
  expect(fake.items('orders-test')).toHaveLength(1);
});

test('accepts the Idempotency-Key header in lower case', async () => {
  const response = await handler(
    request('POST', { body: order, headers: { 'idempotency-key': 'key-lower-1' } }),
    context,
  );

  expect(response.statusCode).toBe(201);
  expect(fake.items('orders-test')).toHaveLength(1);
});

test('fails when the same Idempotency-Key is reused for a different order', async () => {
  await handler(request('POST', { body: order, idempotencyKey: 'key-reuse-1' }), context);
  const other = { ...order, customerId: 'c-2' };
  const response = await handler(request('POST', { body: other, idempotencyKey: 'key-reuse-1' }), context);

  expect(expectProblem(response, 422).title).toBe('Idempotency key reused');
  expect(fake.items('orders-test')).toHaveLength(1);
});

test('fails with 409 when an order with the same Idempotency-Key is still being placed', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  dynamodb.on(PutItemCommand, { TableName: 'orders-test' }).callsFake(async () => {
    await gate;
    return {};
  });

  const first = handler(request('POST', { body: order, idempotencyKey: 'key-inflight-1' }), context);
  let second: APIGatewayProxyResult;
  try {
    for (let tick = 0; tick < 100 && orderPuts() === 0; tick++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(orderPuts()).toBe(1);
    second = await handler(request('POST', { body: order, idempotencyKey: 'key-inflight-1' }), context);
  } finally {
    release();
  }

  expect(expectProblem(second, 409).title).toBe('Order in progress');
  expect((await first).statusCode).toBe(201);
  expect(orderPuts()).toBe(1);
});

test.each([
  ['missing', {}],
  ['too short', { 'Idempotency-Key': 'short' }],
  ['not letters, digits or dashes', { 'Idempotency-Key': 'key with spaces' }],
])('fails when the Idempotency-Key header is %s', async (_, headers: Record<string, string>) => {
  const response = await handler(request('POST', { body: order, headers }), context);

  expect(expectProblem(response, 400).title).toBe('Missing idempotency key');
  expect(dynamodb.calls()).toHaveLength(0);
});

test('fails when the order is invalid, listing each field problem, and stores nothing', async () => {
  const invalid = { customerId: '', items: [{ sku: 'book', quantity: 0, unitPriceCents: 100 }] };
  const response = await handler(request('POST', { body: invalid, idempotencyKey: 'key-invalid-1' }), context);

  const body = expectProblem(response, 400);
  expect(body.title).toBe('Invalid order');
  expect(body.errors).toEqual([
    { field: 'customerId', problem: expect.any(String) },
    { field: 'items[0].quantity', problem: expect.any(String) },
  ]);
  expect(dynamodb.calls()).toHaveLength(0);
});

test.each([
  ['not JSON', '{"customerId":'],
  ['empty', undefined],
])('fails when the body is %s', async (_, body) => {
  const response = await handler(request('POST', { body, idempotencyKey: 'key-badjson-1' }), context);

  expect(expectProblem(response, 400)).toMatchObject({ title: 'Invalid order', detail: 'the body is not valid JSON' });
  expect(dynamodb.calls()).toHaveLength(0);
});

test('reads an order back', async () => {
  const placed = await handler(request('POST', { body: order, idempotencyKey: 'key-read-1' }), context);
  const { orderId } = json(placed);

  const response = await handler(request('GET', { orderId: String(orderId) }), context);

  expect(response.statusCode).toBe(200);
  expect(json(response)).toEqual({
    orderId,
    customerId: 'c-1',
    items: order.items,
    totalCents: orderTotal,
    createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(dynamodb.commandCalls(GetItemCommand, { TableName: 'orders-test' })[0].args[0].input).toEqual({
    TableName: 'orders-test',
    Key: { orderId: { S: orderId } },
  });
});

test('fails with 404 when the order does not exist', async () => {
  const response = await handler(request('GET', { orderId: 'no-such-order' }), context);

  expect(expectProblem(response, 404)).toMatchObject({
    title: 'Order not found',
    detail: 'there is no order no-such-order',
  });
});

test('fails with 500 when DynamoDB fails unexpectedly, leaking no internals, with the request id as correlation id', async () => {
  dynamodb
    .on(GetItemCommand, { TableName: 'orders-test' })
    .rejects(new Error('secret-internal-detail: table throttled'));

  const response = await handler(request('GET', { orderId: 'o-1' }), context);

  expect(response.statusCode).toBe(500);
  expect(response.body).not.toContain('secret-internal-detail');
  expect(response.body).not.toContain('throttled');
  expect(json(response)).toEqual({ type: 'about:blank', title: 'Internal error', status: 500, correlationId: 'req-1' });
});

test('fails with 500 when storing the order fails, takes the correlation id from x-correlation-id, and a retry can succeed', async () => {
  dynamodb.on(PutItemCommand, { TableName: 'orders-test' }).rejectsOnce(new Error('secret-internal-detail'));
  const event = request('POST', {
    body: order,
    idempotencyKey: 'key-fail-1',
    headers: { 'x-correlation-id': 'corr-42' },
  });

  const failed = await handler(event, context);

  expect(failed.statusCode).toBe(500);
  expect(failed.body).not.toContain('secret-internal-detail');
  expect(json(failed)).toEqual({ type: 'about:blank', title: 'Internal error', status: 500, correlationId: 'corr-42' });
  expect(fake.items('idempotency-test')).toEqual([]);
  expect(emfDocuments(stdout)).toContainEqual(expect.objectContaining({ OrderFailures: 1 }));

  fake.install(dynamodb);
  const retried = await handler(event, context);
  expect(retried.statusCode).toBe(201);
  expect(fake.items('orders-test')).toHaveLength(1);
});

test('a retry after the receipt key could not be read does not store a second order', async () => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'k' });
  const event = request('POST', { body: order, idempotencyKey: 'key-secret-fail-1' });

  expect((await handler(event, context)).statusCode).toBe(500);
  expect((await handler(event, context)).statusCode).toBe(201);

  expect(fake.items('orders-test')).toHaveLength(1);
});

test('emits OrdersPlaced and OrderValue in the Keel/Orders namespace for a placed order', async () => {
  await handler(request('POST', { body: order, idempotencyKey: 'key-metrics-1' }), context);

  const documents = emfDocuments(stdout);
  expect(documents).toHaveLength(1);
  expect(documents[0]).toMatchObject({
    _aws: {
      CloudWatchMetrics: [
        {
          Namespace: 'Keel/Orders',
          Metrics: expect.arrayContaining([
            { Name: 'OrdersPlaced', Unit: 'Count' },
            { Name: 'OrderValue', Unit: 'None' },
          ]),
        },
      ],
    },
    service: 'orders',
    OrdersPlaced: 1,
    OrderValue: orderTotal,
  });
});

test('emits OrdersRejected, and no OrdersPlaced, for an invalid order', async () => {
  await handler(request('POST', { body: { customerId: 'c-1', items: [] }, idempotencyKey: 'key-metrics-2' }), context);

  const documents = emfDocuments(stdout);
  expect(documents).toHaveLength(1);
  expect(documents[0]).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'Keel/Orders', Dimensions: [['service']] }] },
    service: 'orders',
    OrderRequests: 1,
    OrdersRejected: 1,
  });
  expect(documents[0]).not.toHaveProperty('OrdersPlaced');
});

test('a retry served from the idempotency record does not count the order again', async () => {
  await handler(request('POST', { body: order, idempotencyKey: 'key-metrics-3' }), context);
  stdout.mockClear();

  await handler(request('POST', { body: order, idempotencyKey: 'key-metrics-3' }), context);

  expect(emfDocuments(stdout)).not.toContainEqual(expect.objectContaining({ OrdersPlaced: 1 }));
});

test.each([
  ['DELETE', 'o-1'],
  ['PUT', undefined],
  ['GET', undefined],
  ['POST', 'o-1'],
])('fails with 405 for %s on an unsupported route (order id %s)', async (method, orderId) => {
  const response = await handler(request(method, { orderId, body: order, idempotencyKey: 'key-method-1' }), context);

  expect(expectProblem(response, 405).title).toBe('Method not allowed');
  expect(dynamodb.calls()).toHaveLength(0);
});

test('fails when a unit price is beyond any real price, before the total could lose precision', async () => {
  const dear = { customerId: 'c-1', items: [{ sku: 'yacht', quantity: 2, unitPriceCents: 1e308 }] };
  const response = await handler(request('POST', { body: dear, idempotencyKey: 'key-too-dear-1' }), context);
  expectProblem(response, 400);
  expect(orderPuts()).toBe(0);
});

test('reads headers whatever case the client sent them in', async () => {
  const event = request('POST', {
    body: order,
    headers: { 'IDEMPOTENCY-KEY': 'key-upper-case-1', 'X-Correlation-Id': 'corr-upper' },
  });
  expect((await handler(event, context)).statusCode).toBe(201);
});
