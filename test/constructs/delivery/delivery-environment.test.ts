import { Aws, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describeProblem, type ProtectionLevel } from '../../../constructs';
import {
  DEFAULT_BAKE,
  MAX_BAKE,
  bakeOf,
  deliveryEnvironmentProblems,
  type DeliveryEnvironment,
} from '../../../constructs/delivery/delivery-environment';
import { testApp } from '../../helpers/app';

const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' } as const;
const PROTECTION: Record<keyof typeof ACCOUNTS, ProtectionLevel> = {
  dev: 'basic',
  staging: 'standard',
  prod: 'maximum',
};

const readerArn = (env: keyof typeof ACCOUNTS) => `arn:aws:iam::${ACCOUNTS[env]}:role/keel-shop-${env}-alarm-reader`;

/** The shop's environment `name`: one small stack in its own Stage in eu-west-1. */
function shopEnvironment(
  name: keyof typeof ACCOUNTS,
  overrides: Partial<DeliveryEnvironment> = {},
): DeliveryEnvironment {
  const stage = new Stage(testApp(), `Shop-${name}`, { env: { account: ACCOUNTS[name], region: 'eu-west-1' } });
  new sns.Topic(new Stack(stage, 'Service'), 'Topic');
  return { name, protection: PROTECTION[name], targets: [{ stage, alarmReaderArn: readerArn(name) }], ...overrides };
}

/** The problems of `environment` in the pipeline `Shop-pipeline/Pipeline`, as a KeelValidationError lists them. */
const messageOf = (environment: DeliveryEnvironment) =>
  deliveryEnvironmentProblems('Shop-pipeline/Pipeline', environment).map(describeProblem).join('\n');

describe('the bake', () => {
  test('is 10 minutes at maximum protection, 3 at standard, and none at basic, by default', () => {
    expect(DEFAULT_BAKE.maximum?.toMinutes()).toBe(10);
    expect(DEFAULT_BAKE.standard?.toMinutes()).toBe(3);
    expect(DEFAULT_BAKE.basic).toBeUndefined();
    expect(bakeOf(shopEnvironment('prod'))?.toMinutes()).toBe(10);
    expect(bakeOf(shopEnvironment('staging'))?.toMinutes()).toBe(3);
    expect(bakeOf(shopEnvironment('dev'))).toBeUndefined();
  });

  test('is the one the environment gives, at any protection level', () => {
    expect(bakeOf(shopEnvironment('prod', { bake: Duration.minutes(30) }))?.toMinutes()).toBe(30);
    expect(bakeOf(shopEnvironment('dev', { bake: Duration.minutes(1) }))?.toMinutes()).toBe(1);
  });

  test('may be anything from one second to one day, in whole seconds', () => {
    expect(MAX_BAKE.toHours()).toBe(24);
    for (const bake of [Duration.seconds(1), Duration.minutes(10), Duration.millis(90_000), Duration.days(1)]) {
      expect(deliveryEnvironmentProblems('Shop-pipeline/Pipeline', shopEnvironment('prod', { bake }))).toEqual([]);
    }
  });

  test('fails when a bake is zero or longer than a day', () => {
    expect(messageOf(shopEnvironment('prod', { bake: Duration.minutes(0) }))).toContain(
      'environments.prod.bake: 0 minutes is not whole seconds longer than 0 and at most 1 day',
    );
    expect(messageOf(shopEnvironment('staging', { bake: Duration.hours(25) }))).toContain(
      'environments.staging.bake: 1 day 1 hour is not whole seconds longer than 0',
    );
  });

  test('fails when a bake is not whole seconds, saying to bake for minutes', () => {
    expect(
      deliveryEnvironmentProblems('Shop-pipeline/Pipeline', shopEnvironment('prod', { bake: Duration.millis(1500) })),
    ).toEqual([
      {
        where: 'Shop-pipeline/Pipeline environments.prod.bake',
        what: '1 second 500 millis is not whole seconds longer than 0 and at most 1 day',
        fix: 'bake for minutes, e.g. Duration.minutes(10); leave it out for the default',
      },
    ]);
  });
});

describe('the environment', () => {
  test('has nothing wrong with it when every target Stage has a region and it bakes and opens as allowed', () => {
    const prod = shopEnvironment('prod', {
      deploymentWindows: [{ cron: '* * 9-16 ? * MON-THU *', timeZone: 'Europe/Berlin' }],
    });
    expect(deliveryEnvironmentProblems('Shop-pipeline/Pipeline', prod)).toEqual([]);
  });

  test('fails when an environment has no target', () => {
    expect(messageOf(shopEnvironment('staging', { targets: [] }))).toContain(
      'Shop-pipeline/Pipeline environments.staging.targets: is empty',
    );
  });

  test('fails when a target Stage has no concrete region, saying to give it an env', () => {
    const stage = new Stage(testApp(), 'Shop-dev');
    new sns.Topic(new Stack(stage, 'Service'), 'Topic');
    const message = messageOf({
      name: 'dev',
      protection: 'basic',
      targets: [{ stage, alarmReaderArn: readerArn('dev') }],
    });
    expect(message).toContain('environments.dev stage Shop-dev: has no concrete region');
    expect(message).toContain('create the Stage with env: { account, region }');
  });

  test('fails when a target Stage has only the region of the deploying account, a token', () => {
    const stage = new Stage(testApp(), 'Shop-dev', { env: { account: ACCOUNTS.dev, region: Aws.REGION } });
    expect(messageOf(shopEnvironment('dev', { targets: [{ stage, alarmReaderArn: readerArn('dev') }] }))).toContain(
      'environments.dev stage Shop-dev: has no concrete region',
    );
  });

  test('fails when a deployment window cron does not parse, saying which field is wrong', () => {
    const message = messageOf(shopEnvironment('prod', { deploymentWindows: [{ cron: '* * 25 ? * MON' }] }));
    expect(message).toContain('environments.prod.deploymentWindows[0] cron');
    expect(message).toContain("hours '25' has 25, outside 0-23");
  });

  test('fails when a deployment window names an unknown time zone', () => {
    expect(
      messageOf(
        shopEnvironment('prod', { deploymentWindows: [{ cron: '* * 9-16 ? * MON-FRI', timeZone: 'Mars/Olympus' }] }),
      ),
    ).toContain('"Mars/Olympus" is not an IANA time zone');
  });

  test('fails with every problem at once, naming the window of each', () => {
    const problems = deliveryEnvironmentProblems(
      'Shop-pipeline/Pipeline',
      shopEnvironment('prod', {
        targets: [],
        bake: Duration.days(2),
        deploymentWindows: [{ cron: '* * 9-16 ? * MON-FRI' }, { cron: '* * 9-16 ? *' }],
      }),
    );
    expect(problems.map((p) => p.where)).toEqual([
      'Shop-pipeline/Pipeline environments.prod.targets',
      'Shop-pipeline/Pipeline environments.prod.bake',
      'Shop-pipeline/Pipeline environments.prod.deploymentWindows[1] cron',
    ]);
  });
});
