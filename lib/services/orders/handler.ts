import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** What a client sends to place an order. */
export interface OrderRequest {
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
}

/** Checks an order request; returns the problems, empty when it is valid. */
export function validateOrder(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return ['the body must be a JSON object'];
  const { customerId, items } = body as Partial<OrderRequest>;
  const problems: string[] = [];
  if (typeof customerId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(customerId)) {
    problems.push('customerId must be 1-64 letters, digits or dashes');
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > 100) {
    problems.push('items must be a list of 1 to 100 lines');
  } else {
    items.forEach((item, i) => {
      if (typeof item?.sku !== 'string' || item.sku.length === 0) problems.push(`items[${i}].sku must be a string`);
      if (!Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > 1000) {
        problems.push(`items[${i}].quantity must be a whole number from 1 to 1000`);
      }
    });
  }
  return problems;
}

const client = new DynamoDBClient({});

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** POST /orders places an order; GET /orders/{orderId} reads one back. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const table = process.env.ORDERS_TABLE_NAME;
  if (!table) throw new Error('ORDERS_TABLE_NAME is not set');
  try {
    if (event.httpMethod === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(event.body ?? '');
      } catch {
        return json(400, { message: 'the body is not valid JSON' });
      }
      const problems = validateOrder(body);
      if (problems.length > 0) return json(400, { message: 'invalid order', problems });
      const order = body as OrderRequest;
      const orderId = randomUUID();
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            orderId: { S: orderId },
            customerId: { S: order.customerId },
            items: { S: JSON.stringify(order.items) },
            createdAt: { S: new Date().toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
      return json(201, { orderId });
    }
    const orderId = event.pathParameters?.orderId;
    if (event.httpMethod === 'GET' && orderId) {
      const result = await client.send(new GetItemCommand({ TableName: table, Key: { orderId: { S: orderId } } }));
      if (!result.Item) return json(404, { message: `order ${orderId} not found` });
      return json(200, {
        orderId,
        customerId: result.Item.customerId?.S,
        items: JSON.parse(result.Item.items?.S ?? '[]'),
        createdAt: result.Item.createdAt?.S,
      });
    }
    return json(405, { message: `${event.httpMethod} is not supported here` });
  } catch (error) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'order request failed', error: String(error) }));
    return json(500, { message: 'internal error', requestId: event.requestContext?.requestId });
  }
}
