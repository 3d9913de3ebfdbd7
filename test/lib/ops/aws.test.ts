import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient, codePipelineClient } from '../../../lib/ops/aws';
import { KeelCliError } from '../../../lib/ops/errors';
import { setEnv } from '../../helpers/env';

const ENV_KEYS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL'] as const;
let restoreEnv: () => void;

beforeEach(() => {
  restoreEnv = setEnv(Object.fromEntries(ENV_KEYS.map((key) => [key, undefined])));
});

afterEach(() => restoreEnv());

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

describe('where the clients call', () => {
  test('fails when the region is not a region name, as a usage error naming it and where it comes from', () => {
    for (const region of ['eu west', 'EU-WEST-1', 'bogus/x']) {
      expect(() => cloudWatchClient({ region })).toThrow(
        new KeelCliError(
          `the AWS region ${JSON.stringify(region)} is not a region name like eu-west-1; fix --region, AWS_REGION ` +
            "or the stack's region in the manifest",
          2,
        ),
      );
    }
  });

  test('takes any host-name-like region for an emulator, and every AWS region name', () => {
    expect(() => cloudWatchClient({ region: 'local', endpoint: 'http://127.0.0.1:5000' })).not.toThrow();
    for (const region of ['eu-west-1', 'us-gov-west-1', 'ap-southeast-4', 'il-central-1']) {
      expect(() => codePipelineClient({ region })).not.toThrow();
    }
  });

  test('fails when the endpoint is not an http(s) URL, as a usage error saying what one looks like', () => {
    for (const endpoint of ['notaurl', 'ftp://127.0.0.1:5000', '127.0.0.1:5000']) {
      expect(() => cloudWatchClient({ region: 'eu-west-1', endpoint })).toThrow(
        new KeelCliError(
          `the endpoint ${JSON.stringify(endpoint)} is not an http(s) URL; pass --endpoint-url (or ` +
            'AWS_ENDPOINT_URL) like http://127.0.0.1:5000',
          2,
        ),
      );
    }
  });
});
