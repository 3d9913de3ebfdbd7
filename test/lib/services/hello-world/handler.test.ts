import type { APIGatewayProxyEvent } from 'aws-lambda';
import { emfDocuments, lambdaContext } from '../../../helpers/lambda';
import type { handler as Handler } from '../../../../lib/services/hello-world/handler';

// Powertools reads these when the handler loads, so it is required (below) only after they are set.
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'hello-world',
  POWERTOOLS_METRICS_NAMESPACE: 'Keel/HelloWorld',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const { handler } = jest.requireActual<{ handler: typeof Handler }>('../../../../lib/services/hello-world/handler');

function request(httpMethod: string, resource: string): APIGatewayProxyEvent {
  return {
    httpMethod,
    resource,
    path: resource,
    headers: { 'X-Correlation-Id': 'c-1' },
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

test('answers GET /hello-world and counts the request in Keel/HelloWorld', async () => {
  const response = await handler(request('GET', '/hello-world'), lambdaContext('hello-world-handler'));
  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ service: 'hello-world', correlationId: 'c-1' });
  expect(emfDocuments(stdout)).toContainEqual(
    expect.objectContaining({
      Requests: 1,
      _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'Keel/HelloWorld' })] }),
    }),
  );
});

test('refuses a method it does not serve with problem details, and counts no failure', async () => {
  const response = await handler(request('DELETE', '/hello-world'), lambdaContext('hello-world-handler'));
  expect(response.statusCode).toBe(405);
  expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
  expect(emfDocuments(stdout)).not.toContainEqual(expect.objectContaining({ Failures: 1 }));
});
