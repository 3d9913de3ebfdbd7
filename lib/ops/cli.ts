import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { closest, parseCommandLine } from './arguments';
import { ATTEMPTS_VARIABLE, BOUND_VARIABLES } from './aws-bounds';
import { describeAwsError, isAwsSdkError } from './aws-errors';
import { paint } from './colour';
import { GLOBAL_OPTIONS, OPTION_HELP, type CliIo, type KeelCommand } from './commands/command';
import { EXIT, KeelCliError, usageError, type ExitCode } from './errors';

export type { CliIo } from './commands/command';

/** A command as the dispatch table knows it before it is loaded: its synopsis for `keel --help`. */
interface CommandEntry {
  readonly synopsis: string;
  readonly load: () => KeelCommand;
}

/* eslint-disable @typescript-eslint/no-require-imports -- each command, and what it imports, loads only when it
   runs: `keel status` never loads validate's or new-service's dependencies. bin/typescript-hook.cjs, which runs
   bin/keel, compiles TypeScript for require alone, not import(), so these are typed require calls. */
/** Every command, by the words that name it, in the order `keel --help` lists them. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  status: {
    synopsis: 'keel status <service> --env <env> [--since 1h] [--json]',
    load: () => (require('./commands/status') as typeof import('./commands/status')).command,
  },
  gate: {
    synopsis: 'keel gate <service> --env <env> --bake 10m [--poll 30s] [--fail-on-insufficient-data]',
    load: () => (require('./commands/gate') as typeof import('./commands/gate')).command,
  },
  rollback: {
    synopsis: 'keel rollback <service> --env <env> [--yes]',
    load: () => (require('./commands/rollback') as typeof import('./commands/rollback')).command,
  },
  'runbooks check': {
    synopsis: 'keel runbooks check [cdk.out] [--runbooks runbooks]',
    load: () => (require('./commands/runbooks-check') as typeof import('./commands/runbooks-check')).command,
  },
  'compliance report': {
    synopsis: 'keel compliance report [cdk.out] [--format md|html|json|sarif] [--out <file>]',
    load: () => (require('./commands/compliance-report') as typeof import('./commands/compliance-report')).command,
  },
  'catalog export': {
    synopsis: 'keel catalog export [cdk.out] [--format yaml|json] [--out <dir>]',
    load: () => (require('./commands/catalog-export') as typeof import('./commands/catalog-export')).command,
  },
  validate: {
    synopsis: 'keel validate [cdk.out] [--json]',
    load: () => (require('./commands/validate') as typeof import('./commands/validate')).command,
  },
  security: {
    synopsis: 'keel security <secrets|audit|licences|all|sbom> [--out <file>] [--json]',
    load: () => (require('./commands/security') as typeof import('./commands/security')).command,
  },
  'new-service': {
    synopsis:
      'keel new-service <name> --team <team> [--compute lambda] [--data-classification confidential] [--tag Key=Value ...]',
    load: () => (require('./commands/new-service') as typeof import('./commands/new-service')).command,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The synopsis of each command, as `keel --help` lists it. */
export const SYNOPSES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(COMMANDS).map(([name, entry]) => [name, entry.synopsis]),
);

/** Loads the command named `name` (`status`, `runbooks check`); `undefined` for none. */
export function loadCommand(name: string): KeelCommand | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name].load() : undefined;
}

export const USAGE = [
  'keel: what a Keel service is doing right now, and whether a deployment may stay.',
  '',
  'Usage:',
  ...Object.values(COMMANDS).map((entry) => `  ${entry.synopsis}`),
  '',
  'Options:',
  ...Object.values(OPTION_HELP),
  '',
  'keel validate runs cfn-lint (KEEL_CFN_LINT, or .venv/bin/cfn-lint from npm run setup) over every template;',
  'warnings pass only when acknowledged in cfn-lint-acknowledgments.json.',
  '',
  'Every AWS call is bounded; the environment can change the bounds:',
  `  ${BOUND_VARIABLES.connectMs.name}=${BOUND_VARIABLES.connectMs.default} to connect, ` +
    `${BOUND_VARIABLES.answerMs.name}=${BOUND_VARIABLES.answerMs.default} to answer, ` +
    `${ATTEMPTS_VARIABLE.name}=${ATTEMPTS_VARIABLE.default} attempts (at most ${ATTEMPTS_VARIABLE.max}),`,
  `  ${BOUND_VARIABLES.deadlineMs.name}=${BOUND_VARIABLES.deadlineMs.default} for a whole command (keel gate: its bake plus that).`,
  '',
  'Exit codes: 0 healthy/passed, 1 unhealthy/gate failed/findings, 2 usage or config error, 3 AWS error after retries.',
].join('\n');

/** The options `keel` takes before any command: the global ones and `--version`. */
const TOP_OPTIONS = { ...GLOBAL_OPTIONS, version: { type: 'boolean', short: 'v', default: false } } as const;

/** The first Node major the AWS SDK for JavaScript supports from January 2027 (its Node-version warning). */
const AWS_SDK_NODE = 22;

/**
 * What `keel --version` prints: Keel's version and Node's, then, on a Node older than the AWS SDK will support, the
 * one line that stands for the SDK's 8-line warning (bin/keel.ts turns the warning off).
 */
export function versionLines(nodeVersion = process.version): string[] {
  const root = path.resolve(__dirname, '..', '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const major = Number(/^v(\d+)/.exec(nodeVersion)?.[1]);
  return [
    `keel ${version} (Node ${nodeVersion})`,
    ...(major < AWS_SDK_NODE
      ? [
          `note: AWS SDK releases from January 2027 need Node ${AWS_SDK_NODE} or later; this is Node ${nodeVersion}: ` +
            `upgrade to Node ${AWS_SDK_NODE} to keep receiving them`,
        ]
      : []),
  ];
}

/** The command (`keel gate`) whose synopsis takes `option`, to say so when another command is given it. */
function commandWithOption(option: string): string | undefined {
  const name = Object.keys(COMMANDS).find((n) => COMMANDS[n].synopsis.includes(`--${option}`));
  return name === undefined ? undefined : `keel ${name}`;
}

/** Unknown command words: Keel's line, with the command probably meant. */
function unknownCommand(words: readonly string[]): KeelCliError {
  const given = words.slice(0, 2).join(' ');
  const names = Object.keys(COMMANDS);
  // A group's first word (`compliance`) means its command; otherwise the command a typo is closest to.
  const meant =
    names.find((name) => name.startsWith(`${words[0]} `)) ?? closest(given, names) ?? closest(words[0], names);
  return usageError(
    `unknown command ${JSON.stringify(words.join(' '))}; ${meant ? `did you mean keel ${meant}? ` : ''}run keel --help`,
  );
}

/**
 * The words that name the command: the positional arguments before the first option a command of its own declares.
 * Global options (`--json`, `--debug`, `--help`) may come before or between them.
 */
function commandWords(argv: readonly string[]): string[] {
  const { tokens } = parseArgs({
    args: [...argv],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const words: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') words.push(token.value);
    else if (token.kind === 'option-terminator' || !Object.hasOwn(GLOBAL_OPTIONS, token.name)) break;
  }
  return words;
}

/** Runs one `keel` command line and returns its exit code; never throws for a user's mistake, AWS's or keel's. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  try {
    const words = commandWords(argv);
    if (words.length === 0) {
      const { values } = parseCommandLine(argv, { command: 'keel', options: TOP_OPTIONS, usage: USAGE });
      if (values.version) {
        const [line, ...notes] = versionLines();
        io.out(line);
        for (const note of notes) io.err(note);
        return EXIT.ok;
      }
      io.out(USAGE);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    // Two words name a command of a group (`runbooks check`); one names the rest.
    const name =
      words.length > 1 && Object.hasOwn(COMMANDS, `${words[0]} ${words[1]}`) ? `${words[0]} ${words[1]}` : words[0];
    const command = loadCommand(name);
    if (!command) throw unknownCommand(words);
    const { values, positionals } = parseCommandLine(argv, {
      command: `keel ${name}`,
      options: { ...command.options, ...GLOBAL_OPTIONS },
      usage: command.usage,
      elsewhere: commandWithOption,
    });
    if (values.help) {
      io.out(`keel ${command.name}: ${command.summary}\n\n${command.usage}`);
      return EXIT.ok;
    }
    return await command.run(values, positionals.slice(name.split(' ').length), io);
  } catch (error) {
    return reportError(error, debug, io, argv.includes('--json'));
  }
}

/** What kind of failure an exit code stands for, as `--json` errors name it. */
const KINDS: Readonly<Record<ExitCode, string>> = { 0: 'ok', 1: 'failed', 2: 'usage', 3: 'aws' };

/** Each failure's message and exit code: keel's own errors carry theirs (reportError). */
function classify(error: unknown): { message: string; exitCode: ExitCode; kind?: string } {
  if (error instanceof KeelCliError) return { message: error.message, exitCode: error.exitCode };
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    // parseCommandLine words every mistake it knows; for anything else, Node's first line says which argument.
    const said = (error instanceof Error ? error.message : '').split('\n')[0].trim();
    return {
      message: `the command line does not parse${said ? ` (${said})` : ''}; run keel --help`,
      exitCode: EXIT.usage,
    };
  }
  if (isAwsSdkError(error)) return { message: `AWS error: ${describeAwsError(error)}`, exitCode: EXIT.aws };
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `internal error: ${message} (please report this; rerun with --debug for the stack trace)`,
    exitCode: EXIT.aws,
    kind: 'internal',
  };
}

/**
 * One line for what went wrong, and its exit code: keel's own errors carry theirs, a bad command line is a usage
 * error, what the AWS SDK throws is an AWS error, and anything else is a bug in keel. With `json`, the line is a JSON
 * object: `{"error":{"message","exitCode","kind"}}`, kind one of failed, usage, aws or internal.
 */
export function reportError(error: unknown, debug: boolean, io: Pick<CliIo, 'err' | 'colour'>, json = false): ExitCode {
  if (debug) io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  const { message, exitCode, kind = KINDS[exitCode] } = classify(error);
  io.err(
    json ? JSON.stringify({ error: { message, exitCode, kind } }) : `${paint('keel:', 'red', io.colour)} ${message}`,
  );
  return exitCode;
}
