import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { ManifestService } from '../../constructs/manifest/manifest-schema';
import { awsError, isTransientAwsError } from './aws-errors';
import { formatDuration } from './duration';
import { EXIT, KeelCliError, usageError } from './errors';

/** DescribeAlarms takes at most 100 alarm names per call. */
const MAX_NAMES_PER_CALL = 100;

export interface GateOptions {
  /** How long the deployment must stay quiet, in milliseconds. */
  readonly bakeMs: number;
  /** How often to look, in milliseconds. */
  readonly pollMs: number;
  /** Fail when a watched alarm has INSUFFICIENT_DATA, not only ALARM. */
  readonly failOnInsufficientData: boolean;
  /** Progress lines (time left, alarms watched, states). */
  readonly onProgress?: (line: string) => void;
  /** @default - the wall clock */
  readonly clock?: { now(): number; sleep(ms: number): Promise<void> };
}

export interface GateResult {
  readonly passed: boolean;
  /** The alarm that failed the gate, with its state and runbook. */
  readonly failedOn?: { readonly name: string; readonly state: string; readonly runbook?: string };
  readonly polls: number;
  readonly watched: readonly string[];
}

const wallClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * Checks a bake and poll interval; a poll longer than the bake would never look twice. A zero bake looks once (the
 * pipeline's entry check), so it has no poll interval to check.
 */
export function checkGateTimes(bakeMs: number, pollMs: number): void {
  if (bakeMs < 0) throw usageError('--bake must not be negative, e.g. --bake 10m, or --bake 0s to look once');
  if (bakeMs === 0) return;
  if (pollMs <= 0) throw usageError('--poll must be longer than 0, e.g. --poll 30s');
  if (pollMs > bakeMs) {
    throw usageError(
      `--poll ${formatDuration(pollMs)} is longer than --bake ${formatDuration(bakeMs)}; poll at most once per bake`,
    );
  }
}

/**
 * The post-deployment bake: watches the service's critical alarms and its health composite with one DescribeAlarms
 * call per poll; fails at the first poll that sees one in ALARM (or INSUFFICIENT_DATA, if asked), passes once the
 * bake time is over. A zero bake polls once: the pipeline's entry check of the current state.
 */
export async function gate(
  client: CloudWatchClient,
  entry: ManifestService,
  options: GateOptions,
): Promise<GateResult> {
  checkGateTimes(options.bakeMs, options.pollMs);
  const clock = options.clock ?? wallClock;
  const runbooks = new Map(entry.alarms.map((a) => [a.name, a.runbook]));
  const watched = [
    entry.healthAlarm,
    ...entry.alarms
      .filter((a) => a.severity === 'critical' && !a.compositeChild && a.name !== entry.healthAlarm)
      .map((a) => a.name),
  ];
  const start = clock.now();
  let polls = 0;
  let lastSeen = start;
  for (;;) {
    const states = await look(client, watched, options, clock, lastSeen);
    if (!states) {
      await clock.sleep(
        Math.min(options.pollMs, Math.max(0, options.bakeMs - (clock.now() - start))) || options.pollMs,
      );
      continue;
    }
    lastSeen = clock.now();
    polls++;
    const failing = watched
      .map((name) => ({ name, state: states.get(name) ?? 'MISSING' }))
      .find(
        ({ state }) =>
          state === 'ALARM' || state === 'MISSING' || (options.failOnInsufficientData && state === 'INSUFFICIENT_DATA'),
      );
    if (failing)
      return { passed: false, failedOn: { ...failing, runbook: runbooks.get(failing.name) }, polls, watched };

    const left = options.bakeMs - (clock.now() - start);
    const counts = [...states.values()].reduce<Record<string, number>>(
      (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
      {},
    );
    options.onProgress?.(
      `bake ${formatDuration(Math.max(0, left))} left · watching ${watched.length} alarms · ${Object.entries(counts)
        .map(([state, count]) => `${count} ${state}`)
        .join(', ')}`,
    );
    if (left <= 0) return { passed: true, polls, watched };
    await clock.sleep(Math.min(options.pollMs, left));
  }
}

/**
 * One look at the watched alarms; `undefined` when it failed for a reason that may pass (throttling, 5xx, a
 * timeout, the network) and the gate can still tell: its last good look is at most two polls ago. A zero bake, an
 * error that will not pass, or a gap longer than that ends the gate with exit 3, saying it could not tell.
 */
async function look(
  client: CloudWatchClient,
  watched: readonly string[],
  options: GateOptions,
  clock: NonNullable<GateOptions['clock']>,
  lastSeen: number,
): Promise<Map<string, string> | undefined> {
  try {
    return await describe(client, watched);
  } catch (error) {
    const cause = error instanceof KeelCliError ? error.cause : error;
    if (options.bakeMs === 0 || !isTransientAwsError(cause)) throw error;
    const gap = clock.now() - lastSeen;
    if (gap < 2 * options.pollMs) return undefined;
    throw new KeelCliError(
      `${(error as Error).message}; the gate cannot tell whether the alarms stayed OK: no answer for ` +
        `${formatDuration(gap)} of the bake (more than two polls), so it fails rather than pass unseen`,
      EXIT.aws,
      cause,
    );
  }
}

async function describe(client: CloudWatchClient, names: readonly string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  try {
    for (let i = 0; i < names.length; i += MAX_NAMES_PER_CALL) {
      const page = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(i, i + MAX_NAMES_PER_CALL),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: MAX_NAMES_PER_CALL,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        states.set(alarm.AlarmName ?? '', alarm.StateValue ?? 'INSUFFICIENT_DATA');
      }
    }
  } catch (error) {
    throw awsError(error, 'reading alarm states (DescribeAlarms)');
  }
  return states;
}
