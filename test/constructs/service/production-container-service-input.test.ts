import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { DeploymentStrategy } from '../../../constructs/service/deployment-strategy';
import {
  ProductionContainerService,
  type ProductionContainerServiceProps,
} from '../../../constructs/service/production-container-service';
import { testApp } from '../../helpers/app';
import { CONTAINER_APP_ENTRY, helloContainerService, testServiceStack } from '../../helpers/container-service';
import { keelRefusal, refusal } from '../../helpers/refusal';

describe('ProductionContainerService refuses bad input, naming the field, the value, what is allowed and the fix', () => {
  test('a service outside a ServiceStack, naming ServiceStack as the fix', () => {
    const stack = new Stack(testApp(), 'Plain', { env: { account: '111111111111', region: 'eu-west-1' } });
    const message = refusal(() => helloContainerService('basic', {}, stack as never));
    expect(message).toMatch(/Plain\/Hello/);
    expect(message).toMatch(/not a ServiceStack/);
    expect(message).toMatch(/extend ServiceStack/);
  });

  test.each(['standard', 'maximum'] as const)(
    'a missing certificate at %s protection, naming the config field of the environment',
    (protection) => {
      const error = keelRefusal(() => helloContainerService(protection, { certificateArn: undefined }));
      const env = protection === 'standard' ? 'staging' : 'prod';
      expect(error.problems).toEqual([
        expect.objectContaining({
          where: expect.stringMatching(/Hello certificateArn$/),
          what: expect.stringContaining(`at ${protection} protection`),
          fix: expect.stringContaining(`"keel:${env}:certificateArn" in cdk.json`),
        }),
      ]);
    },
  );

  test('a health-check path that is not a path', () => {
    const error = keelRefusal(() => helloContainerService('basic', { healthCheckPath: 'health check' }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/healthCheckPath$/),
        what: '"health check" is not a URL path',
        fix: expect.stringContaining("starts with '/'"),
      },
    ]);
  });

  test('a CPU/memory pair Fargate does not run, naming the memory that CPU takes', () => {
    const error = keelRefusal(() => helloContainerService('basic', { size: { cpu: 512, memoryMiB: 512 } }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/size\.memoryMiB$/),
        what: '512 MiB does not go with 512 CPU units on Fargate',
        fix: 'with cpu 512, use one of 1024, 2048, 3072, 4096 MiB; or pick another cpu',
      },
    ]);
  });

  test('a CPU value Fargate does not offer, naming those it does', () => {
    expect(refusal(() => helloContainerService('basic', { size: { cpu: 300, memoryMiB: 512 } }))).toMatch(
      /300 is not a Fargate CPU value[\s\S]*256, 512, 1024, 2048, 4096, 8192, 16384/,
    );
  });

  test.each([0, 65536, 80.5])('port %s, outside 1-65535', (containerPort) => {
    const error = keelRefusal(() => helloContainerService('basic', { containerPort }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/containerPort$/),
        what: `${containerPort} is not a TCP port`,
        fix: expect.stringContaining('1 to 65535'),
      },
    ]);
  });

  test('a task count range that is empty or starts below one task', () => {
    expect(refusal(() => helloContainerService('basic', { taskCount: { min: 3, max: 2 } }))).toMatch(
      /taskCount: min 3, max 2 is not a range[\s\S]*1 <= min <= max/,
    );
    expect(refusal(() => helloContainerService('basic', { taskCount: { min: 0, max: 2 } }))).toMatch(/min 0, max 2/);
  });

  test('a linear step below the 3% ECS shifts', () => {
    const deploymentStrategy = DeploymentStrategy.linear(2, Duration.minutes(1));
    expect(refusal(() => helloContainerService('basic', { deploymentStrategy }))).toMatch(
      /deploymentStrategy: linear steps of 2% are below the 3% ECS shifts at least[\s\S]*p from 3 to 99/,
    );
  });

  test('a canary percentage outside what Keel and ECS allow', () => {
    const deploymentStrategy = DeploymentStrategy.canary(100, Duration.minutes(5));
    expect(refusal(() => helloContainerService('basic', { deploymentStrategy }))).toMatch(/100% is outside 1-99/);
  });

  test('a step bake time longer than the 1440 minutes ECS waits per step', () => {
    const deploymentStrategy = DeploymentStrategy.canary(10, Duration.minutes(2000));
    expect(refusal(() => helloContainerService('basic', { deploymentStrategy }))).toMatch(
      /an interval of 2000 minutes is longer than the 1440 minutes ECS waits per step/,
    );
  });

  test.each([Duration.minutes(1441), Duration.seconds(90)])('bakeTime %s, outside whole minutes 0-1440', (bakeTime) => {
    const error = keelRefusal(() => helloContainerService('basic', { bakeTime }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/bakeTime$/),
        what: `${bakeTime.toHumanString()} is not whole minutes from 0 to 1440, as ECS requires`,
        fix: expect.stringContaining('Duration.minutes(10)'),
      },
    ]);
  });

  test('bake times that add up past the 33 hours CloudFormation waits', () => {
    const deploymentStrategy = DeploymentStrategy.linear(10, Duration.minutes(240));
    expect(
      refusal(() => helloContainerService('basic', { deploymentStrategy, bakeTime: Duration.minutes(10) })),
    ).toMatch(/linear 10% every 4 hours with a bake time of 10 minutes takes 2170 minutes, more than the 1980/);
  });

  test.each([
    ['a secret-like name', 'API_TOKEN', 'abc', 'a secret, by its name'],
    ['a password pair', 'DATABASE', 'host=db password=hunter2', 'a password=... pair'],
    ['an access key id', 'UPLOADER', 'AKIAIOSFODNN7EXAMPLE', 'an AWS access key id'],
  ])('%s among the environment variables', (_case, name, value, reason) => {
    const error = keelRefusal(() => helloContainerService('basic', { environmentVariables: { [name]: value } }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(new RegExp(`environmentVariables\\.${name}$`)),
        what: expect.stringContaining(`looks like ${reason}`),
        fix: expect.stringContaining("addSecret(id, rotation, description, 'NAME')"),
      },
    ]);
  });

  test('an entry that does not exist', () => {
    const entry = path.join(path.dirname(CONTAINER_APP_ENTRY), 'missing.ts');
    const error = keelRefusal(() =>
      helloContainerService('basic', { entry, dockerfile: path.join(entry, '..', '..', 'Dockerfile') }),
    );
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/Hello entry$/),
        what: `${JSON.stringify(entry)} is not a file`,
        fix: expect.stringContaining('main .ts file'),
      },
    ]);
  });

  test('a Dockerfile that does not exist, by default beside the entry folder', () => {
    const dockerfile = path.join(path.dirname(CONTAINER_APP_ENTRY), 'Dockerfile');
    const error = keelRefusal(() => helloContainerService('basic', { dockerfile }));
    expect(error.problems).toEqual([
      {
        where: expect.stringMatching(/Hello dockerfile$/),
        what: `${JSON.stringify(dockerfile)} is not a file`,
        fix: expect.stringContaining('COPYs app.js'),
      },
    ]);
  });

  test('every problem at once, so one run shows them all', () => {
    const error = keelRefusal(() =>
      helloContainerService('standard', { certificateArn: undefined, containerPort: 0, healthCheckPath: 'x' }),
    );
    expect(error.problems).toHaveLength(3);
  });

  test("a subclass's containerDefaults apply, checked like props, and props win over them", () => {
    class StrictService extends ProductionContainerService {
      protected override containerDefaults(): Partial<ProductionContainerServiceProps> {
        return { containerPort: 0, healthCheckPath: 'ping' };
      }
    }
    const build = (props: Partial<ProductionContainerServiceProps>) => () =>
      new StrictService(testServiceStack(), 'Hello', {
        serviceName: 'hello',
        environment: 'dev',
        protection: 'basic',
        entry: CONTAINER_APP_ENTRY,
        ...props,
      });
    expect(keelRefusal(build({})).problems.map((problem) => problem.where)).toEqual([
      'Test/Hello containerPort',
      'Test/Hello healthCheckPath',
    ]);
    expect(keelRefusal(build({ containerPort: 8080 })).problems.map((problem) => problem.where)).toEqual([
      'Test/Hello healthCheckPath',
    ]);
  });
});
