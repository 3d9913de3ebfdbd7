// Runs in the container, bundled by esbuild into app.js at synth: no aws-cdk-lib and no constructs here.
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { problem, respond } from '../../runtime/http';
import { emit } from '../../runtime/metrics';
import { helloContainerMetrics } from '../metrics';

/** What a route answers: a status, headers and a body, as the shared responses in runtime/http.ts build them. */
interface Answer {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly body: string;
}

type Route = (request: http.IncomingMessage, correlationId: string) => Promise<Answer>;

/** GET /hello: says who answers. Replace it with the service's first real route; keep the metrics. */
async function hello(_request: http.IncomingMessage, correlationId: string): Promise<Answer> {
  return respond(200, { service: 'hello-container', correlationId });
}

/** The routes by path, then by method. /health is answered before them: the load balancer's checks count nothing. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  '/hello': { GET: hello },
};

export interface ServerOptions {
  /**
   * The routes by path and method, for tests that need a route of their own (one that throws, or waits).
   * @default - the app's own routes
   */
  readonly routes?: Readonly<Record<string, Readonly<Record<string, Route>>>>;
}

/**
 * The app's HTTP server, not yet listening: GET /health for the load balancer, GET /hello, and problem details
 * (RFC 9457) for everything else. Every request but /health counts in `Requests`, every unexpected error in
 * `Failures` (Powertools Metrics, one EMF line on standard output per request), and every request is logged as JSON.
 */
export function createServer(options: ServerOptions = {}): http.Server {
  const { namespace, service } = helloContainerMetrics.requests;
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace, serviceName: service });
  const routes = options.routes ?? ROUTES;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://app').pathname;
    if (pathname === '/health' && request.method === 'GET') return send(response, respond(200, { status: 'ok' }));
    const correlationId = correlationIdOf(request);
    const where = { correlationId, method: request.method, path: pathname };
    emit(metrics, helloContainerMetrics.requests);
    let result: Answer;
    try {
      result = await answer(routes, pathname, request, correlationId);
    } catch (error) {
      emit(metrics, helloContainerMetrics.failures);
      logger.error('request failed', { ...where, error: error as Error });
      result = problem(500, 'Internal error', `the request failed; quote ${correlationId} when you report it`);
    } finally {
      metrics.publishStoredMetrics();
    }
    logger.info('request', { ...where, status: result.statusCode });
    // Once shutting down, the connection closes with the answer rather than waiting idle for its keep-alive timeout.
    const headers: Record<string, string> = { 'x-correlation-id': correlationId };
    if (!server.listening) headers.connection = 'close';
    send(response, result, headers);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('could not answer', { error: error as Error });
      response.destroy();
    });
  });
  return server;
}

/**
 * The id that ties a request's logs together: the caller's `X-Correlation-Id`, else the load balancer's
 * `X-Amzn-Trace-Id` (also in its access logs), else a new one.
 */
function correlationIdOf(request: http.IncomingMessage): string {
  const given = request.headers['x-correlation-id'] ?? request.headers['x-amzn-trace-id'];
  return (Array.isArray(given) ? given[0] : given) ?? randomUUID();
}

/** The route's answer, or problem details when no route serves the path (404) or the method (405). */
async function answer(
  routes: Readonly<Record<string, Readonly<Record<string, Route>>>>,
  pathname: string,
  request: http.IncomingMessage,
  correlationId: string,
): Promise<Answer> {
  const methods = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
  if (!methods) return problem(404, 'Not found', `${pathname} is not a path of this service`);
  const method = request.method ?? 'GET';
  const route = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!route) {
    const allowed = Object.keys(methods).join(', ');
    return withHeader(problem(405, 'Method not allowed', `${method} ${pathname} is not supported`), 'allow', allowed);
  }
  return route(request, correlationId);
}

function withHeader(result: Answer, name: string, value: string): Answer {
  return { ...result, headers: { ...result.headers, [name]: value } };
}

function send(response: http.ServerResponse, result: Answer, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries({ ...result.headers, ...headers }))
    response.setHeader(name, String(value));
  response.writeHead(result.statusCode).end(result.body);
}

/**
 * Stops `server` as ECS stops a task: SIGTERM, then SIGKILL after the task's stop timeout (30 s by default). It stops
 * accepting connections, lets the requests in flight finish, closes idle keep-alive connections, and resolves once
 * all are done; connections still open after `graceMs` are cut.
 */
export function shutDown(server: http.Server, graceMs = 25_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    cut.unref();
    server.close((error) => {
      clearTimeout(cut);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

/** Listens on PORT (8080 by default) and shuts down gracefully on SIGTERM. */
function main(): void {
  const logger = new Logger({ serviceName: helloContainerMetrics.requests.service });
  const port = Number(process.env.PORT ?? 8080);
  const server = createServer();
  server.listen(port, () => logger.info('listening', { port: (server.address() as AddressInfo).port }));
  process.once('SIGTERM', () => {
    logger.info('SIGTERM: finishing the requests in flight');
    shutDown(server).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: error as Error });
        process.exit(1);
      },
    );
  });
}

if (require.main === module) main();
