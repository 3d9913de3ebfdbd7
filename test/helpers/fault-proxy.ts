import * as http from 'node:http';
import type * as net from 'node:net';

/**
 * What the proxy does to a matched request: wait before forwarding it, never answer, close the connection without an
 * answer, answer as AWS does when it throttles, fails (503), denies, finds the credentials expired or has no such pipeline, or answer a
 * 200 HTML page (a captive portal).
 */
export type Fault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'hang' | 'drop' | 'html' }
  | { readonly kind: keyof typeof AWS_ERRORS };

/** AWS's JSON error answers, by fault: status, `__type` and message. */
const AWS_ERRORS = {
  throttle: [400, 'Throttling', 'Rate exceeded'],
  unavailable: [503, 'ServiceUnavailable', 'Service unavailable'],
  denied: [400, 'AccessDeniedException', 'User: arn:aws:iam::111111111111:user/x is not authorized'],
  expired: [400, 'ExpiredTokenException', 'The security token included in the request is expired'],
  noPipeline: [400, 'PipelineNotFoundException', 'The account does not include a pipeline with that name'],
} as const;

export interface FaultRule {
  /** The AWS action (`DescribeAlarms`, `GetPipelineState`); `*` for every request. */
  readonly action: string;
  readonly fault: Fault;
  /** How many matching requests it applies to, then it clears. @default - every one */
  readonly times?: number;
  /** How many matching requests it lets through first. @default 0 */
  readonly after?: number;
}

/** A proxy on 127.0.0.1 in front of an emulator, injecting faults into chosen requests. */
export interface FaultProxy {
  readonly endpoint: string;
  /** Replaces the rules; `[]` forwards everything. */
  faults(rules: readonly FaultRule[]): void;
  /** The action of every request so far, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * The action a request asks for, from each protocol Keel's clients speak: `X-Amz-Target` (JSON: CloudWatch,
 * CodePipeline), an RPC v2 path, or a query body's `Action=`.
 */
function actionOf(request: http.IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const rpc = /\/operation\/([A-Za-z]+)/.exec(request.url ?? '');
  if (rpc) return rpc[1];
  return new URLSearchParams(body).get('Action') ?? '';
}

function answer(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function forward(upstream: URL, request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
  const outgoing = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    },
    (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    },
  );
  outgoing.on('error', () => response.destroy());
  outgoing.end(body);
}

/** Starts a fault proxy on a free loopback port in front of `upstream` (an emulator's endpoint). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let rules: { rule: FaultRule; skip: number; left: number }[] = [];
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();

  const apply = (fault: Fault, request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void => {
    switch (fault.kind) {
      case 'delay':
        setTimeout(() => forward(target, request, body, response), fault.ms);
        return;
      case 'hang':
        return;
      case 'drop':
        request.socket.destroy();
        return;
      case 'html':
        answer(response, 200, 'text/html', '<!doctype html><html><body>Please sign in to the Wi-Fi</body></html>');
        return;
      default: {
        const [status, type, message] = AWS_ERRORS[fault.kind];
        answer(response, status, 'application/x-amz-json-1.0', JSON.stringify({ __type: type, message }));
      }
    }
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = actionOf(request, body.toString('utf8'));
      seen.push(action);
      const match = rules.find(({ rule, left }) => left > 0 && (rule.action === '*' || rule.action === action));
      if (match && match.skip > 0) match.skip--;
      else if (match) {
        match.left--;
        return apply(match.rule.fault, request, body, response);
      }
      forward(target, request, body, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults: (next) => {
      rules = next.map((rule) => ({ rule, skip: rule.after ?? 0, left: rule.times ?? Number.POSITIVE_INFINITY }));
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
