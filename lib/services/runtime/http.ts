// Runs inside the Lambda functions, bundled into each: no aws-cdk-lib and no constructs here.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** A JSON response: `body` serialized, with its content type. */
export function respond(statusCode: number, body: unknown, contentType = 'application/json'): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/**
 * RFC 9457 problem details (`application/problem+json`), for a request the client can fix or an error it should
 * report; `errors`, when given, lists what is wrong field by field.
 */
export function problem(
  status: number,
  title: string,
  detail: string,
  errors?: readonly unknown[],
): APIGatewayProxyResult {
  return respond(
    status,
    { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) },
    'application/problem+json',
  );
}

/** Request headers by lower-case name: REST API events keep whatever case the client sent. */
export function headersOf(event: APIGatewayProxyEvent): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * The id that ties a request's logs together: the caller's `X-Correlation-Id`, else API Gateway's request id, else
 * the Lambda request id.
 */
export function correlationIdOf(event: APIGatewayProxyEvent, context: Context): string {
  return headersOf(event)['x-correlation-id'] ?? event.requestContext?.requestId ?? context.awsRequestId;
}
