import { EXIT, KeelCliError } from './errors';

/** The AWS services `keel` calls, and the permissions a denied caller is missing for each. */
const NEEDS = {
  cloudwatch: 'cloudwatch:DescribeAlarms and cloudwatch:GetMetricData',
  codepipeline: 'codepipeline:GetPipelineState, codepipeline:ListPipelineExecutions and codepipeline:RollbackStage',
} as const;

export type AwsService = keyof typeof NEEDS;

const DISPLAY: Readonly<Record<AwsService, string>> = { cloudwatch: 'CloudWatch', codepipeline: 'CodePipeline' };

/** What the credential providers throw when they find no credentials or cannot assume a role. */
const PROVIDER_ERRORS: readonly string[] = ['CredentialsProviderError', 'TokenProviderError', 'ProviderError'];

/** The property lib/ops/aws.ts sets on an SDK error: the endpoint the failed call was sent to. */
export const ENDPOINT = 'keelEndpoint';

interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
  readonly [ENDPOINT]?: string;
}

/**
 * True for what the AWS SDK throws: a service or transport error (the SDK sets `$metadata` on both) or a credential
 * provider's error. Anything else that reaches the CLI is a bug in keel.
 */
export function isAwsSdkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as SdkErrorShape;
  return (typeof $metadata === 'object' && $metadata !== null) || PROVIDER_ERRORS.includes(name ?? '');
}

/**
 * What went wrong with an AWS call, in words a person can act on: no credentials or region, access denied (and
 * which permissions `service` needs), throttling, an unreachable endpoint, or the SDK's own name and message.
 */
export function describeAwsError(error: unknown, service?: AwsService): string {
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const display = service ? DISPLAY[service] : 'AWS';
  const endpoint = e[ENDPOINT] ? ` ${e[ENDPOINT]}` : '';
  if (/Region is missing/i.test(message)) return 'no AWS region; pass --region or set AWS_REGION';
  if (/Deserialization error/.test(message)) return notAws(e, `the ${display} endpoint${endpoint}`);
  if (
    ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(name) ||
    e.$metadata?.httpStatusCode === 403
  ) {
    return `access denied (${message})${service ? `; the caller needs ${NEEDS[service]}` : ''}`;
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return 'no AWS credentials; configure a profile (AWS_PROFILE) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'].includes(name)) {
    return `${display} kept throttling the requests after retries; try again in a minute`;
  }
  // The SDK may wrap a socket error; its code can sit on the error, on its cause, or only in the message.
  const network = /\b(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/;
  const code =
    [e.code, (error as { cause?: { code?: string } }).cause?.code].find((c) => c !== undefined && network.test(c)) ??
    network.exec(message)?.[1];
  if (code !== undefined || name === 'TimeoutError') {
    const check = code === 'ENOTFOUND' && endpoint ? '--region, ' : '';
    return `cannot reach the ${display} endpoint${endpoint} (${code ?? name}); check ${check}--endpoint-url, AWS_ENDPOINT_URL and the network`;
  }
  // The SDK's own messages may run to several lines; the first says what happened.
  return `${name || 'error'}: ${message.split('\n')[0].trim()}`;
}

/**
 * An answer the SDK could not read as AWS's (the SDK's "Deserialization error"): an HTML page from a proxy, a captive
 * portal or a wrong --endpoint-url, whatever its HTTP status.
 */
function notAws(e: SdkErrorShape, who: string): string {
  const status = e.$metadata?.httpStatusCode;
  const type = e.$response?.headers?.['content-type'];
  const what = [status === undefined ? '' : `HTTP ${status}`, type ?? ''].filter(Boolean).join(', ');
  return (
    `${who} answered with something that is not an AWS response${what ? ` (${what})` : ''}: a proxy, a captive ` +
    'portal or a wrong endpoint; check --endpoint-url, AWS_ENDPOINT_URL, --region and HTTPS_PROXY'
  );
}

/** Turns what the SDK throws while `doing` something into one line a person can act on, with exit code 3. */
export function awsError(error: unknown, doing: string, service: AwsService = 'cloudwatch'): KeelCliError {
  if (error instanceof KeelCliError) return error;
  return new KeelCliError(`${doing} failed: ${describeAwsError(error, service)}`, EXIT.aws, error);
}
