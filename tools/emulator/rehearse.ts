// npm run rehearse: starts moto on 127.0.0.1, creates the alarms and business metrics of one service from
// cdk.out/keel-manifest.json, and runs `keel status` and `keel gate` against it.
// `npm run rehearse -- --readme` also writes what it printed into README.md, between the rehearsal markers, so the
// README's example output is always a real run's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../../lib/ops/cli';
import { findService, loadManifest } from '../../lib/ops/manifest';
import { seedAlarms, startEmulator } from './moto';

async function main(): Promise<void> {
  // As bin/keel.ts: the rehearsal shows keel's output, not the AWS SDK's 8-line Node-version warning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = process.argv.slice(2);
  const [service = 'orders', environment = 'prod'] = args.filter((arg) => arg !== '--readme');
  const printed: string[] = [];
  const print = (text: string) => {
    console.log(text);
    printed.push(...text.split('\n'));
  };
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
    const io = { out: print, err: print };
    const flags = ['--endpoint-url', emulator.endpoint];
    print(`$ keel status ${service} --env ${environment}`);
    print(`(exit ${await runCli(['status', service, '--env', environment, ...flags], io)})\n`);
    print(`$ keel gate ${service} --env ${environment} --bake 3s --poll 1s`);
    print(
      `(exit ${await runCli(['gate', service, '--env', environment, '--bake', '3s', '--poll', '1s', ...flags], io)})\n`,
    );
    const critical = entry.alarms.find(
      (a) => a.severity === 'critical' && a.name !== entry.healthAlarm && !a.compositeChild,
    );
    if (critical) {
      await client.send(
        new SetAlarmStateCommand({ AlarmName: critical.name, StateValue: 'ALARM', StateReason: 'rehearsal' }),
      );
      print(`$ keel gate ${service} --env ${environment} --bake 3s --poll 1s   # after ${critical.name} fired`);
      print(
        `(exit ${await runCli(['gate', service, '--env', environment, '--bake', '3s', '--poll', '1s', ...flags], io)})`,
      );
    }
  } finally {
    await emulator.stop();
  }
  if (args.includes('--readme')) writeIntoReadme(printed);
}

const BEGIN = '<!-- rehearsal output: written by `npm run rehearse -- --readme` -->';
const END = '<!-- end of rehearsal output -->';

/** Replaces README.md's rehearsal block with `lines`, dated; refuses a README without the markers. */
function writeIntoReadme(lines: readonly string[]): void {
  const readme = path.join(__dirname, '..', '..', 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no rehearsal block: put ${BEGIN} and ${END} around it`);
  }
  const day = new Date().toISOString().slice(0, 10);
  const block = [BEGIN, '', `This is its output, taken ${day}:`, '', '```', ...lines, '```', '', ''].join('\n');
  fs.writeFileSync(readme, text.slice(0, start) + block + text.slice(end));
  console.log(`README.md: rehearsal output written (${lines.length} lines, ${day})`);
}

void main();
