import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ManifestService } from '../../../constructs/manifest/manifest-schema';
import { cloudWatchClient, type AwsOptions } from '../aws';
import { awsBounds, Deadline } from '../aws-bounds';
import { usageError } from '../errors';
import { findService, loadManifest } from '../manifest';
import { ASSEMBLY_OPTION, OPTION_HELP, type CliIo, type CommandOptions } from './command';

/** The options of the commands that act on one service in one environment through AWS. */
export const SERVICE_OPTIONS = {
  env: { type: 'string' },
  ...ASSEMBLY_OPTION,
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'role-arn': { type: 'string' },
} as const satisfies CommandOptions;

/** The help lines of SERVICE_OPTIONS but `--env`, which each command words itself. */
export const SERVICE_OPTION_HELP = [
  OPTION_HELP.assembly,
  OPTION_HELP.region,
  OPTION_HELP.endpointUrl,
  OPTION_HELP.roleArn,
];

interface ServiceValues {
  readonly env?: string;
  readonly assembly: string;
  readonly region?: string;
  readonly 'endpoint-url'?: string;
  readonly 'role-arn'?: string;
}

/** One service in one environment from the manifest, and how to reach AWS for it. */
export interface ServiceTarget {
  readonly entry: ManifestService;
  /** Where to call AWS, in `region` unless `--region` says otherwise. */
  readonly aws: (region: string | undefined) => AwsOptions;
  /** A CloudWatch client in the service's region, held to `deadline`. */
  readonly client: () => CloudWatchClient;
  /** When the command must be done with AWS: KEEL_DEADLINE (2 minutes) from now, plus `extraMs`. */
  readonly deadline: Deadline;
}

/**
 * The service `keel <command> <service> --env <env>` names, from the manifest in `--assembly`.
 * @throws KeelCliError (usage) when the service or `--env` is missing, or the manifest does not have them.
 */
export function serviceTarget(
  command: string,
  values: ServiceValues,
  positionals: readonly string[],
  io: CliIo,
  extraMs = 0,
): ServiceTarget {
  const service = positionals[0];
  if (!service) throw usageError(`keel ${command} needs a service: keel ${command} <service> --env <env>`);
  if (!values.env) throw usageError(`keel ${command} needs --env <env>, e.g. --env prod`);
  const entry = findService(loadManifest(values.assembly), service, values.env, values.region);
  const aws = (region: string | undefined): AwsOptions => ({
    region: values.region ?? region,
    endpoint: values['endpoint-url'],
    ...(values['role-arn'] ? { roleArn: values['role-arn'] } : {}),
  });
  const deadline = new Deadline(awsBounds().deadlineMs + extraMs);
  // Clients that tests inject keep their own bounds.
  const client = () =>
    io.client ? io.client(aws(entry.region)) : cloudWatchClient({ ...aws(entry.region), deadline });
  return { entry, aws, client, deadline };
}
