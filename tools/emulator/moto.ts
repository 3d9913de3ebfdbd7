import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  type CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';

/** A moto server on 127.0.0.1, started for one test file (or the status bench, or a rehearsal) and stopped after it. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const SERVER = path.join(__dirname, '..', '..', '.venv', 'bin', 'moto_server');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Starts moto (installed by scripts/install-python-tools.cjs) on a free loopback port. */
export async function startEmulator(): Promise<Emulator> {
  const port = await freePort();
  const child = spawn(SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitForPort(port, child, 20_000);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Creates a metric alarm for each name, in the given state. moto has no composite alarms, so a service's health
 * composite becomes a metric alarm of the same name here; what each alarm watches does not matter to `keel`.
 */
export async function seedAlarms(
  client: CloudWatchClient,
  names: readonly string[],
  state: StateValue = 'OK',
): Promise<void> {
  for (const name of names) {
    await client.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'Keel/Emulator',
        MetricName: 'Placeholder',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'seeded' }));
  }
}
