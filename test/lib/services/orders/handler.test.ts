import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, validateOrder } from '../../../../lib/services/orders/handler';

const dynamodb = mockClient(DynamoDBClient);

function request(method: string, body?: unknown, orderId?: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    pathParameters: orderId ? { orderId } : null,
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

beforeEach(() => {
  dynamodb.reset();
  process.env.ORDERS_TABLE_NAME = 'orders-test';
});

test('places an order and stores it once, under a new id', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  const response = await handler(request('POST', { customerId: 'c-1', items: [{ sku: 'book', quantity: 2 }] }));
  expect(response.statusCode).toBe(201);
  const { orderId } = JSON.parse(response.body) as { orderId: string };
  const put = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
  expect(put).toMatchObject({
    TableName: 'orders-test',
    ConditionExpression: 'attribute_not_exists(orderId)',
    Item: { orderId: { S: orderId }, customerId: { S: 'c-1' } },
  });
});

test('reads an order back', async () => {
  dynamodb.on(GetItemCommand).resolves({
    Item: {
      orderId: { S: 'o-1' },
      customerId: { S: 'c-1' },
      items: { S: '[{"sku":"book","quantity":2}]' },
      createdAt: { S: 'now' },
    },
  });
  const response = await handler(request('GET', undefined, 'o-1'));
  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body)).toEqual({
    orderId: 'o-1',
    customerId: 'c-1',
    items: [{ sku: 'book', quantity: 2 }],
    createdAt: 'now',
  });
});

test('answers 404 for an order that does not exist', async () => {
  dynamodb.on(GetItemCommand).resolves({});
  expect((await handler(request('GET', undefined, 'missing'))).statusCode).toBe(404);
});

test('fails when the order is invalid, saying what is wrong and storing nothing', async () => {
  const response = await handler(request('POST', { customerId: '', items: [{ sku: 'book', quantity: 0 }] }));
  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body).problems).toEqual([
    'customerId must be 1-64 letters, digits or dashes',
    'items[0].quantity must be a whole number from 1 to 1000',
  ]);
  expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  expect((await handler(request('POST', '{not json'))).statusCode).toBe(400);
});

test('fails with 500 and the request id, without leaking the error, when DynamoDB fails', async () => {
  dynamodb.on(PutItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const response = await handler(request('POST', { customerId: 'c-1', items: [{ sku: 'book', quantity: 1 }] }));
  spy.mockRestore();
  expect(response.statusCode).toBe(500);
  expect(JSON.parse(response.body)).toEqual({ message: 'internal error', requestId: 'req-1' });
});

test('validateOrder accepts a well-formed order', () => {
  expect(validateOrder({ customerId: 'c-1', items: [{ sku: 'a', quantity: 1 }] })).toEqual([]);
  expect(validateOrder(null)).toEqual(['the body must be a JSON object']);
});
