import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { oneLine, runKeel as run, testUsageErrors, type UsageErrorCase } from '../../../helpers/cli';
import {
  API_ERRORS,
  DLQ,
  FAST_BURN,
  HEALTH,
  RUNBOOKS,
  allAlarms,
  assemblyWith,
  describeAlarmsLike,
  keelManifest,
  manifestService,
  removeTempDirs,
  sdkError,
} from '../../../helpers/manifest';

const cw = mockClient(CloudWatchClient);
const service = manifestService();

let assembly: string;

beforeEach(() => {
  cw.reset();
  assembly = assemblyWith(keelManifest());
});

afterAll(() => {
  removeTempDirs();
});

describe('keel gate', () => {
  const gateArgs = () => ['gate', 'shop', '--env', 'prod', '--bake', '1m', '--poll', '30s', '--assembly', assembly];
  const watched = [HEALTH, API_ERRORS, DLQ, FAST_BURN];

  test('returns 0 and prints PASSED when the watched alarms stay OK', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run(gateArgs());

    expect(result.code).toBe(0);
    expect(result.out).toEqual(['PASSED: shop (prod) stayed healthy for 1m (3 polls)']);
    expect(result.err).toEqual([
      'bake 1m left · watching 4 alarms · 4 OK',
      'bake 30s left · watching 4 alarms · 4 OK',
      'bake 0s left · watching 4 alarms · 4 OK',
    ]);
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0].args[0].input.AlarmNames).toEqual(watched);
  });

  test('with a zero bake, looks once and says the service is healthy now: the pipeline entry check', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '0s', '--assembly', assembly]);

    expect(result.code).toBe(0);
    expect(result.out).toEqual(['PASSED: shop (prod) is healthy now (4 alarms watched, none in ALARM)']);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });

  test('returns 1 and prints FAILED with the alarm and its runbook when one goes into ALARM', async () => {
    cw.on(DescribeAlarmsCommand)
      .callsFakeOnce(describeAlarmsLike(allAlarms(service, 'OK')))
      .callsFake(describeAlarmsLike(allAlarms(service, 'OK', { [API_ERRORS]: 'ALARM' })));

    const result = await run(gateArgs());

    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `FAILED: ${API_ERRORS} is ALARM; runbook: ${RUNBOOKS}/standard-alarms.md#${API_ERRORS}`,
    ]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });

  test('fails on INSUFFICIENT_DATA only with --fail-on-insufficient-data', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(
      describeAlarmsLike(allAlarms(service, 'OK', { [DLQ]: 'INSUFFICIENT_DATA' })),
    );

    const lenient = await run(gateArgs());
    const strict = await run([...gateArgs(), '--fail-on-insufficient-data']);

    expect(lenient.code).toBe(0);
    expect(strict.code).toBe(1);
    expect(strict.out[0]).toMatch(new RegExp(`^FAILED: ${DLQ} is INSUFFICIENT_DATA; runbook: `));
  });

  test('prints the result as parseable JSON with --json', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(service, 'OK')));

    const result = await run([...gateArgs(), '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0])).toEqual({ passed: true, polls: 3, watched });
  });
});

describe('usage and configuration errors', () => {
  const cases: UsageErrorCase[] = [
    [
      '--bake is missing',
      (dir) => ['gate', 'shop', '--env', 'prod', '--assembly', dir],
      'keel gate needs --bake <duration>',
    ],
    [
      '--bake is not a duration',
      (dir) => ['gate', 'shop', '--env', 'prod', '--bake', 'ten minutes', '--assembly', dir],
      '--bake "ten minutes" is not a duration',
    ],
    [
      'the poll is longer than the bake',
      (dir) => ['gate', 'shop', '--env', 'prod', '--bake', '1m', '--poll', '5m', '--assembly', dir],
      '--poll 5m is longer than --bake 1m',
    ],
  ];

  testUsageErrors(
    cases,
    () => assembly,
    () => cw.calls(),
  );

  test('fails when the manifest has version 2', async () => {
    const dir = assemblyWith({ ...keelManifest(), version: 2 });

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', dir]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('has manifest version 2; this keel reads version 1');
  });
});

describe('AWS errors', () => {
  test('fails when the gate cannot read alarm states, with exit code 3 and one line', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'));

    const result = await run(['gate', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', assembly]);

    expect(result.code).toBe(3);
    expect(oneLine(result)).toContain('kept throttling');
  });
});
