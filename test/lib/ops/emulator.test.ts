import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { KeelManifest } from '../../../constructs';
import { runCli } from '../../../lib/ops/cli';
import { seedAlarms, startEmulator, type Emulator } from '../../../tools/emulator/moto';
import { tempDir } from '../../helpers/temp-dir';
import { setEnv, TEST_CREDENTIALS } from '../../helpers/env';

// End to end against a real CloudWatch-compatible server: moto, installed into .venv by `npm test`'s pretest.
// moto has no composite alarms, so the health alarm is a metric alarm of the same name here.

const RUNBOOK = 'https://github.com/example-org/keel/blob/main/runbooks/shop.md';
const manifest: KeelManifest = {
  version: 1,
  generatedAt: '2026-11-21T00:00:00.000Z',
  services: [
    {
      service: 'shop',
      environment: 'prod',
      stackName: 'Shop-prod',
      region: 'eu-west-1',
      healthAlarm: 'shop-prod-health-critical',
      alarmPrefix: 'shop-prod-',
      dashboard: 'shop-prod',
      alarms: [
        {
          name: 'shop-prod-health-critical',
          severity: 'critical',
          kind: 'health',
          runbook: `${RUNBOOK}#health`,
          watches: 'every critical alarm',
          compositeChild: false,
        },
        {
          name: 'shop-prod-failures-critical',
          severity: 'critical',
          kind: 'threshold',
          runbook: `${RUNBOOK}#failures`,
          watches: 'failures',
          compositeChild: false,
        },
        {
          name: 'shop-prod-slow-warning',
          severity: 'warning',
          kind: 'threshold',
          runbook: `${RUNBOOK}#slow`,
          watches: 'latency',
          compositeChild: false,
        },
      ],
      metrics: [
        {
          namespace: 'Keel/Shop',
          name: 'OrdersPlaced',
          dimensions: { service: 'shop' },
          unit: 'Count',
          statistic: 'Sum',
          description: 'orders',
        },
      ],
      objectives: [],
    },
  ],
};

let emulator: Emulator;
let client: CloudWatchClient;
let assembly: string;
let restoreEnv: () => void;

async function keel(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--assembly', assembly, '--endpoint-url', emulator.endpoint], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function setState(name: string, state: 'OK' | 'ALARM'): Promise<void> {
  await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'emulator test' }));
}

beforeAll(async () => {
  restoreEnv = setEnv(TEST_CREDENTIALS);
  emulator = await startEmulator();
  client = new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint });
  assembly = tempDir('keel-emulator-');
  fs.writeFileSync(path.join(assembly, 'keel-manifest.json'), JSON.stringify(manifest));
  await seedAlarms(
    client,
    manifest.services[0].alarms.map((a) => a.name),
  );
  await client.send(
    new PutMetricDataCommand({
      Namespace: 'Keel/Shop',
      MetricData: [1, 4, 2].map((value, i) => ({
        MetricName: 'OrdersPlaced',
        Dimensions: [{ Name: 'service', Value: 'shop' }],
        Value: value,
        Timestamp: new Date(Date.now() - (3 - i) * 120_000),
      })),
    }),
  );
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  restoreEnv?.();
});

test('status reports a healthy service, its alarms and business metrics, and exits 0', async () => {
  const { code, out } = await keel('status', 'shop', '--env', 'prod', '--since', '1h');
  expect(code).toBe(0);
  expect(out).toContain('shop (prod): HEALTHY');
  expect(out).toMatch(/critical \(1 OK\)/);
  expect(out).toMatch(/OrdersPlaced\s+\S+\s+latest 2 \(Sum\)/);
});

test('status exits 1 and lists the firing alarm with its runbook when a critical alarm is in ALARM', async () => {
  await setState('shop-prod-failures-critical', 'ALARM');
  try {
    const { code, out } = await keel('status', 'shop', '--env', 'prod', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as { healthy: boolean; apiCalls: number; alarms: { name: string; state: string }[] };
    expect(report.healthy).toBe(false);
    expect(report.alarms).toContainEqual(
      expect.objectContaining({ name: 'shop-prod-failures-critical', state: 'ALARM' }),
    );
    expect(report.apiCalls).toBe(2);
  } finally {
    await setState('shop-prod-failures-critical', 'OK');
  }
});

test('a warning in ALARM leaves the service healthy', async () => {
  await setState('shop-prod-slow-warning', 'ALARM');
  try {
    expect((await keel('status', 'shop', '--env', 'prod')).code).toBe(0);
  } finally {
    await setState('shop-prod-slow-warning', 'OK');
  }
});

test('gate passes after the bake when every critical alarm stays OK', async () => {
  const { code, out, err } = await keel('gate', 'shop', '--env', 'prod', '--bake', '2s', '--poll', '500ms');
  expect(code).toBe(0);
  expect(out).toContain('PASSED: shop (prod) stayed healthy for 2s');
  expect(err).toMatch(/bake \S+ left · watching 2 alarms · 2 OK/);
});

test("gate reads the alarms through --role-arn, as the pipeline's gate step does with the alarm reader", async () => {
  const role = 'arn:aws:iam::123456789012:role/keel-shop-prod-alarm-reader';
  const { code, out } = await keel('gate', 'shop', '--env', 'prod', '--bake', '1s', '--role-arn', role);
  expect(code).toBe(0);
  expect(out).toMatch(/^PASSED: shop \(prod\) stayed healthy for 1s/);

  // The role really is assumed: moto keeps accounts apart, and another account has none of the service's alarms.
  const elsewhere = await keel(
    'gate',
    'shop',
    '--env',
    'prod',
    '--bake',
    '1s',
    '--role-arn',
    role.replace('123456789012', '222222222222'),
  );
  expect(elsewhere.code).toBe(1);
  expect(elsewhere.out).toContain('FAILED: shop-prod-health-critical is MISSING');
});

test('gate polls as often as a bake shorter than the default poll allows', async () => {
  const { code, out } = await keel('gate', 'shop', '--env', 'prod', '--bake', '1s');
  expect(code).toBe(0);
  expect(out).toContain('PASSED');
});

test('gate fails within one poll of a critical alarm going into ALARM, naming it and its runbook', async () => {
  const out: string[] = [];
  let flipped: Promise<void> | undefined;
  const code = await runCli(
    [
      'gate',
      'shop',
      '--env',
      'prod',
      '--bake',
      '30s',
      '--poll',
      '1s',
      '--json',
      '--assembly',
      assembly,
      '--endpoint-url',
      emulator.endpoint,
    ],
    {
      out: (text) => out.push(text),
      // After the first poll reports progress, the alarm fires.
      err: () => {
        flipped ??= setState('shop-prod-failures-critical', 'ALARM');
      },
    },
  );
  await flipped;
  await setState('shop-prod-failures-critical', 'OK');
  expect(code).toBe(1);
  const result = JSON.parse(out.join('\n')) as { polls: number; failedOn: { name: string; runbook: string } };
  expect(result.failedOn).toEqual({
    name: 'shop-prod-failures-critical',
    state: 'ALARM',
    runbook: `${RUNBOOK}#failures`,
  });
  expect(result.polls).toBe(2);
});

test('fails when the endpoint cannot be reached, with exit code 3 and one line', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['status', 'shop', '--env', 'prod', '--assembly', assembly, '--endpoint-url', 'http://127.0.0.1:9'],
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    },
  );
  expect(code).toBe(3);
  expect(err.join('\n')).toMatch(
    /^keel: listing alarms \(DescribeAlarms\) failed: cannot reach the CloudWatch endpoint/,
  );
  expect(err.join('\n')).not.toMatch(/\n\s+at /);
}, 60_000);
