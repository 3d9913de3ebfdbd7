import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { buildManifest, MANIFEST_FILE } from '../../../../constructs';
import { runCli } from '../../../../lib/ops/cli';
import { serviceStackProps } from '../../../../lib/platform';
import { helloContainer } from '../../../../lib/services/hello-container';
import { loadRepositoryConfig } from '../../../../lib/synth';
import { seedAlarms, startEmulator, type Emulator } from '../../../../tools/emulator/moto';
import { repositoryContext, unbundledTestApp } from '../../../helpers/app';
import { tempDir } from '../../../helpers/temp-dir';
import { setEnv, TEST_CREDENTIALS } from '../../../helpers/env';

// `keel status` and `keel gate` read the container service's alarms, by the names its real manifest gives, from a
// CloudWatch-compatible server: moto, installed into .venv by `npm test`'s pretest. moto has no composite alarms, so
// the health composite is a metric alarm of the same name there.

let restoreEnv: () => void;
let emulator: Emulator;
let client: CloudWatchClient;
let assembly: string;
let alarmNames: string[];

async function keel(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli([...argv, '--assembly', assembly, '--endpoint-url', emulator.endpoint], {
    out: (text) => out.push(text),
    err: () => undefined,
  });
  return { code, out: out.join('\n') };
}

beforeAll(async () => {
  const config = loadRepositoryConfig({ context: (key) => repositoryContext[key], env: {} }, undefined, [
    helloContainer,
  ]);
  const prod = config.environments.find((e) => e.name === 'prod');
  if (!prod) throw new Error('no prod environment');
  const app = unbundledTestApp();
  helloContainer.stack(app, 'HelloContainer-prod', serviceStackProps(config, helloContainer.config, prod));
  const manifest = buildManifest(app);
  assembly = tempDir('keel-hello-container-');
  fs.writeFileSync(path.join(assembly, MANIFEST_FILE), JSON.stringify(manifest));
  alarmNames = manifest.services[0].alarms.map((a) => a.name);

  restoreEnv = setEnv(TEST_CREDENTIALS);
  emulator = await startEmulator();
  client = new CloudWatchClient({ region: 'eu-west-1', endpoint: emulator.endpoint });
  await seedAlarms(client, alarmNames);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  restoreEnv?.();
});

test("the manifest names the container service's load-balancer and task alarms", () => {
  expect(alarmNames).toEqual(
    expect.arrayContaining([
      'hello-container-prod-lb-5xx-rate-critical',
      'hello-container-prod-tasks-below-desired-critical',
      'hello-container-prod-target-p99-latency-warning',
      'hello-container-prod-health-critical',
    ]),
  );
});

test('keel status reports the container service healthy while its alarms are OK', async () => {
  const { code, out } = await keel('status', 'hello-container', '--env', 'prod');
  expect(code).toBe(0);
  expect(out).toContain('hello-container (prod): HEALTHY');
});

test('keel status and keel gate fail on a load-balancer 5xx alarm, naming it and its runbook section', async () => {
  const firing = 'hello-container-prod-lb-5xx-rate-critical';
  await client.send(new SetAlarmStateCommand({ AlarmName: firing, StateValue: 'ALARM', StateReason: 'test' }));
  try {
    const status = await keel('status', 'hello-container', '--env', 'prod');
    expect(status.code).toBe(1);
    expect(status.out).toContain(firing);
    const gate = await keel('gate', 'hello-container', '--env', 'prod', '--bake', '1s');
    expect(gate.code).toBe(1);
    expect(gate.out).toContain(`FAILED: ${firing} is ALARM`);
    expect(gate.out).toContain('runbooks/standard-alarms.md#lb-5xx-rate');
  } finally {
    await client.send(new SetAlarmStateCommand({ AlarmName: firing, StateValue: 'OK', StateReason: 'test' }));
  }
});
