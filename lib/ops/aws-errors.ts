import { ATTEMPTS_VARIABLE, BOUND_VARIABLES, DEADLINE_ERROR, awsBounds } from './aws-bounds';
import { formatDuration } from './duration';
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
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
  readonly [ENDPOINT]?: string;
  /** The command's own deadline, on a Deadline's error: a gate's includes its bake. */
  readonly deadlineMs?: number;
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
 * True for a failure that may pass by itself (throttling, AWS failing with 5xx, a timeout, a dropped or refused
 * connection): the gate looks again rather than fail on it. A denial, bad credentials or a non-AWS answer is not.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!isAwsSdkError(error)) return false;
  const e = error as SdkErrorShape;
  const name = e.name ?? '';
  if (/Deserialization error/.test(e.message ?? '')) return false;
  return (
    THROTTLING.includes(name) ||
    name === 'TimeoutError' ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? '') ||
    /socket hang up|ECONNRESET|ECONNREFUSED/.test(e.message ?? '')
  );
}

/** The names AWS gives throttling. */
const THROTTLING: readonly string[] = [
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
];

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
  if (NOT_FOUND.includes(name)) {
    return (
      `the ${display} endpoint${endpoint} does not know it (${name}: ${message.split('\n')[0].trim()}); check ` +
      '--region and the account (--role-arn, AWS_PROFILE), or deploy the stacks of this synth'
    );
  }
  if (/Deserialization error/.test(message)) return notAws(e, `the ${display} endpoint${endpoint}`);
  const special = expiredOrBounded(e, display, endpoint);
  if (special) return special;
  if (
    ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(name) ||
    e.$metadata?.httpStatusCode === 403
  ) {
    return `access denied (${message})${service ? `; the caller needs ${NEEDS[service]}` : ''}`;
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return 'no AWS credentials; configure a profile (AWS_PROFILE) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (THROTTLING.includes(name)) {
    return `${display} kept throttling the requests after retries; try again in a minute`;
  }
  const tls = TLS_CODES.find(
    (c) => c === e.code || c === (error as { cause?: { code?: string } }).cause?.code || message.includes(c),
  );
  if (tls !== undefined) {
    return (
      `no trusted TLS connection to the ${display} endpoint${endpoint} (${tls}); check --endpoint-url (http or ` +
      "https), the endpoint's certificate, and NODE_EXTRA_CA_CERTS for a proxy's own CA"
    );
  }
  // The SDK may wrap a socket error; its code can sit on the error, on its cause, or only in the message.
  const network = /\b(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/;
  const code =
    [e.code, (error as { cause?: { code?: string } }).cause?.code].find((c) => c !== undefined && network.test(c)) ??
    network.exec(message)?.[1] ??
    // A connection closed without an answer: the SDK wraps Node's "socket hang up" without its code.
    (/socket hang up/.test(message) ? 'ECONNRESET' : undefined);
  if (code !== undefined || name === 'TimeoutError') {
    const check = code === 'ENOTFOUND' && endpoint ? '--region, ' : '';
    return `cannot reach the ${display} endpoint${endpoint} (${code ?? name}); check ${check}--endpoint-url, AWS_ENDPOINT_URL and the network`;
  }
  // The SDK's own messages may run to several lines; the first says what happened.
  return `${name || 'error'}: ${message.split('\n')[0].trim()}`;
}

/** What AWS answers for a pipeline (or other resource) that the account and region do not have. */
const NOT_FOUND: readonly string[] = ['PipelineNotFoundException', 'StageNotFoundException', 'ResourceNotFound'];

/** What Node calls a TLS handshake that failed: a certificate it cannot trust, or a peer that does not speak TLS. */
const TLS_CODES: readonly string[] = [
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
];

/** `250ms`, `15s`, `2m`. */
function readable(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(ms);
}

/** ` after 4 attempts`, when the SDK counted them. */
function afterAttempts(e: SdkErrorShape): string {
  const attempts = e.$metadata?.attempts;
  return attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
}

/**
 * The failures Keel's own bounds and AWS's sessions name: expired credentials, the command's deadline, an endpoint
 * that never answered, and AWS failing (5xx) on every attempt; `undefined` for anything else.
 */
function expiredOrBounded(e: SdkErrorShape, display: string, endpoint: string): string | undefined {
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'].includes(name)) {
    return `the AWS credentials have expired (${name}); refresh them (aws sso login, or new temporary credentials) and run again`;
  }
  if (name === DEADLINE_ERROR) {
    return (
      `the ${display} endpoint${endpoint} did not answer before the command's deadline of ` +
      `${readable(e.deadlineMs ?? awsBounds().deadlineMs)} (${BOUND_VARIABLES.deadlineMs.name}; gate adds its bake); ` +
      'check the endpoint and the network, or try again'
    );
  }
  if (name === 'TimeoutError' && /requestTimeout/.test(e.message ?? '')) {
    return (
      `the ${display} endpoint${endpoint} accepted the connection but did not answer within ` +
      `${readable(awsBounds().answerMs)}${afterAttempts(e) || ' per attempt'} (${BOUND_VARIABLES.answerMs.name}, ` +
      `${ATTEMPTS_VARIABLE.name}); check --endpoint-url, HTTPS_PROXY and the network, or try again`
    );
  }
  if (status >= 500) {
    return (
      `the ${display} endpoint${endpoint} kept failing with HTTP ${status} (${name})${afterAttempts(e)}; AWS or a ` +
      'proxy in between is failing: try again in a few minutes'
    );
  }
  return undefined;
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
  // What the manifest names and AWS does not have is a configuration error; retrying cannot help.
  const notFound = NOT_FOUND.includes((error as { name?: string } | null)?.name ?? '');
  return new KeelCliError(
    `${doing} failed: ${describeAwsError(error, service)}`,
    notFound ? EXIT.usage : EXIT.aws,
    error,
  );
}
