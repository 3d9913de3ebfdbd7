import type { APIGatewayProxyEvent } from 'aws-lambda';
import { correlationIdOf, headersOf, problem, respond } from '../../../../lib/services/runtime/http';
import { lambdaContext } from '../../../helpers/lambda';

function request(headers: Record<string, string> | null, requestId?: string): APIGatewayProxyEvent {
  return { headers, requestContext: requestId ? { requestId } : undefined } as unknown as APIGatewayProxyEvent;
}

test('responds with a JSON body and its content type', () => {
  expect(respond(201, { orderId: 'o-1' })).toEqual({
    statusCode: 201,
    headers: { 'content-type': 'application/json' },
    body: '{"orderId":"o-1"}',
  });
});

test('describes a problem as RFC 9457 problem details, with the field errors when there are some', () => {
  expect(JSON.parse(problem(404, 'Order not found', 'there is no order o-1').body)).toEqual({
    type: 'about:blank',
    title: 'Order not found',
    status: 404,
    detail: 'there is no order o-1',
  });
  const invalid = problem(400, 'Invalid order', 'the order has invalid fields', [{ field: 'items', problem: 'empty' }]);
  expect(invalid.headers).toEqual({ 'content-type': 'application/problem+json' });
  expect(JSON.parse(invalid.body).errors).toEqual([{ field: 'items', problem: 'empty' }]);
});

test('reads headers by lower-case name, whatever case the client sent', () => {
  expect(headersOf(request({ 'Idempotency-Key': 'k-12345678' }))['idempotency-key']).toBe('k-12345678');
  expect(headersOf(request(null))).toEqual({});
});

test("takes the correlation id from the caller, else API Gateway's request id, else Lambda's", () => {
  const context = lambdaContext('handler');
  expect(correlationIdOf(request({ 'X-Correlation-Id': 'c-1' }, 'req-1'), context)).toBe('c-1');
  expect(correlationIdOf(request({}, 'req-1'), context)).toBe('req-1');
  expect(correlationIdOf(request(null), context)).toBe('aws-req-1');
});
