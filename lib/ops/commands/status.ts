import { parseDuration } from '../duration';
import { renderStatus, status, statusExitCode } from '../status';
import { OPTION_HELP, defineCommand } from './command';
import { SERVICE_OPTIONS, SERVICE_OPTION_HELP, serviceTarget } from './service-target';

/** `keel status`: what a service is doing right now. */
export const command = defineCommand({
  name: 'status',
  summary: 'what a service is doing right now: its alarms, business metrics and error budgets.',
  usage: [
    'Usage: keel status <service> --env <env> [--since 1h] [--json]',
    '',
    'Options:',
    '  --env <env>          the environment, as the manifest names it (dev, staging, prod)',
    '  --since <duration>   how far back the business metrics go, e.g. 30m, 3h (default: 1h)',
    ...SERVICE_OPTION_HELP,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Exit codes: 0 healthy, 1 unhealthy (a critical alarm or the health composite in ALARM), 2 usage or config',
    'error, 3 AWS error after retries.',
  ].join('\n'),
  options: { ...SERVICE_OPTIONS, since: { type: 'string', default: '1h' } },
  async run(values, positionals, io) {
    const sinceMs = parseDuration('--since', values.since);
    const { entry, client } = serviceTarget('status', values, positionals, io);
    const now = io.now?.() ?? new Date();
    const report = await status(client(), entry, { sinceMs, now });
    io.out(values.json ? JSON.stringify(report, undefined, 2) : renderStatus(report, now, io.colour));
    return statusExitCode(report);
  },
});
