import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { EXIT, KeelCliError } from './errors';

export interface AwsOptions {
  /** @default - AWS_REGION, AWS_DEFAULT_REGION, or the region in the manifest */
  readonly region?: string;
  /** An emulator or VPC endpoint, e.g. http://127.0.0.1:5000. @default - AWS_ENDPOINT_URL or AWS's own */
  readonly endpoint?: string;
  /**
   * Attempts per call under the SDK's standard retry mode (exponential backoff with jitter, capped at 20 s each);
   * each attempt may take 3 s to connect and 15 s to answer.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * A role to assume first, e.g. the alarm reader in a service's account that the pipeline's gate step uses.
   * @default - the caller's own credentials
   */
  readonly roleArn?: string;
}

/** What every Keel AWS client shares: region, endpoint, bounded standard retries and timeouts, assumed role. */
function clientConfig(options: AwsOptions) {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new KeelCliError(
      'no AWS region: pass --region, set AWS_REGION, or synthesize stacks with a region',
      EXIT.usage,
    );
  }
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const where = { region, ...(endpoint ? { endpoint } : {}) };
  return {
    ...where,
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 4,
    // With at most 4 attempts, these bound a call that hangs to well under two minutes in all.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
    ...(options.roleArn
      ? {
          credentials: fromTemporaryCredentials({
            params: { RoleArn: options.roleArn, RoleSessionName: 'keel-cli', DurationSeconds: 3600 },
            clientConfig: where,
          }),
        }
      : {}),
  };
}

/** A CloudWatch client with the SDK's standard retries, bounded attempts and the given endpoint. */
export function cloudWatchClient(options: AwsOptions): CloudWatchClient {
  return new CloudWatchClient(clientConfig(options));
}

/** A CodePipeline client, made like the CloudWatch one. */
export function codePipelineClient(options: AwsOptions): CodePipelineClient {
  return new CodePipelineClient(clientConfig(options));
}

/** The permissions a denied caller is missing, by the service it called. */
const NEEDS = {
  cloudwatch: 'cloudwatch:DescribeAlarms and cloudwatch:GetMetricData',
  codepipeline: 'codepipeline:GetPipelineState, codepipeline:ListPipelineExecutions and codepipeline:RollbackStage',
} as const;

/** Turns what the SDK throws into one line a person can act on, with exit code 3. */
export function awsError(error: unknown, doing: string, service: keyof typeof NEEDS = 'cloudwatch'): KeelCliError {
  if (error instanceof KeelCliError) return error;
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const line = (what: string) => new KeelCliError(`${doing} failed: ${what}`, EXIT.aws, error);
  if (/Region is missing/i.test(message)) return line('no AWS region; pass --region or set AWS_REGION');
  if (
    ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(name) ||
    e.$metadata?.httpStatusCode === 403
  ) {
    return line(`access denied (${message}); the caller needs ${NEEDS[service]}`);
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return line(
      'no AWS credentials; configure a profile (AWS_PROFILE) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'].includes(name)) {
    return line(
      `${service === 'cloudwatch' ? 'CloudWatch' : 'CodePipeline'} kept throttling the requests after retries; try again in a minute`,
    );
  }
  // The SDK may wrap a socket error; its code can sit on the error, on its cause, or only in the message.
  const network = /\b(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/;
  const code =
    [e.code, (error as { cause?: { code?: string } }).cause?.code].find((c) => c !== undefined && network.test(c)) ??
    network.exec(message)?.[1];
  if (code !== undefined || name === 'TimeoutError') {
    return line(
      `cannot reach the ${service === 'cloudwatch' ? 'CloudWatch' : 'CodePipeline'} endpoint (${code ?? name}); check --endpoint-url, AWS_ENDPOINT_URL and the network`,
    );
  }
  return line(`${name || 'error'}: ${message}`);
}
