// npm run bench (second part): `keel status` on a service with 100 alarms and 200 business metrics, against the
// local emulator (moto on 127.0.0.1). Prints the CloudWatch API calls made (budget ≤ 3) and the wall time, then the
// start-up of the `keel` process itself: `keel --help` and a whole `keel status`, each ÷ `node -e 0`, in
// interleaved rounds (budget for `keel --help`: ≤ 4).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { KeelManifest, ManifestService } from '../constructs/manifest/manifest-schema';
import { findService, loadManifest } from '../lib/ops/manifest';
import { status } from '../lib/ops/status';
import { seedAlarms, startEmulator } from '../tools/emulator/moto';

const ROOT = path.join(__dirname, '..');
const ALARMS = 100;
const METRICS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** The benchmark service: 100 alarms (every third critical) and 200 business metrics, no objectives. */
function benchService(): ManifestService {
  return {
    service: 'bench',
    environment: 'prod',
    stackName: 'Bench-prod',
    region: 'eu-west-1',
    healthAlarm: 'bench-prod-alarm-0-critical',
    alarmPrefix: 'bench-prod-',
    dashboard: 'bench-prod',
    alarms: Array.from({ length: ALARMS }, (_, i) => ({
      name: `bench-prod-alarm-${i}-${i % 3 === 0 ? 'critical' : 'warning'}`,
      severity: i % 3 === 0 ? ('critical' as const) : ('warning' as const),
      kind: 'threshold',
      runbook: `https://example.com/runbooks/bench.md#alarm-${i}`,
      watches: `Metric${i % METRICS}`,
      compositeChild: false,
    })),
    metrics: Array.from({ length: METRICS }, (_, i) => ({
      namespace: 'Keel/Bench',
      name: `Metric${i}`,
      dimensions: { service: 'bench' },
      unit: 'Count',
      statistic: 'Sum',
      description: `metric ${i}`,
    })),
    objectives: [],
  };
}

/** Creates the service's alarms in the emulator and one data point for each business metric. */
async function seed(client: CloudWatchClient, entry: ManifestService): Promise<void> {
  await seedAlarms(
    client,
    entry.alarms.map((a) => a.name),
  );
  for (let i = 0; i < METRICS; i += 20) {
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Keel/Bench',
        MetricData: entry.metrics.slice(i, i + 20).map((metric) => ({
          MetricName: metric.name,
          Dimensions: [{ Name: 'service', Value: 'bench' }],
          Value: 1,
        })),
      }),
    );
  }
}

/** A temporary cloud assembly holding a manifest with `entry` alone. */
function assemblyWith(entry: ManifestService): string {
  const assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-status-'));
  const manifest: KeelManifest = { version: 1, generatedAt: new Date().toISOString(), services: [entry] };
  fs.writeFileSync(path.join(assembly, 'keel-manifest.json'), JSON.stringify(manifest));
  return assembly;
}

/** `status` as the CLI runs it, ROUNDS times: the wall time of each, and the API calls of the last. */
async function timeStatus(endpoint: string, assembly: string): Promise<{ times: number[]; sent: string[] }> {
  const sent: string[] = [];
  const counted = new CloudWatchClient({ region: 'eu-west-1', endpoint });
  counted.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    sent.length = 0;
    const started = process.hrtime.bigint();
    // The same path the CLI takes: the manifest from disk, then status with a fresh client that counts its calls.
    const report = await status(counted, findService(loadManifest(assembly), 'bench', 'prod'), { sinceMs: 3_600_000 });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (report.alarms.length + 1 < ALARMS || report.metrics.length !== METRICS)
      throw new Error('status saw too little');
  }
  return { times, sent };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The wall time of one process, in milliseconds; throws when it fails (exit 1 is an unhealthy verdict). */
function processTime(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return ms;
}

/** Each process's time ÷ `node -e 0` in the same round, ROUNDS interleaved rounds after one warm-up. */
function startupRatios(processes: Readonly<Record<string, readonly string[]>>): Record<string, number[]> {
  const ratios: Record<string, number[]> = Object.fromEntries(Object.keys(processes).map((name) => [name, []]));
  for (let round = -1; round < ROUNDS; round++) {
    const baseline = processTime(['-e', '0']);
    for (const [name, args] of Object.entries(processes)) {
      const ratio = processTime(args) / baseline;
      if (round >= 0) ratios[name].push(ratio);
    }
  }
  return ratios;
}

async function main(): Promise<void> {
  // As bin/keel.ts does: no 8-line AWS SDK Node-version warning in the bench's output on Node < 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const emulator = await startEmulator();
  try {
    const entry = benchService();
    await seed(new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint }), entry);
    const assembly = assemblyWith(entry);
    const { times, sent } = await timeStatus(emulator.endpoint, assembly);
    const calls = sent.length;
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`keel status: ${ALARMS} alarms, ${METRICS} business metrics, moto on 127.0.0.1, ${ROUNDS} runs`);
    console.log(
      `  CloudWatch API calls per status: ${calls} (${[...new Set(sent)].join(', ')}); budget ≤ 3: ${calls <= 3 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  wall time: min ${sorted[0].toFixed(0)} ms, median ${median(times).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
    );

    const keel = path.join(ROOT, 'bin', 'keel.cjs');
    const ratios = startupRatios({
      'keel --help': [keel, '--help'],
      'keel status (whole process)': [
        keel,
        'status',
        'bench',
        '--env',
        'prod',
        '--assembly',
        assembly,
        '--endpoint-url',
        emulator.endpoint,
      ],
    });
    console.log(`keel start-up ÷ node -e 0, ${ROUNDS} interleaved rounds:`);
    for (const [name, values] of Object.entries(ratios)) {
      const budget = name === 'keel --help' ? `; budget ≤ 4: ${median(values) <= 4 ? 'met' : 'MISSED'}` : '';
      console.log(
        `  ${name}: median ${median(values).toFixed(2)} (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})${budget}`,
      );
    }
    fs.rmSync(assembly, { recursive: true, force: true });
  } finally {
    await emulator.stop();
  }
}

void main();
