import { CloudWatchClient, DescribeAlarmsCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { KeelCliError } from '../../../lib/ops/errors';
import { checkGateTimes, gate, type GateOptions } from '../../../lib/ops/gate';
import {
  API_ERRORS,
  DLQ,
  FAST_BURN,
  FAST_BURN_LONG,
  HEALTH,
  LATENCY_WARNING,
  RUNBOOKS,
  allAlarms,
  describeAlarmsLike,
  describeAlarmsOutput,
  fakeClock,
  manifestAlarm,
  manifestService,
  sdkError,
  testCloudWatchClient,
} from '../../helpers/manifest';
import { cliFailure as failure } from '../../helpers/refusal';

const cw = mockClient(CloudWatchClient);
const client = testCloudWatchClient();
const service = manifestService();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Health first, then the critical alarms that are not SLO window alarms. */
const WATCHED = [HEALTH, API_ERRORS, DLQ, FAST_BURN];

/** A DescribeAlarms answer for the watched alarms, all in `state` but for `overrides`. */
function watched(state: StateValue, overrides: Readonly<Record<string, StateValue>> = {}) {
  return describeAlarmsOutput({ ...Object.fromEntries(WATCHED.map((name) => [name, state])), ...overrides });
}

function options(
  overrides: Partial<Omit<GateOptions, 'clock'>> = {},
): GateOptions & { clock: ReturnType<typeof fakeClock> } {
  return { bakeMs: 10 * MINUTE, pollMs: 30 * SECOND, failOnInsufficientData: false, clock: fakeClock(), ...overrides };
}

beforeEach(() => {
  cw.reset();
});

describe('gate', () => {
  test('passes when every watched alarm stays OK through the bake, polling until no time is left', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK'));
    const opts = options();

    const result = await gate(client, service, opts);

    // Polls at 0s, 30s, ..., 600s: 21 polls, 20 sleeps of 30s.
    expect(result).toEqual({ passed: true, polls: 21, watched: WATCHED });
    expect(opts.clock.slept).toEqual(Array.from({ length: 20 }, () => 30 * SECOND));
    expect(opts.clock.now()).toBe(10 * MINUTE);
  });

  test('makes exactly one DescribeAlarms call per poll for health and the critical non-child alarms', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK'));

    const result = await gate(client, service, options());

    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(result.polls);
    for (const call of calls) {
      expect(call.args[0].input).toEqual({
        AlarmNames: WATCHED,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
      });
    }
    expect(result.watched).not.toContain(LATENCY_WARNING);
    expect(result.watched).not.toContain(FAST_BURN_LONG);
  });

  test('watches the health alarm once even though the manifest lists it among the alarms', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK'));

    const result = await gate(client, service, options({ bakeMs: 30 * SECOND }));

    expect(result.watched.filter((name) => name === HEALTH)).toHaveLength(1);
  });

  test('ends the bake exactly on time when the poll does not divide it', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK'));
    const opts = options({ bakeMs: MINUTE, pollMs: 45 * SECOND });

    const result = await gate(client, service, opts);

    expect(result).toMatchObject({ passed: true, polls: 3 });
    expect(opts.clock.slept).toEqual([45 * SECOND, 15 * SECOND]);
  });

  test('splits more than 100 watched alarms into calls of 100 names each poll', async () => {
    const many = Array.from({ length: 150 }, (_, i) => manifestAlarm(`shop-prod-critical-${i}`, 'critical'));
    const entry = manifestService({ alarms: [manifestAlarm(HEALTH, 'critical', { kind: 'health' }), ...many] });
    cw.on(DescribeAlarmsCommand).callsFake(describeAlarmsLike(allAlarms(entry, 'OK')));

    const result = await gate(client, entry, options({ bakeMs: 30 * SECOND }));

    expect(result).toMatchObject({ passed: true, polls: 2 });
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls.map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 51, 100, 51]);
  });

  test('fails when a watched alarm goes into ALARM, at the first poll that sees it', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .resolves(watched('OK', { [API_ERRORS]: 'ALARM' }));

    const result = await gate(client, service, options());

    expect(result).toEqual({
      passed: false,
      polls: 2,
      watched: WATCHED,
      failedOn: { name: API_ERRORS, state: 'ALARM', runbook: `${RUNBOOKS}/standard-alarms.md#${API_ERRORS}` },
    });
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });

  test('fails when the health composite goes into ALARM', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [HEALTH]: 'ALARM' }));

    const result = await gate(client, service, options());

    expect(result).toMatchObject({
      passed: false,
      polls: 1,
      failedOn: { name: HEALTH, state: 'ALARM', runbook: `${RUNBOOKS}/standard-alarms.md#${HEALTH}` },
    });
  });

  test('passes when alarms it does not watch are in ALARM', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [LATENCY_WARNING]: 'ALARM', [FAST_BURN_LONG]: 'ALARM' }));

    const result = await gate(client, service, options({ bakeMs: MINUTE }));

    expect(result.passed).toBe(true);
  });

  test('passes with INSUFFICIENT_DATA by default', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [DLQ]: 'INSUFFICIENT_DATA' }));

    const result = await gate(client, service, options());

    expect(result).toMatchObject({ passed: true, polls: 21 });
  });

  test('fails when a watched alarm has INSUFFICIENT_DATA and failOnInsufficientData is set', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [DLQ]: 'INSUFFICIENT_DATA' }));

    const result = await gate(client, service, options({ failOnInsufficientData: true }));

    expect(result).toMatchObject({
      passed: false,
      polls: 1,
      failedOn: { name: DLQ, state: 'INSUFFICIENT_DATA', runbook: `${RUNBOOKS}/standard-alarms.md#${DLQ}` },
    });
  });

  test('fails when a watched alarm is missing from CloudWatch', async () => {
    cw.on(DescribeAlarmsCommand).resolves(describeAlarmsOutput({ [HEALTH]: 'OK', [API_ERRORS]: 'OK', [DLQ]: 'OK' }));

    const result = await gate(client, service, options());

    expect(result).toMatchObject({ passed: false, polls: 1, failedOn: { name: FAST_BURN, state: 'MISSING' } });
  });

  test('reports progress after each quiet poll', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [DLQ]: 'INSUFFICIENT_DATA' }));
    const lines: string[] = [];

    await gate(client, service, options({ onProgress: (line) => lines.push(line) }));

    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('bake 10m left · watching 4 alarms · 3 OK, 1 INSUFFICIENT_DATA');
    expect(lines[1]).toBe('bake 9m30s left · watching 4 alarms · 3 OK, 1 INSUFFICIENT_DATA');
    expect(lines[20]).toBe('bake 0s left · watching 4 alarms · 3 OK, 1 INSUFFICIENT_DATA');
  });

  test('reports no progress line for the poll that fails', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .resolves(watched('OK', { [API_ERRORS]: 'ALARM' }));
    const lines: string[] = [];

    await gate(client, service, options({ onProgress: (line) => lines.push(line) }));

    expect(lines).toEqual(['bake 10m left · watching 4 alarms · 4 OK']);
  });

  test('fails when DescribeAlarms is denied, with exit code 3', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('AccessDeniedException', 'not authorized'));

    const error = await failure(gate(client, service, options()));

    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/^reading alarm states \(DescribeAlarms\) failed: access denied/);
  });

  test('fails when CloudWatch keeps throttling in the middle of the bake, with exit code 3', async () => {
    cw.on(DescribeAlarmsCommand).resolvesOnce(watched('OK')).rejects(sdkError('ThrottlingException', 'Rate exceeded'));

    const error = await failure(gate(client, service, options()));

    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('kept throttling');
  });

  test('neither passes nor fails on a throttling burst mid-bake that clears: it looks again and passes', async () => {
    const throttled = sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 4 } });
    cw.on(DescribeAlarmsCommand).resolvesOnce(watched('OK')).rejectsOnce(throttled).resolves(watched('OK'));
    const opts = options({ bakeMs: 2 * MINUTE });

    const result = await gate(client, service, opts);

    // Looks at 0s (OK), 30s (throttled: not counted), 60s, 90s, 120s (OK).
    expect(result).toEqual({ passed: true, polls: 4, watched: WATCHED });
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(5);
  });

  test('fails on an alarm in ALARM seen right after a throttling burst clears', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .rejectsOnce(sdkError('ThrottlingException', 'Rate exceeded'))
      .resolves(watched('OK', { [DLQ]: 'ALARM' }));

    const result = await gate(client, service, options());

    expect(result).toMatchObject({ passed: false, failedOn: { name: DLQ, state: 'ALARM' } });
  });

  test('never passes on a last look that failed: after the bake it looks again until it sees the alarms', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .rejectsOnce(sdkError('ServiceUnavailable', 'Unavailable', { $metadata: { httpStatusCode: 503 } }))
      .resolves(watched('OK'));
    const opts = options({ bakeMs: 30 * SECOND });

    const result = await gate(client, service, opts);

    expect(result).toEqual({ passed: true, polls: 2, watched: WATCHED });
    expect(opts.clock.now()).toBe(60 * SECOND);
  });

  test('fails with exit code 3 when a 5xx never clears, saying it cannot tell rather than passing unseen', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .rejects(sdkError('InternalFailure', 'boom', { $metadata: { httpStatusCode: 500 } }));

    const error = await failure(gate(client, service, options()));

    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/kept failing with HTTP 500.*the gate cannot tell whether the alarms stayed OK/);
    // The last good look at 0s; failures at 30s and 60s: two polls without an answer end it.
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  });

  test('fails at once on an error that will not pass by itself (access denied), mid-bake too', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(watched('OK'))
      .rejects(sdkError('AccessDeniedException', 'not authorized'));

    const error = await failure(gate(client, service, options()));

    expect(error.exitCode).toBe(3);
    expect(error.message).not.toContain('cannot tell');
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });

  test('looks once and passes when the bake is 0 and every watched alarm is OK (the entry check)', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK'));
    const opts = options({ bakeMs: 0, pollMs: 0 });

    const result = await gate(client, service, opts);

    expect(result).toEqual({ passed: true, polls: 1, watched: WATCHED });
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
    expect(opts.clock.slept).toEqual([]);
  });

  test('fails when the bake is 0 and the health composite is in ALARM at that one look', async () => {
    cw.on(DescribeAlarmsCommand).resolves(watched('OK', { [HEALTH]: 'ALARM' }));

    const result = await gate(client, service, options({ bakeMs: 0, pollMs: 0 }));

    expect(result).toMatchObject({ passed: false, polls: 1, failedOn: { name: HEALTH, state: 'ALARM' } });
  });

  test('fails when the bake or poll times are invalid, before any AWS call', async () => {
    const error = await failure(gate(client, service, options({ pollMs: 11 * MINUTE })));

    expect(error.exitCode).toBe(2);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });
});

describe('checkGateTimes', () => {
  function thrown(fn: () => void): KeelCliError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(KeelCliError);
      return error as KeelCliError;
    }
    throw new Error('expected a KeelCliError');
  }

  test('accepts a poll shorter than or equal to the bake', () => {
    expect(() => checkGateTimes(10 * MINUTE, 30 * SECOND)).not.toThrow();
    expect(() => checkGateTimes(MINUTE, MINUTE)).not.toThrow();
  });

  test('accepts a zero bake with any poll, or none: it looks once', () => {
    expect(() => checkGateTimes(0, 0)).not.toThrow();
    expect(() => checkGateTimes(0, 30 * SECOND)).not.toThrow();
  });

  test('fails when the bake is negative, as a usage error', () => {
    const error = thrown(() => checkGateTimes(-SECOND, 30 * SECOND));

    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('--bake must not be negative, e.g. --bake 10m, or --bake 0s to look once');
  });

  test('fails when the poll is 0, as a usage error', () => {
    const error = thrown(() => checkGateTimes(10 * MINUTE, 0));

    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('--poll must be longer than 0');
  });

  test('fails when the poll is longer than the bake, as a usage error', () => {
    const error = thrown(() => checkGateTimes(10 * MINUTE, 15 * MINUTE));

    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('--poll 15m is longer than --bake 10m; poll at most once per bake');
  });
});
