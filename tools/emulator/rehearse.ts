// npm run rehearse: starts moto on 127.0.0.1, creates the alarms and business metrics of one service from
// cdk.out/keel-manifest.json, and runs `keel status` and `keel gate` against it; the README's output comes from here.
import { CloudWatchClient, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../../lib/ops/cli';
import { findService, loadManifest } from '../../lib/ops/manifest';
import { seedAlarms, startEmulator } from './moto';

async function main(): Promise<void> {
  const [service = 'orders', environment = 'prod'] = process.argv.slice(2);
  process.env.AWS_ACCESS_KEY_ID ??= 'rehearsal';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'rehearsal';
  const entry = findService(loadManifest('cdk.out'), service, environment);
  const emulator = await startEmulator();
  try {
    const client = new CloudWatchClient({ region: entry.region ?? 'eu-west-1', endpoint: emulator.endpoint });
    await seedAlarms(
      client,
      entry.alarms.map((a) => a.name),
    );
    const now = Date.now();
    for (const metric of entry.metrics) {
      await client.send(
        new PutMetricDataCommand({
          Namespace: metric.namespace,
          MetricData: Array.from({ length: 12 }, (_, i) => ({
            MetricName: metric.name,
            Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Value: Math.round(20 + 10 * Math.sin(i / 2)),
            Timestamp: new Date(now - (12 - i) * 300_000),
          })),
        }),
      );
    }
    const warning = entry.alarms.find((a) => a.severity === 'warning' && !a.compositeChild);
    if (warning) {
      await client.send(
        new SetAlarmStateCommand({ AlarmName: warning.name, StateValue: 'ALARM', StateReason: 'rehearsal' }),
      );
    }
    const io = { out: (text: string) => console.log(text), err: (text: string) => console.log(text) };
    const flags = ['--endpoint-url', emulator.endpoint];
    console.log(`$ keel status ${service} --env ${environment}`);
    console.log(`(exit ${await runCli(['status', service, '--env', environment, ...flags], io)})\n`);
    console.log(`$ keel gate ${service} --env ${environment} --bake 3s --poll 1s`);
    console.log(
      `(exit ${await runCli(['gate', service, '--env', environment, '--bake', '3s', '--poll', '1s', ...flags], io)})\n`,
    );
    const critical = entry.alarms.find(
      (a) => a.severity === 'critical' && a.name !== entry.healthAlarm && !a.compositeChild,
    );
    if (critical) {
      await client.send(
        new SetAlarmStateCommand({ AlarmName: critical.name, StateValue: 'ALARM', StateReason: 'rehearsal' }),
      );
      console.log(`$ keel gate ${service} --env ${environment} --bake 3s --poll 1s   # after ${critical.name} fired`);
      console.log(
        `(exit ${await runCli(['gate', service, '--env', environment, '--bake', '3s', '--poll', '1s', ...flags], io)})`,
      );
    }
  } finally {
    await emulator.stop();
  }
}

void main();
