import { serviceTarget } from '../../../../lib/ops/commands/service-target';
import type { AwsOptions } from '../../../../lib/ops/aws';
import { assemblyWith, keelManifest, removeTempDirs, testCloudWatchClient } from '../../../helpers/manifest';
import { cliFailure } from '../../../helpers/refusal';

afterAll(removeTempDirs);

const failure = (run: () => unknown) => cliFailure(Promise.resolve().then(run));

/** serviceTarget over the fixture manifest, with `values` on top of `--assembly`, recording the clients it makes. */
function target(positionals: string[], values: Record<string, string> = {}) {
  const made: AwsOptions[] = [];
  const io = {
    out: () => undefined,
    err: () => undefined,
    client: (options: AwsOptions) => {
      made.push(options);
      return testCloudWatchClient();
    },
  };
  return {
    made,
    target: () => serviceTarget('status', { assembly: assemblyWith(keelManifest()), ...values }, positionals, io),
  };
}

test('finds the service and makes its CloudWatch client in the region the manifest has', () => {
  const { made, target: make } = target(['shop'], { env: 'prod' });

  const { entry, client } = make();
  client();

  expect(entry).toMatchObject({ service: 'shop', environment: 'prod' });
  expect(made).toEqual([{ region: 'eu-west-1', endpoint: undefined }]);
});

test('prefers --region and --endpoint-url, and assumes --role-arn first', () => {
  const { target: make } = target(['shop'], {
    env: 'prod',
    region: 'us-east-1',
    'endpoint-url': 'http://127.0.0.1:5000',
    'role-arn': 'arn:aws:iam::111111111111:role/reader',
  });

  expect(make().aws('eu-west-1')).toEqual({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:5000',
    roleArn: 'arn:aws:iam::111111111111:role/reader',
  });
});

test('fails when the service or --env is missing, as usage errors naming the command', async () => {
  expect((await failure(target([], { env: 'prod' }).target)).message).toBe(
    'keel status needs a service: keel status <service> --env <env>',
  );
  expect((await failure(target(['shop']).target)).message).toBe('keel status needs --env <env>, e.g. --env prod');
});
