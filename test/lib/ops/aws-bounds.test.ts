import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsBounds, Deadline } from '../../../lib/ops/aws-bounds';
import { runCli } from '../../../lib/ops/cli';
import { seedAlarms, startEmulator, type Emulator } from '../../../tools/emulator/moto';
import { startFaultProxy, type Fault, type FaultProxy } from '../../helpers/fault-proxy';
import { assemblyWith, keelManifest, manifestService } from '../../helpers/manifest';
import { setEnv } from '../../helpers/env';

// keel under faults: the CLI's real AWS traffic goes through a proxy in front of moto that injects one fault at a
// time. The bounds are made small through their environment variables, so every failure ends in well under a second.

const BOUNDS = {
  KEEL_AWS_CONNECT_TIMEOUT: '300ms',
  KEEL_AWS_ANSWER_TIMEOUT: '150ms',
  KEEL_AWS_ATTEMPTS: '2',
  KEEL_DEADLINE: '3s',
};
/** What README promises: a command ends within its deadline (with the bake for gate); a second for the rest. */
const BOUND_MS = 3_000 + 1_000;
const ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  ...BOUNDS,
};
let restoreEnv: () => void;

/** Runs `body` with some bounds changed, e.g. a longer answer timeout for tests that need moto to answer. */
async function withBounds<T>(bounds: Partial<typeof BOUNDS>, body: () => Promise<T>): Promise<T> {
  Object.assign(process.env, bounds);
  try {
    return await body();
  } finally {
    Object.assign(process.env, BOUNDS);
  }
}
/** Time enough for moto to answer on a busy machine. */
const ANSWERING = { KEEL_AWS_ANSWER_TIMEOUT: '5s', KEEL_DEADLINE: '10s' };

let emulator: Emulator;
let proxy: FaultProxy;
let assembly: string;

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly ms: number;
}

/** `keel` in this process, against `endpoint` (the proxy unless given), timed. */
async function keel(argv: readonly string[], endpoint = proxy.endpoint): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await runCli([...argv, '--assembly', assembly, '--endpoint-url', endpoint], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out, err, ms: Date.now() - started };
}

const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  status: ['status', 'shop', '--env', 'prod'],
  gate: ['gate', 'shop', '--env', 'prod', '--bake', '0s'],
  rollback: ['rollback', 'shop', '--env', 'prod', '--yes'],
};

/** Each failure class, as README's "Bounds and failures" table names it, and its exit code there. */
const EXIT_OF = {
  'no credentials': 3,
  'expired credentials': 3,
  'access denied': 3,
  'throttling after retries': 3,
  '5xx after retries': 3,
  'accepted, never answers': 3,
  'command deadline passed': 3,
  'connection refused or dropped': 3,
  'DNS failure': 3,
  'TLS failure': 3,
  'not an AWS answer (an HTML 200)': 3,
  'unknown pipeline (`rollback`)': 2,
  'unknown alarm (`gate`)': 1,
} as const;
type Failure = keyof typeof EXIT_OF;

/**
 * The failure's exit code (README's), one `keel:` line last on stderr, no stack trace, and the run ended within the
 * bound; returns the line.
 */
function failedInOneLine(run: Run, failure: Failure): string {
  expect(run.code).toBe(EXIT_OF[failure]);
  expect(run.ms).toBeLessThan(BOUND_MS);
  const last = run.err[run.err.length - 1];
  expect(last).toMatch(/^keel: /);
  expect(run.err.filter((line) => line.startsWith('keel: '))).toHaveLength(1);
  expect(run.err.join('\n')).not.toMatch(/\n\s+at |Deserialization error|@smithy/);
  return last;
}

/** A loopback port nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  restoreEnv = setEnv(ENV);
  emulator = await startEmulator();
  proxy = await startFaultProxy(emulator.endpoint);
  const service = manifestService({ objectives: [], metrics: [], pipeline: { name: 'shop-pipeline', stage: 'Prod' } });
  assembly = assemblyWith(keelManifest([service]));
  const seeding = new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint });
  await seedAlarms(
    seeding,
    service.alarms.map((a) => a.name),
  );
}, 60_000);

beforeEach(() => proxy.faults([]));

afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
  restoreEnv?.();
});

describe('bounds', () => {
  test('reads its bounds from the environment, with 3s, 15s, 4 attempts and 2m by default', () => {
    expect(awsBounds({})).toEqual({ connectMs: 3_000, answerMs: 15_000, attempts: 4, deadlineMs: 120_000 });
    expect(awsBounds(BOUNDS)).toEqual({ connectMs: 300, answerMs: 150, attempts: 2, deadlineMs: 3_000 });
  });

  test('refuses a bound that is not a duration or a whole number, naming the variable', () => {
    expect(() => awsBounds({ KEEL_AWS_ANSWER_TIMEOUT: 'soon' })).toThrow(/KEEL_AWS_ANSWER_TIMEOUT "soon"/);
    expect(() => awsBounds({ KEEL_DEADLINE: '0s' })).toThrow(/KEEL_DEADLINE "0s" must be longer than 0/);
    expect(() => awsBounds({ KEEL_AWS_ATTEMPTS: '0' })).toThrow(/KEEL_AWS_ATTEMPTS "0" is not a whole number/);
  });

  test('restarts a deadline from now', () => {
    let now = 0;
    const deadline = new Deadline(1_000, () => now);
    now = 1_500;
    expect(deadline.left()).toBe(-500);
    deadline.restart();
    expect(deadline.left()).toBe(1_000);
  });
});

describe.each(Object.keys(COMMANDS))('keel %s under faults', (name) => {
  const argv = COMMANDS[name];
  const action = name === 'rollback' ? 'GetPipelineState' : 'DescribeAlarms';

  test('ends within its bound with exit code 3 when the endpoint accepts the connection and never answers', async () => {
    proxy.faults([{ action, fault: { kind: 'hang' } }]);

    const line = failedInOneLine(await keel(argv), 'accepted, never answers');

    expect(line).toContain(
      `endpoint ${proxy.endpoint} accepted the connection but did not answer within 150ms after 2 attempts`,
    );
    expect(line).toContain('KEEL_AWS_ANSWER_TIMEOUT');
  });

  test('names the HTTP status with exit code 3 when AWS keeps failing with 5xx', async () => {
    proxy.faults([{ action, fault: { kind: 'unavailable' } }]);

    const line = failedInOneLine(await keel(argv), '5xx after retries');

    expect(line).toContain(
      `endpoint ${proxy.endpoint} kept failing with HTTP 503 (ServiceUnavailable) after 2 attempts`,
    );
  });

  test('says the answer is not AWS with exit code 3 when a proxy answers a 200 HTML page', async () => {
    proxy.faults([{ action, fault: { kind: 'html' } }]);

    const line = failedInOneLine(await keel(argv), 'not an AWS answer (an HTML 200)');

    expect(line).toContain(`endpoint ${proxy.endpoint} answered with something that is not an AWS response`);
  });
});

/** One failure class: its README name, the fault, the command that shows it and what its line says (`<proxy>`: where). */
type FaultCase = [Failure, Fault, string, string];

const CASES: FaultCase[] = [
  ['access denied', { kind: 'denied' }, 'status', 'access denied (User: arn:aws:iam::111111111111:user/x'],
  ['expired credentials', { kind: 'expired' }, 'gate', 'the AWS credentials have expired (ExpiredTokenException)'],
  ['throttling after retries', { kind: 'throttle' }, 'status', 'CloudWatch kept throttling the requests'],
  [
    'connection refused or dropped',
    { kind: 'drop' },
    'gate',
    'cannot reach the CloudWatch endpoint <proxy> (ECONNRESET)',
  ],
];

test.each(CASES)('fails in one line on %s', async (failure, fault, command, message) => {
  proxy.faults([{ action: '*', fault }]);

  const line = failedInOneLine(await keel(COMMANDS[command]), failure);

  expect(line).toContain(message.replace('<proxy>', proxy.endpoint));
});

test('waits out a slow answer that comes within the answer timeout', async () => {
  proxy.faults([{ action: 'DescribeAlarms', fault: { kind: 'delay', ms: 100 } }]);

  const run = await withBounds(ANSWERING, () => keel(COMMANDS.gate));

  expect(run.code).toBe(0);
  expect(run.out.join('\n')).toContain('PASSED');
});

test('retries a throttle that clears, and passes', async () => {
  proxy.faults([{ action: 'DescribeAlarms', fault: { kind: 'throttle' }, times: 1 }]);

  const run = await withBounds(ANSWERING, () => keel(COMMANDS.gate));

  expect(run.code).toBe(0);
  expect(proxy.seen.filter((a) => a === 'DescribeAlarms').length).toBeGreaterThanOrEqual(2);
});

test('ends at the deadline, with exit code 3, however many attempts are allowed', async () => {
  proxy.faults([{ action: '*', fault: { kind: 'hang' } }]);

  const run = await withBounds({ KEEL_AWS_ATTEMPTS: '10', KEEL_DEADLINE: '600ms' }, () => keel(COMMANDS.status));

  expect(failedInOneLine(run, 'command deadline passed')).toContain(
    "did not answer before the command's deadline of 600ms (KEEL_DEADLINE",
  );
});

test('names the deadline, not the answer timeout, when the deadline cut the attempt short', async () => {
  proxy.faults([{ action: '*', fault: { kind: 'hang' } }]);

  const run = await withBounds({ KEEL_AWS_ANSWER_TIMEOUT: '30s', KEEL_AWS_ATTEMPTS: '1', KEEL_DEADLINE: '600ms' }, () =>
    keel(COMMANDS.status),
  );

  const line = failedInOneLine(run, 'command deadline passed');
  expect(line).toContain("did not answer before the command's deadline of 600ms (KEEL_DEADLINE");
  expect(line).not.toContain('KEEL_AWS_ANSWER_TIMEOUT');
});

test('fails with exit code 2 naming the pipeline when CodePipeline does not have it', async () => {
  // moto has no GetPipelineState; the proxy answers as CodePipeline does for a pipeline the account lacks.
  proxy.faults([{ action: 'GetPipelineState', fault: { kind: 'noPipeline' } }]);

  const line = failedInOneLine(await keel(COMMANDS.rollback), 'unknown pipeline (`rollback`)');

  expect(line).toContain('reading pipeline shop-pipeline (GetPipelineState) failed');
  expect(line).toContain(`endpoint ${proxy.endpoint} does not know it (PipelineNotFoundException`);
});

test('fails with exit code 3 naming the endpoint when the connection is refused', async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;

  const line = failedInOneLine(await keel(COMMANDS.rollback, endpoint), 'connection refused or dropped');

  expect(line).toContain(`cannot reach the CodePipeline endpoint ${endpoint} (ECONNREFUSED)`);
});

test('fails with exit code 3 naming the host when it cannot be found (DNS)', async () => {
  const line = failedInOneLine(await keel(COMMANDS.status, 'http://keel-test.invalid:5000'), 'DNS failure');

  expect(line).toMatch(
    /cannot reach the CloudWatch endpoint http:\/\/keel-test\.invalid:5000 \((ENOTFOUND|EAI_AGAIN)\)/,
  );
});

test('fails with exit code 3 when the endpoint does not speak TLS (https to a plain HTTP port)', async () => {
  const line = failedInOneLine(await keel(COMMANDS.gate, proxy.endpoint.replace('http:', 'https:')), 'TLS failure');

  expect(line).toContain('no trusted TLS connection to the CloudWatch endpoint');
});

test('fails with exit code 3 when there are no credentials at all', async () => {
  const restore = setEnv({
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_PROFILE: undefined,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/keel-test-credentials',
    AWS_CONFIG_FILE: '/nonexistent/keel-test-config',
  });
  try {
    const line = failedInOneLine(await keel(COMMANDS.status), 'no credentials');

    expect(line).toContain('no AWS credentials');
  } finally {
    restore();
  }
});

test('fails the gate with exit code 1 naming an alarm that CloudWatch does not have', async () => {
  const known = assembly;
  assembly = assemblyWith(
    keelManifest([manifestService({ objectives: [], metrics: [], healthAlarm: 'shop-prod-no-such-alarm' })]),
  );
  try {
    const run = await withBounds(ANSWERING, () => keel(COMMANDS.gate));

    expect(run.code).toBe(EXIT_OF['unknown alarm (`gate`)']);
    expect(run.ms).toBeLessThan(BOUND_MS);
    expect(run.out).toEqual(['FAILED: shop-prod-no-such-alarm is MISSING']);
  } finally {
    assembly = known;
  }
});

test("README's table of failures lists exactly these classes with these exit codes", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| Failure '), readme.indexOf('### Rehearsing against the emulator'));
  const rows = [...table.matchAll(/^\| (.+?) +\| (\d) +\|/gm)].map(([, failure, code]) => [failure, Number(code)]);

  expect(Object.fromEntries(rows)).toEqual(EXIT_OF);
});

describe('keel gate during a bake', () => {
  const bake = ['gate', 'shop', '--env', 'prod', '--bake', '600ms', '--poll', '300ms'];

  test('passes when a throttling burst mid-bake clears: the failed look counts neither way', async () => {
    // The first look answers, the second is throttled (one attempt, so no SDK pause), the third answers.
    proxy.faults([{ action: 'DescribeAlarms', fault: { kind: 'throttle' }, after: 1, times: 1 }]);
    const before = proxy.seen.length;

    const run = await withBounds({ ...ANSWERING, KEEL_AWS_ATTEMPTS: '1' }, () => keel(bake));

    expect(run.code).toBe(0);
    expect(run.out).toEqual(['PASSED: shop (prod) stayed healthy for 600ms (2 polls)']);
    expect(proxy.seen.slice(before)).toEqual(['DescribeAlarms', 'DescribeAlarms', 'DescribeAlarms']);
  });

  test('fails with exit code 3 when the fault never clears, saying it cannot tell', async () => {
    proxy.faults([{ action: 'DescribeAlarms', fault: { kind: 'unavailable' } }]);

    const run = await keel(bake);

    expect(failedInOneLine(run, '5xx after retries')).toContain('the gate cannot tell whether the alarms stayed OK');
  });
});
