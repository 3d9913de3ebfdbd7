import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
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
}

/** A CloudWatch client with the SDK's standard retries, bounded attempts and the given endpoint. */
export function cloudWatchClient(options: AwsOptions): CloudWatchClient {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new KeelCliError(
      'no AWS region: pass --region, set AWS_REGION, or synthesize stacks with a region',
      EXIT.usage,
    );
  }
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return new CloudWatchClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 4,
    // With at most 4 attempts, these bound a call that hangs to well under two minutes in all.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
  });
}

/** Turns what the SDK throws into one line a person can act on, with exit code 3. */
export function awsError(error: unknown, doing: string): KeelCliError {
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
    return line(`access denied (${message}); the caller needs cloudwatch:DescribeAlarms and cloudwatch:GetMetricData`);
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return line(
      'no AWS credentials; configure a profile (AWS_PROFILE) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'].includes(name)) {
    return line('CloudWatch kept throttling the requests after retries; try again in a minute');
  }
  // The SDK may wrap a socket error; its code can sit on the error, on its cause, or only in the message.
  const network = /\b(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/;
  const code =
    [e.code, (error as { cause?: { code?: string } }).cause?.code].find((c) => c !== undefined && network.test(c)) ??
    network.exec(message)?.[1];
  if (code !== undefined || name === 'TimeoutError') {
    return line(
      `cannot reach the CloudWatch endpoint (${code ?? name}); check --endpoint-url, AWS_ENDPOINT_URL and the network`,
    );
  }
  return line(`${name || 'error'}: ${message}`);
}
