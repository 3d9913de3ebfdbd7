import { paint } from '../colour';
import { parseDuration } from '../duration';
import { EXIT, usageError } from '../errors';
import { checkGateTimes, gate, type GateResult } from '../gate';
import { OPTION_HELP, defineCommand } from './command';
import { SERVICE_OPTIONS, SERVICE_OPTION_HELP, serviceTarget } from './service-target';

/** `keel gate`: whether a deployment may stay, watching the service's alarms through a bake. */
export const command = defineCommand({
  name: 'gate',
  summary: "whether a deployment may stay: watches the service's health and critical alarms for the bake.",
  usage: [
    'Usage: keel gate <service> --env <env> --bake 10m [--poll 30s] [--fail-on-insufficient-data]',
    '',
    'Options:',
    '  --env <env>          the environment, as the manifest names it (dev, staging, prod)',
    '  --bake <duration>    how long the alarms must stay out of ALARM, e.g. 10m; 0s looks once',
    '  --poll <duration>    how often to look (default: 30s, or the bake when shorter)',
    '  --fail-on-insufficient-data  fail when a watched alarm has INSUFFICIENT_DATA too',
    ...SERVICE_OPTION_HELP,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Exit codes: 0 passed, 1 gate failed, 2 usage or config error, 3 AWS error after retries.',
  ].join('\n'),
  options: {
    ...SERVICE_OPTIONS,
    bake: { type: 'string' },
    poll: { type: 'string' },
    'fail-on-insufficient-data': { type: 'boolean', default: false },
  },
  async run(values, positionals, io) {
    if (!values.bake) throw usageError('keel gate needs --bake <duration>, e.g. --bake 10m');
    const bakeMs = parseDuration('--bake', values.bake);
    // Without --poll, look every 30 seconds, or as often as a shorter bake allows.
    const pollMs = values.poll === undefined ? Math.min(30_000, bakeMs) : parseDuration('--poll', values.poll);
    checkGateTimes(bakeMs, pollMs);
    // The bake, then as long as any other command may take (KEEL_DEADLINE): a 10-minute gate ends by 12 minutes.
    const { entry, client } = serviceTarget('gate', values, positionals, io, bakeMs);
    const result = await gate(client(), entry, {
      bakeMs,
      pollMs,
      failOnInsufficientData: values['fail-on-insufficient-data'],
      onProgress: (line) => io.err(line),
      ...(io.clock ? { clock: io.clock } : {}),
    });
    io.out(values.json ? JSON.stringify(result, undefined, 2) : verdict(result, entry, bakeMs, values.bake, io.colour));
    return result.passed ? EXIT.ok : EXIT.unhealthy;
  },
});

/** The one line a person reads: PASSED with what was watched, or FAILED with the alarm and its runbook. */
function verdict(
  result: GateResult,
  entry: { readonly service: string; readonly environment: string },
  bakeMs: number,
  bake: string,
  colour: boolean | undefined,
): string {
  if (result.passed) {
    const passed = paint('PASSED', 'green', colour);
    return bakeMs === 0
      ? `${passed}: ${entry.service} (${entry.environment}) is healthy now (${result.watched.length} alarms watched, none in ALARM)`
      : `${passed}: ${entry.service} (${entry.environment}) stayed healthy for ${bake} (${result.polls} polls)`;
  }
  const failed = result.failedOn;
  return `${paint('FAILED', 'red', colour)}: ${failed?.name} is ${failed?.state}${failed?.runbook ? `; runbook: ${failed.runbook}` : ''}`;
}
