import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type * as http from 'node:http';
import { createServer, shutDown } from '../../../../lib/services/hello-container/app/server';
import { emfDocuments } from '../../../helpers/lambda';
import { REPOSITORY_ROOT } from '../../../helpers/repository-copy';

// Powertools reads the log level when the server is created: the tests read metrics, not logs.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

/** Starts `server` on a free port and returns its address. */
async function listening(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = createServer();
  url = await listening(server);
});
afterAll(() => shutDown(server));
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

test('answers the load balancer on GET /health and counts no request', async () => {
  const response = await fetch(`${url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  expect(emfDocuments(stdout)).toEqual([]);
});

test('answers GET /hello with the correlation id and counts the request in Keel/HelloContainer', async () => {
  const response = await fetch(`${url}/hello`, { headers: { 'x-correlation-id': 'c-1' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-correlation-id')).toBe('c-1');
  expect(await response.json()).toEqual({ service: 'hello-container', correlationId: 'c-1' });
  expect(emfDocuments(stdout)).toEqual([
    expect.objectContaining({
      Requests: 1,
      service: 'hello-container',
      _aws: expect.objectContaining({
        CloudWatchMetrics: [
          expect.objectContaining({
            Namespace: 'Keel/HelloContainer',
            Dimensions: [['service']],
            Metrics: [{ Name: 'Requests', Unit: 'Count' }],
          }),
        ],
      }),
    }),
  ]);
});

test("without a correlation id, ties the request's logs to the load balancer's trace id", async () => {
  const response = await fetch(`${url}/hello`, {
    headers: { 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678' },
  });
  expect(response.headers.get('x-correlation-id')).toBe('Root=1-67891233-abcdef012345678912345678');
  expect(await response.json()).toMatchObject({ correlationId: 'Root=1-67891233-abcdef012345678912345678' });
});

test('refuses a path it does not serve with problem details (404), counting the request but no failure', async () => {
  const response = await fetch(`${url}/nowhere`);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toEqual({
    type: 'about:blank',
    title: 'Not found',
    status: 404,
    detail: '/nowhere is not a path of this service',
  });
  expect(emfDocuments(stdout)).toEqual([expect.objectContaining({ Requests: 1 })]);
  expect(emfDocuments(stdout)).not.toContainEqual(expect.objectContaining({ Failures: expect.anything() }));
});

test('refuses a method it does not serve with problem details (405) naming the methods it allows', async () => {
  const response = await fetch(`${url}/hello`, { method: 'DELETE' });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('GET');
  expect(await response.json()).toMatchObject({
    title: 'Method not allowed',
    detail: 'DELETE /hello is not supported',
  });
  expect(emfDocuments(stdout)).not.toContainEqual(expect.objectContaining({ Failures: expect.anything() }));
});

test('answers an unexpected error with a 500 that quotes the correlation id, and counts a failure', async () => {
  const failing = createServer({
    routes: {
      '/hello': {
        GET: () => {
          throw new Error('the database is gone');
        },
      },
    },
  });
  const failingUrl = await listening(failing);
  try {
    const response = await fetch(`${failingUrl}/hello`, { headers: { 'x-correlation-id': 'c-2' } });
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toMatchObject({ title: 'Internal error', detail: 'the request failed; quote c-2 when you report it' });
    expect(JSON.stringify(body)).not.toContain('the database is gone');
    expect(emfDocuments(stdout)).toEqual([expect.objectContaining({ Requests: 1, Failures: 1 })]);
  } finally {
    await shutDown(failing);
  }
});

test('on shutdown (what SIGTERM starts), refuses new connections and finishes the request in flight', async () => {
  let arrived!: () => void;
  let release!: () => void;
  const inRoute = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const slow = createServer({
    routes: {
      '/hello': {
        GET: async () => {
          arrived();
          await released;
          return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"done":true}' };
        },
      },
    },
  });
  const slowUrl = await listening(slow);
  const inFlight = fetch(`${slowUrl}/hello`);
  await inRoute;
  const stopped = shutDown(slow);
  await expect(fetch(`${slowUrl}/health`)).rejects.toThrow('fetch failed');
  release();
  const response = await inFlight;
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ done: true });
  await expect(stopped).resolves.toBeUndefined();
  expect(slow.listening).toBe(false);
});

test('started as the container starts it, listens on PORT and exits 0 on SIGTERM', async () => {
  const entry = path.join(REPOSITORY_ROOT, 'lib/services/hello-container/app/server.ts');
  const child = spawn(process.execPath, ['--require', './bin/typescript-hook.cjs', entry], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const port = await new Promise<number>((resolve) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"message":"listening".*"port":(\d+)/.exec(output);
      if (started) resolve(Number(started[1]));
    });
  });
  expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
