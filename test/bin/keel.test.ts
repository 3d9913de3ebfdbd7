import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { assemblyWith, removeTempDirs, tempDir } from '../helpers/manifest';

const ROOT = path.join(__dirname, '..', '..');
const RECORDER = path.join(__dirname, '..', 'helpers', 'record-loaded-modules.cjs');
/** The synth-time libraries; the ops CLI must start without them (docs/architecture.md: the CLI loads none). */
const SYNTH_TIME = /[\\/]node_modules[\\/](aws-cdk-lib|cdk-nag|cdk-monitoring-constructs|constructs)[\\/]/;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every module file the process loaded. */
  readonly loaded: readonly string[];
}

/** Runs `node bin/keel.cjs ...argv` as a person would, recording every module it loads. */
async function keel(...argv: string[]): Promise<Run> {
  return keelWith({}, ...argv);
}

/** `keel` with more environment variables, e.g. small AWS bounds. */
async function keelWith(more: Readonly<Record<string, string>>, ...argv: string[]): Promise<Run> {
  const record = path.join(tempDir('keel-loaded-'), 'modules.txt');
  const env = {
    ...process.env,
    KEEL_LOADED_MODULES: record,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...more,
  };
  const args = ['--require', RECORDER, path.join(ROOT, 'bin', 'keel.cjs'), ...argv];
  const result = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const loaded = fs.readFileSync(record, 'utf8').split('\n').filter(Boolean);
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, loaded };
}

/** A cloud assembly with a manifest, a compliance report, one template with one alarm, and its runbook. */
function fixture(): { assembly: string; runbooks: string } {
  const assembly = assemblyWith();
  fs.writeFileSync(
    path.join(assembly, 'keel-compliance.json'),
    JSON.stringify({
      version: 1,
      generatedAt: '2025-01-01T00:00:00.000Z',
      enabled: true,
      result: 'pass',
      packs: [],
      stacks: 1,
      resourcesChecked: 1,
      findings: { total: 0, acknowledged: 0, open: 0 },
      rules: [],
      acknowledgments: [],
      warnings: [],
    }),
  );
  const alarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: 'shop-prod-a-critical',
      AlarmDescription: 'Runbook: https://github.com/x/y/blob/main/runbooks/a.md#sec',
    },
  };
  fs.writeFileSync(path.join(assembly, 'Shop-prod.template.json'), JSON.stringify({ Resources: { A: alarm } }));
  const runbooks = tempDir('keel-runbooks-');
  const headings = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'];
  fs.writeFileSync(path.join(runbooks, 'a.md'), ['## sec', ...headings.map((h) => `### ${h}\n\n${h}.`)].join('\n\n'));
  return { assembly, runbooks };
}

afterAll(removeTempDirs);

test('keel --help, and the commands that read AWS or only files, load no synth-time library', async () => {
  const { assembly, runbooks } = fixture();
  const service = ['nope', '--env', 'prod', '--assembly', assembly];

  const runs = await Promise.all([
    keel('--help'),
    keel('runbooks', 'check', assembly, '--runbooks', runbooks),
    keel('compliance', 'report', assembly),
    keel('status', ...service),
    keel('gate', ...service, '--bake', '1m'),
    keel('rollback', ...service),
  ]);

  expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 2, 2, 2]);
  expect(runs[0].stdout).toMatch(/^keel: what a Keel service is doing right now/);
  expect(runs[1].stdout).toContain('1 alarm(s) checked in ');
  expect(runs[2].stdout).toMatch(/^# Keel compliance report/);
  // The AWS commands got as far as the manifest, so they loaded everything they run with.
  for (const run of runs.slice(3)) expect(run.stderr).toContain('keel: service "nope" is not in the manifest');
  for (const run of runs) {
    expect(run.loaded.some((file) => file.endsWith(path.join('lib', 'ops', 'cli.ts')))).toBe(true);
    expect(run.loaded.filter((file) => SYNTH_TIME.test(file))).toEqual([]);
  }
});

test('keel runs through the TypeScript hook as compiled JavaScript, never through tsx', async () => {
  const run = await keel('--help');

  expect(run.code).toBe(0);
  expect(run.loaded.some((file) => file.endsWith(path.join('bin', 'typescript-hook.cjs')))).toBe(true);
  expect(run.loaded.filter((file) => /[\\/]node_modules[\\/]tsx[\\/]/.test(file))).toEqual([]);
});

test('an endpoint that answers with an HTML page is one line on stderr, with no AWS SDK Node-version warning', async () => {
  const server = http.createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><html><body>Welcome to the hotel Wi-Fi</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const run = await keel('status', 'shop', '--env', 'prod', '--assembly', assemblyWith(), '--endpoint-url', endpoint);

    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `keel: listing alarms (DescribeAlarms) failed: the CloudWatch endpoint ${endpoint} answered with something ` +
        'that is not an AWS response (HTTP 200, text/html): a proxy, a captive portal or a wrong endpoint; check ' +
        '--endpoint-url, AWS_ENDPOINT_URL, --region and HTTPS_PROXY\n',
    );
  } finally {
    server.close();
  }
});

test('an endpoint that accepts the connection and never answers ends keel within its bounds: exit 3, one line', async () => {
  // Accepts every connection and never answers; the SDK's default would only log a warning and wait for ever.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bounds = { KEEL_AWS_ANSWER_TIMEOUT: '200ms', KEEL_AWS_ATTEMPTS: '2', KEEL_DEADLINE: '3s' };
  const started = Date.now();
  try {
    const run = await keelWith(
      bounds,
      'gate',
      'shop',
      '--env',
      'prod',
      '--bake',
      '0s',
      '--assembly',
      assemblyWith(),
      '--endpoint-url',
      endpoint,
    );

    expect(run.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(3_000 + 2_000);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `keel: reading alarm states (DescribeAlarms) failed: the CloudWatch endpoint ${endpoint} accepted the ` +
        'connection but did not answer within 200ms after 2 attempts (KEEL_AWS_ANSWER_TIMEOUT, KEEL_AWS_ATTEMPTS); ' +
        'check --endpoint-url, HTTPS_PROXY and the network, or try again\n',
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});
