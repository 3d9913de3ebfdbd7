import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { correlationIdOf, problem, respond } from '../runtime/http';
import { emit } from '../runtime/metrics';
import { helloWorldMetrics } from './metrics';

// Powertools reads the service name, metrics namespace and log level from the environment ServiceFunction sets.
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

/** GET /hello-world: says who answers. Replace it with the service's first real route; keep the metrics. */
async function describeService(correlationId: string): Promise<APIGatewayProxyResult> {
  return respond(200, { service: 'hello-world', correlationId });
}

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const correlationId = correlationIdOf(event, context);
  logger.addContext(context);
  logger.appendKeys({ correlationId });
  tracer.putAnnotation('correlationId', correlationId);
  emit(metrics, helloWorldMetrics.requests);
  try {
    if (event.httpMethod === 'GET' && event.resource === '/hello-world') return await describeService(correlationId);
    return problem(405, 'Method not allowed', `${event.httpMethod} ${event.resource} is not supported`);
  } catch (error) {
    emit(metrics, helloWorldMetrics.failures);
    logger.error('request failed', { error: error as Error, method: event.httpMethod, resource: event.resource });
    return problem(500, 'Internal error', `the request failed; quote ${correlationId} when you report it`);
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}
