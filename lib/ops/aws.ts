import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { awsBounds, type Deadline } from './aws-bounds';
import { ENDPOINT } from './aws-errors';
import { EXIT, KeelCliError } from './errors';

export interface AwsOptions {
  /** @default - AWS_REGION, AWS_DEFAULT_REGION, or the region in the manifest */
  readonly region?: string;
  /** An emulator or VPC endpoint, e.g. http://127.0.0.1:5000. @default - AWS_ENDPOINT_URL or AWS's own */
  readonly endpoint?: string;
  /**
   * Attempts per call under the SDK's standard retry mode (exponential backoff with jitter, capped at 20 s each);
   * each attempt may take 3 s to connect and 15 s to answer (KEEL_AWS_CONNECT_TIMEOUT, KEEL_AWS_ANSWER_TIMEOUT).
   * @default 4, or KEEL_AWS_ATTEMPTS
   */
  readonly maxAttempts?: number;
  /**
   * When the command must be done with AWS: no attempt starts after it, and one under way ends at it.
   * @default - each call bounded only by its attempts and timeouts
   */
  readonly deadline?: Deadline;
  /**
   * A role to assume first, e.g. the alarm reader in a service's account that the pipeline's gate step uses.
   * @default - the caller's own credentials
   */
  readonly roleArn?: string;
}

/** `http:` of `http://127.0.0.1:5000`; empty for what is not a URL. */
function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

/** An AWS region name: eu-west-1, us-gov-west-1, ap-southeast-4. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Refuses a region or endpoint the SDK could only fail on, as a usage error that says which and how to fix it. An
 * emulator (an endpoint is given) may take any region that can be part of a host name.
 */
function checkWhere(region: string, endpoint: string | undefined): void {
  if (!(endpoint ? /^[A-Za-z0-9-]+$/ : REGION).test(region)) {
    throw new KeelCliError(
      `the AWS region ${JSON.stringify(region)} is not a region name like eu-west-1; fix --region, AWS_REGION or ` +
        "the stack's region in the manifest",
      EXIT.usage,
    );
  }
  if (endpoint !== undefined && !/^https?:$/.test(protocolOf(endpoint))) {
    throw new KeelCliError(
      `the endpoint ${JSON.stringify(endpoint)} is not an http(s) URL; pass --endpoint-url (or AWS_ENDPOINT_URL) ` +
        'like http://127.0.0.1:5000',
      EXIT.usage,
    );
  }
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
  checkWhere(region, endpoint);
  const bounds = awsBounds();
  const where = {
    region,
    ...(endpoint ? { endpoint } : {}),
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? bounds.attempts,
    // The installed @smithy/node-http-handler only logs a warning when requestTimeout runs out unless it is told to
    // throw; throwing ends the attempt (and destroys its socket), so an endpoint that never answers cannot hang keel.
    requestHandler: {
      connectionTimeout: bounds.connectMs,
      requestTimeout: bounds.answerMs,
      throwOnRequestTimeout: true,
    },
  };
  return {
    ...where,
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

/**
 * Holds every attempt of `client` to `deadline`: an attempt that would start after it fails at once (and is not
 * retried), and one under way may take only the time left, however long KEEL_AWS_ANSWER_TIMEOUT allows.
 */
function keepingDeadline(client: CloudWatchClient | CodePipelineClient, deadline: Deadline | undefined): void {
  if (!deadline) return;
  const handler = client.config.requestHandler;
  const handle = handler.handle.bind(handler);
  const answerMs = awsBounds().answerMs;
  handler.handle = (request: Parameters<typeof handle>[0], options?: Parameters<typeof handle>[1]) => {
    const left = Math.ceil(deadline.left());
    if (left <= 0) return Promise.reject(deadline.expired());
    if (left >= answerMs) return handle(request, options);
    // The deadline, not KEEL_AWS_ANSWER_TIMEOUT, cut this attempt short: say so if it runs out.
    return handle(request, { ...options, requestTimeout: left }).catch((error: unknown) => {
      throw (error as { name?: string }).name === 'TimeoutError' ? deadline.expired() : error;
    });
  };
}

/**
 * Marks every error a call ends in with the endpoint it was sent to (`keelEndpoint` on the error), so its one line
 * can say who answered: a proxy's HTML page or a wrong host reads differently from AWS's own refusal (aws-errors.ts).
 */
function namingEndpoint<A extends { readonly request: unknown }, R>(next: (args: A) => Promise<R>) {
  return async (args: A): Promise<R> => {
    try {
      return await next(args);
    } catch (error) {
      const request = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
      if (error !== null && typeof error === 'object' && request?.hostname) {
        const port = request.port ? `:${request.port}` : '';
        Object.assign(error, { [ENDPOINT]: `${request.protocol ?? 'https:'}//${request.hostname}${port}` });
      }
      throw error;
    }
  };
}

/** After serialize, where the request gets its host; outside the retries, so the last attempt's error is marked. */
const NAMING_ENDPOINT = { step: 'build', name: 'keelNamingEndpoint' } as const;

/** A CloudWatch client with the SDK's standard retries, bounded attempts and the given endpoint. */
export function cloudWatchClient(options: AwsOptions): CloudWatchClient {
  const client = new CloudWatchClient(clientConfig(options));
  client.middlewareStack.add(namingEndpoint, NAMING_ENDPOINT);
  keepingDeadline(client, options.deadline);
  return client;
}

/** A CodePipeline client, made like the CloudWatch one. */
export function codePipelineClient(options: AwsOptions): CodePipelineClient {
  const client = new CodePipelineClient(clientConfig(options));
  client.middlewareStack.add(namingEndpoint, NAMING_ENDPOINT);
  keepingDeadline(client, options.deadline);
  return client;
}
