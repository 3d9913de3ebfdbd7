import type { ParseArgsConfig, parseArgs } from 'node:util';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { AwsOptions } from '../aws';
import type { ExitCode } from '../errors';
import type { ServiceRegistry } from '../new-service';

/** Where output goes, and how AWS clients are made: tests inject their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly client?: (options: AwsOptions) => CloudWatchClient;
  readonly codePipeline?: (options: AwsOptions) => CodePipelineClient;
  /** Asks a person a yes/no question; absent when nobody can answer (not a terminal). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /**
   * The repository `new-service` writes into, and its teams and services; `validate` reads its
   * cfn-lint-acknowledgments.json. Tests point it at a copy.
   */
  readonly repository?: Repository;
  readonly now?: () => Date;
  readonly clock?: { now(): number; sleep(ms: number): Promise<void> };
  /**
   * Whether output may carry ANSI colours: bin/keel.ts says yes on a terminal without NO_COLOR.
   * @default false
   */
  readonly colour?: boolean;
}

/** A Keel repository on disk, and its teams and services. */
export interface Repository {
  readonly root: string;
  readonly registry: ServiceRegistry;
}

/** The options a command declares, in `parseArgs` form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The options every command takes. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies CommandOptions;

/** The cloud assembly a command reads; every command but `new-service` reads one. */
export const ASSEMBLY_OPTION = {
  assembly: { type: 'string', default: 'cdk.out' },
} as const satisfies CommandOptions;

/** The values `parseArgs` returns for a command's options and the global ones. */
export type OptionValues<O extends CommandOptions> = ReturnType<
  typeof parseArgs<{ options: O & typeof GLOBAL_OPTIONS; strict: true; allowPositionals: true }>
>['values'];

/** One `keel` command: its own usage and options, and what it does. */
export interface KeelCommand<O extends CommandOptions = CommandOptions> {
  /** The words that name it: `status`, `runbooks check`. */
  readonly name: string;
  /** One line: what it is for. */
  readonly summary: string;
  /** What `keel <command> --help` prints after the summary: the synopsis and each option. */
  readonly usage: string;
  readonly options: O;
  /** Runs it; `positionals` are the arguments after the command's name. */
  run(values: OptionValues<O>, positionals: readonly string[], io: CliIo): Promise<ExitCode>;
}

/** Declares a command with its option types inferred, so `run` sees each value with its own type. */
export function defineCommand<const O extends CommandOptions>(command: KeelCommand<O>): KeelCommand<O> {
  return command;
}

/** What every command's help says about the options every command takes, and about exit codes. */
export const OPTION_HELP = {
  assembly: '  --assembly <dir>     the synthesized cloud assembly with keel-manifest.json (default: cdk.out)',
  region: "  --region <region>    AWS region (default: AWS_REGION, or the stack's region in the manifest)",
  endpointUrl: '  --endpoint-url <url> AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)',
  roleArn: "  --role-arn <arn>     assume this role first, e.g. the service's alarm reader in its account",
  yes: '  -y, --yes            roll back without asking',
  team: '  --team <team>        the owner team of a new service, from lib/config/teams.ts',
  dataClassification: '  --data-classification <level>  public, internal, confidential (default) or restricted',
  tag: "  --tag <Key=Value>    a value for one of the team's extra required tags; repeat for each",
  json: '  --json               machine-readable output',
  debug: '  --debug              show stack traces',
  help: '  -h, --help           this help',
} as const;
