import { Duration, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ServicePipeline,
  type DeliveryEnvironment,
  type ProtectionLevel,
  type ServicePipelineProps,
} from '../../../constructs';
import { testApp } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' } as const;
const PROTECTION: Record<keyof typeof ACCOUNTS, ProtectionLevel> = {
  dev: 'basic',
  staging: 'standard',
  prod: 'maximum',
};

const readerArn = (env: keyof typeof ACCOUNTS) => `arn:aws:iam::${ACCOUNTS[env]}:role/keel-shop-${env}-alarm-reader`;

/** A shop with one small stack per environment, each in its own Stage, and its pipeline in the delivery account. */
function delivered(
  overrides: Partial<Record<keyof typeof ACCOUNTS, Partial<DeliveryEnvironment>>> = {},
  props: Partial<ServicePipelineProps> = {},
) {
  const app = testApp();
  const environments = (['dev', 'staging', 'prod'] as const).map((name): DeliveryEnvironment => {
    const stage = new Stage(app, `Shop-${name}`, { env: { account: ACCOUNTS[name], region: 'eu-west-1' } });
    new sns.Topic(new Stack(stage, 'Service', { stackName: `Shop-${name}` }), 'Topic');
    return {
      name,
      protection: PROTECTION[name],
      targets: [{ stage, healthAlarmName: `shop-${name}-health-critical`, alarmReaderArn: readerArn(name) }],
      ...overrides[name],
    };
  });
  const stack = new Stack(app, 'Shop-pipeline', { env: { account: '444444444444', region: 'eu-west-1' } });
  const pipeline = new ServicePipeline(stack, 'Pipeline', {
    serviceName: 'shop',
    source: { connectionArn: CONNECTION, repository: 'example-org/keel' },
    environments,
    ...props,
  });
  return { app, stack, pipeline, template: Template.fromStack(stack) };
}

interface RenderedStage {
  readonly Name: string;
  readonly Actions: { Name: string; ActionTypeId: { Provider: string }; Configuration?: Record<string, unknown> }[];
  readonly BeforeEntry?: { Conditions: { Result: string; Rules: Record<string, unknown>[] }[] };
  readonly OnFailure?: { Result: string };
}

function stagesOf(template: Template): RenderedStage[] {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return (pipeline.Properties as { Stages: RenderedStage[] }).Stages;
}

function stage(template: Template, name: string): RenderedStage {
  const found = stagesOf(template).find((s) => s.Name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

/** The commands of the CodeBuild project whose buildspec mentions `marker`. */
function commandsOf(template: Template, marker: string): string[] {
  const project = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p) =>
    JSON.stringify(p.Properties).includes(marker),
  );
  const spec = JSON.parse((project?.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
    phases: Record<string, { commands?: string[] }>;
  };
  return Object.values(spec.phases).flatMap((phase) => phase.commands ?? []);
}

describe('the pipeline of a service', () => {
  const { template, pipeline } = delivered();
  const stages = stagesOf(template);

  test('is a CodePipeline V2 named after the service, with rotating cross-account keys and encrypted artifacts', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Name: 'shop-pipeline',
      ArtifactStore: Match.objectLike({ EncryptionKey: Match.objectLike({ Type: 'KMS' }) }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('takes its source from the CodeConnections connection and repository in config', () => {
    expect(stages[0].Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'CodeStarSourceConnection' },
      Configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'example-org/keel', BranchName: 'main' },
    });
  });

  test('runs the install, every test and check, the synth and cfn-lint over its templates in its synth step', () => {
    expect(commandsOf(template, 'npx cdk synth')).toEqual([
      'npm ci',
      'npm test',
      'npx cdk synth',
      'npm run --silent keel -- validate cdk.out',
    ]);
  });

  test('updates itself before it deploys anything', () => {
    expect(stage(template, 'UpdatePipeline').Actions.map((a) => a.Name)).toEqual(['SelfMutate']);
    expect(commandsOf(template, 'cdk -a . deploy')).toContainEqual(
      expect.stringContaining('deploy Shop-pipeline --require-approval=never'),
    );
  });

  test('promotes dev, then staging, then prod, after source, build and self-update', () => {
    expect(stages.map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Shop-dev',
      'Shop-staging',
      'Shop-prod',
    ]);
  });

  test('rolls each deploy stage back when it fails, and only those', () => {
    expect(stages.filter((s) => s.OnFailure?.Result === 'ROLLBACK').map((s) => s.Name)).toEqual([
      'Shop-dev',
      'Shop-staging',
      'Shop-prod',
    ]);
  });

  test("refuses to enter a stage while its health composite is in ALARM, read through the environment's reader", () => {
    expect(stage(template, 'Shop-staging').BeforeEntry).toEqual({
      Conditions: [
        {
          Result: 'FAIL',
          Rules: [
            {
              Name: 'Healthy-shop-staging-health-critical',
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
              Configuration: { AlarmName: 'shop-staging-health-critical', AlarmStates: 'ALARM' },
              Region: 'eu-west-1',
              RoleArn: readerArn('staging'),
            },
          ],
        },
      ],
    });
  });

  test("refuses to enter prod while prod's or staging's health composite is in ALARM", () => {
    const rules = stage(template, 'Shop-prod').BeforeEntry?.Conditions[0].Rules ?? [];
    expect(rules.map((r) => (r.Configuration as { AlarmName: string }).AlarmName)).toEqual([
      'shop-prod-health-critical',
      'shop-staging-health-critical',
    ]);
  });

  test('lets the pipeline role assume only the alarm readers its conditions name', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'keel-shop-pipeline' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: [readerArn('dev'), readerArn('staging'), readerArn('prod')],
          },
        ],
      },
    });
  });

  test('bakes staging for 3 minutes and prod for 10 under keel gate, and has no gate in dev', () => {
    const gates = (env: string) => stage(template, `Shop-${env}`).Actions.filter((a) => a.Name.startsWith('Gate'));
    expect(gates('dev')).toEqual([]);
    expect(gates('staging')).toHaveLength(1);
    // After CDK Pipelines links the synth's cdk.out (with keel-manifest.json) into the source checkout:
    expect(commandsOf(template, '--env prod').slice(1)).toEqual([
      'npm ci --omit=dev --ignore-scripts',
      `npm run --silent keel -- gate shop --env prod --region eu-west-1 --bake 600s --role-arn ${readerArn('prod')}`,
    ]);
    expect(commandsOf(template, '--env staging')).toContainEqual(expect.stringContaining('--bake 180s'));
  });

  test("gives each gate a role that may only assume its environment's alarm reader", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'keel-shop-prod-gate',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })],
      }),
    });
    const gatePolicies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map(
      (p) => (p.Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument.Statement,
    );
    expect(gatePolicies).toContainEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: readerArn('prod') }]);
    // No role of the gate may call CloudWatch itself: alarms are read only through the reader in the target account.
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudwatch:DescribeAlarms');
  });

  test('stops for a review in prod when the change broadens permissions, before deploying', () => {
    expect(stage(template, 'Shop-prod').Actions.map((a) => a.Name)).toEqual([
      'ReviewPermissions-Shop-prod.Check',
      'ReviewPermissions-Shop-prod.Confirm',
      'Shop-prod.Prepare',
      'Shop-prod.Deploy',
      'Gate-prod',
    ]);
    expect(stage(template, 'Shop-staging').Actions.map((a) => a.Name)).not.toContain(
      'ReviewPermissions-Shop-staging.Check',
    );
  });

  test('names the stage of each environment for keel rollback', () => {
    expect(pipeline.stages.prod).toEqual({
      pipelineName: 'shop-pipeline',
      stageName: 'Shop-prod',
      account: '444444444444',
      region: 'eu-west-1',
    });
  });
});

describe('deployment windows', () => {
  test('refuse entry to prod outside the configured window', () => {
    const { template } = delivered({
      prod: { deploymentWindows: [{ cron: '* * 9-16 ? * MON-THU *', timeZone: 'Europe/Berlin' }] },
    });
    expect(stage(template, 'Shop-prod').BeforeEntry?.Conditions[0].Rules).toContainEqual({
      Name: 'DeploymentWindow-1',
      RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
      Configuration: { Cron: '* * 9-16 ? * MON-THU *', TimeZone: 'Europe/Berlin' },
    });
  });
});

describe('a wave', () => {
  test('deploys prod to two regions side by side, gates and watches each', () => {
    const app = testApp();
    const target = (region: string) => {
      const stage = new Stage(app, `Shop-prod-${region}`, { env: { account: ACCOUNTS.prod, region } });
      new sns.Topic(new Stack(stage, 'Service'), 'Topic');
      return { stage, healthAlarmName: 'shop-prod-health-critical', alarmReaderArn: readerArn('prod') };
    };
    const stack = new Stack(app, 'Shop-pipeline', { env: { account: '444444444444', region: 'eu-west-1' } });
    new ServicePipeline(stack, 'Pipeline', {
      serviceName: 'shop',
      source: { connectionArn: CONNECTION, repository: 'example-org/keel' },
      environments: [{ name: 'prod', protection: 'maximum', targets: [target('eu-west-1'), target('us-east-1')] }],
    });
    const template = Template.fromStack(stack);
    const prod = stage(template, 'Shop-prod');
    expect(prod.Actions.map((a) => a.Name)).toEqual(
      expect.arrayContaining(['Shop-prod-eu-west-1.Service.Deploy', 'Shop-prod-us-east-1.Service.Deploy', 'Gate-prod']),
    );
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(prod.BeforeEntry?.Conditions[0].Rules.map((r) => r.Region)).toEqual(['eu-west-1', 'us-east-1']);
    expect(commandsOf(template, '--env prod').filter((c) => c.includes('keel -- gate'))).toHaveLength(2);
  });
});

describe('bad input', () => {
  test('fails when the connection ARN is malformed, naming the field and the value', () => {
    const message = refusal(() =>
      delivered({}, { source: { connectionArn: 'arn:aws:codestar:eu-west-1:1:connection/x', repository: 'a/b' } }),
    );
    expect(message).toContain('Shop-pipeline/Pipeline source.connectionArn');
    expect(message).toContain('"arn:aws:codestar:eu-west-1:1:connection/x" is not a CodeConnections connection ARN');
  });

  test('fails when the repository is not owner/name', () => {
    expect(refusal(() => delivered({}, { source: { connectionArn: CONNECTION, repository: 'keel' } }))).toContain(
      '"keel" is not owner/name',
    );
  });

  test('fails when a bake is zero or longer than a day', () => {
    expect(refusal(() => delivered({ prod: { bake: Duration.minutes(0) } }))).toContain(
      'environments.prod.bake: 0 minutes is not whole seconds longer than 0 and at most 1 day',
    );
    expect(refusal(() => delivered({ staging: { bake: Duration.hours(25) } }))).toContain(
      'environments.staging.bake: 1 day 1 hour is not whole seconds longer than 0',
    );
  });

  test('fails when a deployment window cron does not parse, saying which field is wrong', () => {
    const message = refusal(() => delivered({ prod: { deploymentWindows: [{ cron: '* * 25 ? * MON' }] } }));
    expect(message).toContain('environments.prod.deploymentWindows[0] cron');
    expect(message).toContain("hours '25' has 25, outside 0-23");
  });

  test('fails when a target Stage has no concrete region, saying to give it an env', () => {
    const app = testApp();
    const stage = new Stage(app, 'Shop-dev');
    new sns.Topic(new Stack(stage, 'Service'), 'Topic');
    const stack = new Stack(app, 'Shop-pipeline', { env: { account: '444444444444', region: 'eu-west-1' } });
    const message = refusal(
      () =>
        new ServicePipeline(stack, 'Pipeline', {
          serviceName: 'shop',
          source: { connectionArn: CONNECTION, repository: 'example-org/keel' },
          environments: [
            {
              name: 'dev',
              protection: 'basic',
              targets: [{ stage, healthAlarmName: 'shop-dev-health-critical', alarmReaderArn: readerArn('dev') }],
            },
          ],
        }),
    );
    expect(message).toContain('environments.dev stage Shop-dev: has no concrete region');
    expect(message).toContain('create the Stage with env: { account, region }');
  });

  test('fails when a deployment window names an unknown time zone', () => {
    expect(
      refusal(() =>
        delivered({ prod: { deploymentWindows: [{ cron: '* * 9-16 ? * MON-FRI', timeZone: 'Mars/Olympus' }] } }),
      ),
    ).toContain('"Mars/Olympus" is not an IANA time zone');
  });
});
