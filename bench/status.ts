// npm run bench (second part): `keel status` on a service with 100 alarms and 200 business metrics, against the
// local emulator (moto on 127.0.0.1). Prints the CloudWatch API calls made (budget ≤ 3) and the wall time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { KeelManifest, ManifestService } from '../constructs';
import { findService, loadManifest } from '../lib/ops/manifest';
import { status } from '../lib/ops/status';
import { seedAlarms, startEmulator } from '../test/emulator/moto';

const ALARMS = 100;
const METRICS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const emulator = await startEmulator();
  try {
    const sent: string[] = [];
    const client = new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint });
    const entry: ManifestService = {
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
    // The same path the CLI takes: the manifest from disk, then status with a fresh client that counts its calls.
    const assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-status-'));
    const manifest: KeelManifest = { version: 1, generatedAt: new Date().toISOString(), services: [entry] };
    fs.writeFileSync(path.join(assembly, 'keel-manifest.json'), JSON.stringify(manifest));
    const counted = new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint });
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const times: number[] = [];
    let calls = 0;
    for (let round = 0; round < ROUNDS; round++) {
      sent.length = 0;
      const started = process.hrtime.bigint();
      const report = await status(counted, findService(loadManifest(assembly), 'bench', 'prod'), {
        sinceMs: 3_600_000,
      });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      calls = sent.length;
      if (report.alarms.length + 1 < ALARMS || report.metrics.length !== METRICS)
        throw new Error('status saw too little');
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`keel status: ${ALARMS} alarms, ${METRICS} business metrics, moto on 127.0.0.1, ${ROUNDS} runs`);
    console.log(
      `  CloudWatch API calls per status: ${calls} (${[...new Set(sent)].join(', ')}); budget ≤ 3: ${calls <= 3 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  wall time: min ${sorted[0].toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
    );
  } finally {
    await emulator.stop();
  }
}

void main();
