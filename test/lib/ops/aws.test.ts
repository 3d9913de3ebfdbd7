import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsError, cloudWatchClient } from '../../../lib/ops/aws';
import { KeelCliError } from '../../../lib/ops/errors';
import { sdkError } from '../../helpers/manifest';

const ENV_KEYS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL'] as const;
const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

beforeEach(() => {
  for (const key of ENV_KEYS) {
    saved[key] = process.env[key];
    Reflect.deleteProperty(process.env, key);
  }
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = saved[key];
  }
});

async function endpointOf(client: CloudWatchClient): Promise<URL | undefined> {
  const endpoint = await client.config.endpoint?.();
  if (!endpoint) return undefined;
  return new URL(`${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`);
}

describe('cloudWatchClient', () => {
  test('fails when no region is given or set, as a usage error', () => {
    let error: unknown;
    try {
      cloudWatchClient({});
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(KeelCliError);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining('no AWS region') });
  });

  test('takes the region from the options, then AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    process.env.AWS_DEFAULT_REGION = 'us-east-2';
    expect(await cloudWatchClient({}).config.region()).toBe('us-east-2');

    process.env.AWS_REGION = 'eu-central-1';
    expect(await cloudWatchClient({}).config.region()).toBe('eu-central-1');

    expect(await cloudWatchClient({ region: 'ap-southeast-2' }).config.region()).toBe('ap-southeast-2');
  });

  test('sends to the given endpoint', async () => {
    const client = cloudWatchClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' });

    const endpoint = await endpointOf(client);

    expect(endpoint?.protocol).toBe('http:');
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe('5000');
  });

  test('honours AWS_ENDPOINT_URL, and prefers the option over it', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';

    const fromEnv = await endpointOf(cloudWatchClient({ region: 'eu-west-1' }));
    const fromOption = await endpointOf(cloudWatchClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' }));

    expect(fromEnv?.hostname).toBe('localhost');
    expect(fromEnv?.port).toBe('4566');
    expect(fromOption?.port).toBe('5000');
  });

  test('sets no custom endpoint without the option or AWS_ENDPOINT_URL', () => {
    const client = cloudWatchClient({ region: 'eu-west-1' });

    expect(client.config.endpoint).toBeUndefined();
  });

  test('retries in standard mode with 4 attempts by default, or as many as asked', async () => {
    const client = cloudWatchClient({ region: 'eu-west-1' });

    expect(await client.config.maxAttempts()).toBe(4);
    expect(client.config.retryMode).toBe('standard');
    expect(await cloudWatchClient({ region: 'eu-west-1', maxAttempts: 2 }).config.maxAttempts()).toBe(2);
  });
});

describe('awsError', () => {
  const doing = 'listing alarms (DescribeAlarms)';

  test('passes a KeelCliError through unchanged', () => {
    const original = new KeelCliError('already explained', 2);

    expect(awsError(original, doing)).toBe(original);
  });

  test('maps missing credentials to one line with exit code 3', () => {
    for (const error of [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      sdkError('Error', 'Resolved credential object is not valid'),
    ]) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toMatch(/^listing alarms \(DescribeAlarms\) failed: no AWS credentials; /);
      expect(mapped.cause).toBe(error);
    }
  });

  test('maps a missing region to one line with exit code 3', () => {
    const mapped = awsError(sdkError('Error', 'Region is missing'), doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: no AWS region; pass --region or set AWS_REGION`);
  });

  test('maps access denied, by name or HTTP 403, to one line with exit code 3', () => {
    for (const error of [
      sdkError('AccessDeniedException', 'User x is not authorized'),
      sdkError('AccessDenied', 'User x is not authorized'),
      sdkError('UnauthorizedOperation', 'User x is not authorized'),
      sdkError('SomethingElse', 'User x is not authorized', { $metadata: { httpStatusCode: 403 } }),
    ]) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: access denied (User x is not authorized); the caller needs cloudwatch:DescribeAlarms and cloudwatch:GetMetricData`,
      );
    }
  });

  test('maps throttling to one line with exit code 3', () => {
    for (const name of ['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']) {
      const mapped = awsError(sdkError(name, 'Rate exceeded'), doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: CloudWatch kept throttling the requests after retries; try again in a minute`,
      );
    }
  });

  test('maps network failures, by code, cause code or timeout, to one line with exit code 3', () => {
    const cases: [Error, string][] = [
      [sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:5000', { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
      [sdkError('Error', 'getaddrinfo ENOTFOUND x', { code: 'ENOTFOUND' }), 'ENOTFOUND'],
      [sdkError('Error', 'socket hang up', { code: 'ECONNRESET' }), 'ECONNRESET'],
      [sdkError('Error', 'timed out', { code: 'ETIMEDOUT' }), 'ETIMEDOUT'],
      [sdkError('Error', 'getaddrinfo EAI_AGAIN x', { code: 'EAI_AGAIN' }), 'EAI_AGAIN'],
      [sdkError('Error', 'fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'ECONNREFUSED'],
      [sdkError('TimeoutError', 'Connection timed out after 1000 ms'), 'TimeoutError'],
    ];
    for (const [error, shown] of cases) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: cannot reach the CloudWatch endpoint (${shown}); check --endpoint-url, AWS_ENDPOINT_URL and the network`,
      );
    }
  });

  test('maps any other error to its name and message with exit code 3', () => {
    const mapped = awsError(sdkError('InvalidParameterValue', 'The alarm name is too long'), doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: InvalidParameterValue: The alarm name is too long`);
  });

  test('maps a thrown string to its text with exit code 3', () => {
    const mapped = awsError('boom', doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: error: boom`);
  });
});
