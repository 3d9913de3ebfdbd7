import { Duration, Stack, Stage, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as path from 'node:path';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ACKNOWLEDGMENT_METADATA,
  ServicePipeline,
  type DeliveryEnvironment,
  type ProtectionLevel,
  type ServicePipelineProps,
} from '../../../constructs';
import { deliveryEnvironmentProblems } from '../../../constructs/delivery/delivery-environment';
import { testApp } from '../../helpers/app';
import { keelRefusal, refusal } from '../../helpers/refusal';

/** A folder with a Dockerfile: an image asset synthesizes without Docker. */
const CONTAINER_APP = path.join(__dirname, '..', '..', 'fixtures', 'container-app');

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' } as const;
const PROTECTION: Record<keyof typeof ACCOUNTS, ProtectionLevel> = {
  dev: 'basic',
  staging: 'standard',
  prod: 'maximum',
};

/** The construct id of each environment's gate role, which runs its entry checks and its bake. */
const GATE_ROLE_ID: Record<keyof typeof ACCOUNTS, string> = {
  dev: 'DevGateRole',
  staging: 'StagingGateRole',
  prod: 'ProdGateRole',
};

const readerArn = (env: keyof typeof ACCOUNTS) => `arn:aws:iam::${ACCOUNTS[env]}:role/keel-shop-${env}-alarm-reader`;

/** What an entry check runs for one target: one look through its reader, unless the execution is a rollback. */
const entryCommand = (env: keyof typeof ACCOUNTS, region = 'eu-west-1') =>
  '[ "$(aws codepipeline get-pipeline-execution --pipeline-name shop-pipeline --pipeline-execution-id ' +
  '"$PIPELINE_EXECUTION_ID" --query pipelineExecution.executionType --output text)" = ROLLBACK ] && ' +
  "echo 'rollback execution: no entry check' || " +
  `npm run --silent keel -- gate shop --env ${env} --region ${region} --bake 0s --role-arn ${readerArn(env)}`;

const SOURCE = { connectionArn: CONNECTION, repository: 'example-org/keel' };

/** The shop's environment `name`: one small stack in its own Stage, reached through its alarm reader. */
function shopEnvironment(
  app: App,
  name: keyof typeof ACCOUNTS,
  overrides: Partial<DeliveryEnvironment> = {},
): DeliveryEnvironment {
  const stage = new Stage(app, `Shop-${name}`, { env: { account: ACCOUNTS[name], region: 'eu-west-1' } });
  new sns.Topic(new Stack(stage, 'Service', { stackName: `Shop-${name}` }), 'Topic');
  return {
    name,
    protection: PROTECTION[name],
    targets: [{ stage, alarmReaderArn: readerArn(name) }],
    ...overrides,
  };
}

/** An environment beyond the usual three, in staging's account. */
function perfEnvironment(app: App): DeliveryEnvironment {
  const stage = new Stage(app, 'Shop-perf', { env: { account: ACCOUNTS.staging, region: 'eu-west-1' } });
  new sns.Topic(new Stack(stage, 'Service'), 'Topic');
  return { name: 'perf', protection: 'standard', targets: [{ stage, alarmReaderArn: readerArn('staging') }] };
}

/** The stack of the shop's pipeline, in the delivery account. */
function pipelineStack(app: App): Stack {
  return new Stack(app, 'Shop-pipeline', { env: { account: '444444444444', region: 'eu-west-1' } });
}

/** A shop with one small stack per environment, each in its own Stage, and its pipeline in the delivery account. */
function deliver(
  overrides: Partial<Record<keyof typeof ACCOUNTS, Partial<DeliveryEnvironment>>> = {},
  props: Partial<ServicePipelineProps> = {},
) {
  const app = testApp();
  const environments = (['dev', 'staging', 'prod'] as const).map((name) => shopEnvironment(app, name, overrides[name]));
  const stack = pipelineStack(app);
  const pipeline = new ServicePipeline(stack, 'Pipeline', {
    serviceName: 'shop',
    source: SOURCE,
    environments,
    ...props,
  });
  return { app, stack, pipeline, environments };
}

/** The same shop, synthesized. */
function delivered(
  overrides: Partial<Record<keyof typeof ACCOUNTS, Partial<DeliveryEnvironment>>> = {},
  props: Partial<ServicePipelineProps> = {},
) {
  const shop = deliver(overrides, props);
  return { ...shop, template: Template.fromStack(shop.stack) };
}

/** Everything the pipeline stack deploys and decides: its template, and the acknowledgments recorded in it. */
function synthesized(stack: Stack) {
  const template = Template.fromStack(stack).toJSON();
  const decisions = stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata.filter((m) => m.type === ACKNOWLEDGMENT_METADATA).map((m) => ({ path: c.node.path, ...m.data })),
    );
  return { template, decisions };
}

interface RenderedStage {
  readonly Name: string;
  readonly Actions: {
    Name: string;
    RunOrder: number;
    ActionTypeId: { Provider: string };
    Configuration?: Record<string, unknown>;
  }[];
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

/** The CodeBuild project an action of a stage runs: its `keel` commands and the logical id of its role. */
function projectOf(template: Template, stageName: string, actionName: string) {
  const action = stage(template, stageName).Actions.find((a) => a.Name === actionName);
  const { Ref: id } = action?.Configuration?.ProjectName as { Ref: string };
  const project = template.toJSON().Resources[id] as {
    Properties: { ServiceRole: { 'Fn::GetAtt': [string, string] }; Source: { BuildSpec: string } };
  };
  const spec = JSON.parse(project.Properties.Source.BuildSpec) as { phases: Record<string, { commands?: string[] }> };
  return {
    keel: Object.values(spec.phases)
      .flatMap((phase) => phase.commands ?? [])
      .filter((c) => c.includes('keel')),
    role: project.Properties.ServiceRole['Fn::GetAtt'][0],
  };
}

/** Every rule of every stage's before-entry condition. */
function entryRules(template: Template) {
  return stagesOf(template).flatMap((s) => s.BeforeEntry?.Conditions.flatMap((c) => c.Rules) ?? []);
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

  test('runs the install, the security gates, every test and check, the synth of its own service only, cfn-lint and the SBOM in its synth step', () => {
    expect(commandsOf(template, 'npx cdk synth')).toEqual([
      'npm ci',
      'npm run --silent keel -- security secrets',
      'npm run --silent keel -- security audit',
      'npm run --silent keel -- security licences',
      'npm test',
      'npx cdk synth -c keel:services=shop',
      'npm run --silent keel -- validate cdk.out',
      'npm run --silent keel -- security sbom --out cdk.out/sbom.cdx.json',
    ]);
  });

  test('runs the security gates before any stage deploys, and keeps the SBOM in the output CodePipeline stores', () => {
    // The synth step is the Build stage's only action: every deploying stage comes after it (see the stage order).
    expect(stage(template, 'Build').Actions.map((a) => a.Name)).toEqual(['Synth']);
    const synth = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p) =>
      JSON.stringify(p.Properties).includes('security sbom'),
    );
    const spec = JSON.parse((synth?.Properties as { Source: { BuildSpec: string } }).Source.BuildSpec) as {
      artifacts: { 'base-directory': string; files: string[] };
    };
    expect(spec.artifacts).toEqual({ 'base-directory': 'cdk.out', files: ['**/*'] });
    expect(stage(template, 'Build').Actions[0]).toMatchObject({ OutputArtifacts: [expect.anything()] });
  });

  test('keeps npm downloads and Keel’s caches on the build host between builds, outside what npm ci deletes', () => {
    // Projects with a buildspec of their own (CDK Pipelines' asset publishing joins one from parts).
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map(
        (p) =>
          p.Properties as {
            Cache: unknown;
            Environment: { EnvironmentVariables?: unknown[] };
            Source: { BuildSpec: unknown };
          },
      )
      .filter((p): p is typeof p & { Source: { BuildSpec: string } } => typeof p.Source.BuildSpec === 'string');
    const cachePaths = (marker: string) =>
      projects
        .filter((p) => p.Source.BuildSpec.includes(marker))
        .map((p) => (JSON.parse(p.Source.BuildSpec) as { cache?: { paths: string[] } }).cache?.paths);
    const synth = projects.find((p) => p.Source.BuildSpec.includes('npx cdk synth'));
    expect(synth?.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_CUSTOM_CACHE'] });
    expect(synth?.Environment.EnvironmentVariables).toContainEqual({
      Name: 'KEEL_CACHE_DIRECTORY',
      Type: 'PLAINTEXT',
      Value: '/root/.cache/keel',
    });
    // npm test in the build image skips the audit report's browser check: Ubuntu has no apt Chromium.
    expect(synth?.Environment.EnvironmentVariables).toContainEqual({
      Name: 'KEEL_BROWSER_CHECK',
      Type: 'PLAINTEXT',
      Value: 'off',
    });
    expect(cachePaths('npx cdk synth')).toEqual([['/root/.npm/**/*', '/root/.cache/keel/**/*']]);
    // Every entry check and gate: npm ci --omit=dev, then keel gate.
    const gates = cachePaths('keel -- gate');
    expect(gates.length).toBeGreaterThan(3);
    expect(new Set(gates.map((paths) => JSON.stringify(paths)))).toEqual(
      new Set([JSON.stringify(['/root/.npm/**/*'])]),
    );
  });

  test('builds on Node 22, which the AWS SDK requires from 2027, in every step with a buildspec of its own', () => {
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p) => (p.Properties as { Source: { BuildSpec: unknown } }).Source.BuildSpec)
      .filter((spec): spec is string => typeof spec === 'string')
      .map((spec) => JSON.parse(spec) as { phases: { install?: { 'runtime-versions'?: Record<string, string> } } });
    expect(specs.length).toBeGreaterThan(3);
    for (const spec of specs) expect(spec.phases.install?.['runtime-versions']?.nodejs).toBe('22');
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

  test("checks each environment's health once before deploying, with keel gate and a zero bake through its reader", () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const [first] = stage(template, `Shop-${env}`).Actions;
      expect(first).toMatchObject({ Name: `Healthy-${env}`, RunOrder: 1, ActionTypeId: { Provider: 'CodeBuild' } });
      expect(projectOf(template, `Shop-${env}`, `Healthy-${env}`)).toEqual({
        keel: [entryCommand(env)],
        role: expect.stringMatching(new RegExp(`^Pipeline${GATE_ROLE_ID[env]}`)),
      });
    }
  });

  test("checks staging's health too before deploying prod, through staging's own gate role and reader", () => {
    const prod = stage(template, 'Shop-prod').Actions;
    expect(prod.filter((a) => a.RunOrder === 1).map((a) => a.Name)).toEqual(['Healthy-prod', 'Healthy-staging']);
    expect(projectOf(template, 'Shop-prod', 'Healthy-staging')).toEqual({
      keel: [entryCommand('staging')],
      role: expect.stringMatching(/^PipelineStagingGateRole/),
    });
    expect(stage(template, 'Shop-staging').Actions.map((a) => a.Name)).not.toContain('Healthy-dev');
  });

  test('lets a rollback execution through: the entry check asks CodePipeline for the execution type first', () => {
    for (const [stageName, action] of [
      ['Shop-dev', 'Healthy-dev'],
      ['Shop-prod', 'Healthy-staging'],
    ]) {
      expect(stage(template, stageName).Actions.find((a) => a.Name === action)?.Configuration).toMatchObject({
        EnvironmentVariables: JSON.stringify([
          { name: 'PIPELINE_EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
        ]),
      });
    }
    // Every gate role may read this pipeline's executions, and nothing else of CodePipeline.
    const [policy] = Object.values(
      template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: {
          PolicyDocument: { Statement: [Match.objectLike({ Action: 'codepipeline:GetPipelineExecution' })] },
        },
      }),
    );
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'codepipeline:GetPipelineExecution',
        Effect: 'Allow',
        Resource: 'arn:aws:codepipeline:eu-west-1:444444444444:shop-pipeline',
      },
    ]);
    expect(policy.Properties.Roles.map((r: { Ref: string }) => r.Ref)).toEqual([
      expect.stringMatching(/^PipelineDevGateRole/),
      expect.stringMatching(/^PipelineStagingGateRole/),
      expect.stringMatching(/^PipelineProdGateRole/),
    ]);
  });

  test('has no before-entry condition without deployment windows, and no CloudWatchAlarm rule anywhere', () => {
    expect(stage(template, 'Shop-dev')).not.toHaveProperty('BeforeEntry');
    expect(stage(template, 'Shop-staging')).not.toHaveProperty('BeforeEntry');
    expect(entryRules(template)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('CloudWatchAlarm');
  });

  test('gives the pipeline role no way into the alarm readers: only the gate roles may assume them', () => {
    const [pipelineRole] = Object.keys(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'keel-shop-pipeline' } }),
    );
    const policiesOfPipelineRole = Object.values({
      ...template.findResources('AWS::IAM::ManagedPolicy'),
      ...template.findResources('AWS::IAM::Policy'),
    }).filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${pipelineRole}"`));
    // Only CDK Pipelines' default policy: artifacts, keys, and the action roles it assumes in this account.
    expect(policiesOfPipelineRole).toHaveLength(1);
    expect(policiesOfPipelineRole[0].Type).toBe('AWS::IAM::Policy');
    expect(JSON.stringify(policiesOfPipelineRole)).not.toContain('alarm-reader');
  });

  test('bakes staging for 3 minutes and prod for 10 under keel gate, and does not bake dev', () => {
    const gates = (env: string) => stage(template, `Shop-${env}`).Actions.filter((a) => a.Name.startsWith('Gate'));
    expect(gates('dev')).toEqual([]);
    expect(gates('staging')).toHaveLength(1);
    // After CDK Pipelines links the synth's cdk.out (with keel-manifest.json) into the source checkout:
    expect(commandsOf(template, '--bake 600s').slice(1)).toEqual([
      'npm ci --omit=dev --ignore-scripts',
      `npm run --silent keel -- gate shop --env prod --region eu-west-1 --bake 600s --role-arn ${readerArn('prod')}`,
    ]);
    expect(projectOf(template, 'Shop-staging', 'Gate-staging').keel).toEqual([
      expect.stringContaining('--env staging --region eu-west-1 --bake 180s'),
    ]);
  });

  test("gives each environment a gate role that may only assume its environment's alarm reader", () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `keel-shop-${env}-gate`,
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })],
        }),
      });
    }
    const gatePolicies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .map((p) => (p.Properties as { PolicyDocument: { Statement: { Action: string }[] } }).PolicyDocument.Statement)
      .filter((statements) => statements.some((st) => st.Action === 'sts:AssumeRole'));
    expect(gatePolicies).toEqual(
      (['dev', 'staging', 'prod'] as const).map((env) => [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: readerArn(env) },
      ]),
    );
    // No role of the gate may call CloudWatch itself: alarms are read only through the reader in the target account.
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudwatch:DescribeAlarms');
  });

  test('stops for a review in prod when the change broadens permissions, after the entry checks, before deploying', () => {
    expect(stage(template, 'Shop-prod').Actions.map((a) => [a.RunOrder, a.Name])).toEqual([
      [1, 'Healthy-prod'],
      [1, 'Healthy-staging'],
      [2, 'ReviewPermissions-Shop-prod.Check'],
      [3, 'ReviewPermissions-Shop-prod.Confirm'],
      [4, 'Shop-prod.Prepare'],
      [5, 'Shop-prod.Deploy'],
      [6, 'Gate-prod'],
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
    expect(stage(template, 'Shop-prod').BeforeEntry).toEqual({
      Conditions: [
        {
          Result: 'FAIL',
          Rules: [
            {
              Name: 'DeploymentWindow-1',
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
              Configuration: { Cron: '* * 9-16 ? * MON-THU *', TimeZone: 'Europe/Berlin' },
            },
          ],
        },
      ],
    });
    // The health check is not in the condition: it runs as the stage's first action, once the window has opened.
    expect(stage(template, 'Shop-prod').Actions[0].Name).toBe('Healthy-prod');
  });
});

describe('a wave', () => {
  test('deploys prod to two regions side by side, gates and watches each', () => {
    const app = testApp();
    const target = (region: string) => {
      const stage = new Stage(app, `Shop-prod-${region}`, { env: { account: ACCOUNTS.prod, region } });
      new sns.Topic(new Stack(stage, 'Service'), 'Topic');
      return { stage, alarmReaderArn: readerArn('prod') };
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
    expect(prod).not.toHaveProperty('BeforeEntry');
    expect(projectOf(template, 'Shop-prod', 'Healthy-prod').keel).toEqual([
      entryCommand('prod', 'eu-west-1'),
      entryCommand('prod', 'us-east-1'),
    ]);
    expect(commandsOf(template, '--bake 600s').filter((c) => c.includes('keel -- gate'))).toHaveLength(2);
  });
});

describe('construction order', () => {
  const PROD_WINDOW = { deploymentWindows: [{ cron: '* * 9-16 ? * MON-THU *', timeZone: 'Europe/Berlin' }] };

  test('gives an environment added after construction exactly the stages, steps, gates, conditions and decisions it would have had in props', () => {
    const inProps = deliver({ prod: PROD_WINDOW });

    // Staging and prod (their Stages included) come into being after the pipeline, and are added to it then.
    const app = testApp();
    const dev = shopEnvironment(app, 'dev');
    const stack = pipelineStack(app);
    const pipeline = new ServicePipeline(stack, 'Pipeline', {
      serviceName: 'shop',
      source: SOURCE,
      environments: [dev],
    });
    pipeline.addEnvironment(shopEnvironment(app, 'staging'));
    pipeline.addEnvironment(shopEnvironment(app, 'prod', PROD_WINDOW));

    const late = synthesized(stack);
    expect(late).toEqual(synthesized(inProps.stack));
    // CDK Pipelines' grants to the late prod's gate role are decided like those of any other.
    expect(late.decisions.map((d) => d.path)).toContain('Shop-pipeline/Pipeline/ProdGateRole/DefaultPolicy');
    expect(pipeline.stages).toEqual(inProps.pipeline.stages);
    expect(Object.keys(pipeline.gateRoles)).toEqual(['dev', 'staging', 'prod']);
    expect(stage(Template.fromStack(stack), 'Shop-prod').BeforeEntry?.Conditions[0].Rules).toHaveLength(1);
  });

  test('publishes assets on Arm CodeBuild, where linux/arm64 container images build without emulation', () => {
    const { stack, environments } = deliver();
    new s3assets.Asset(environments[0].targets[0].stage.node.findChild('Service'), 'Asset', { path: __filename });
    const template = Template.fromStack(stack);
    const { Ref: id } = stage(template, 'Assets').Actions[0].Configuration?.ProjectName as { Ref: string };
    expect(template.toJSON().Resources[id].Properties.Environment).toMatchObject({
      Type: 'ARM_CONTAINER',
      Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
      ComputeType: 'BUILD_GENERAL1_SMALL',
    });
  });

  test('decides privileged mode for the project that builds container images, and for no other', () => {
    const { stack, environments } = deliver();
    const service = environments[0].targets[0].stage.node.findChild('Service');
    new s3assets.Asset(service, 'Asset', { path: __filename });
    new ecrAssets.DockerImageAsset(service, 'Image', { directory: CONTAINER_APP });
    const privileged = synthesized(stack).decisions.filter((d) => d.id === 'ControlTower::CT.CODEBUILD.PR.4');
    expect(privileged.map((d) => d.path)).toEqual(['Shop-pipeline/Pipeline/Pipeline/Assets/DockerAsset']);
  });

  test('builds the same pipeline when every environment is added after construction', () => {
    const inProps = deliver();
    const app = testApp();
    const stack = pipelineStack(app);
    const pipeline = new ServicePipeline(stack, 'Pipeline', { serviceName: 'shop', source: SOURCE });
    for (const name of ['dev', 'staging', 'prod'] as const) pipeline.addEnvironment(shopEnvironment(app, name));
    expect(synthesized(stack)).toEqual(synthesized(inProps.stack));
  });

  test('deploys a stack and publishes an asset added to a target Stage after the pipeline, as if they were there before', () => {
    const extras = (dev: DeliveryEnvironment) => {
      const extra = new Stack(dev.targets[0].stage, 'Extra');
      new sns.Topic(extra, 'Topic');
      new s3assets.Asset(extra, 'Bundle', { path: __filename });
    };
    const before = (() => {
      const app = testApp();
      const environments = (['dev', 'staging', 'prod'] as const).map((name) => shopEnvironment(app, name));
      extras(environments[0]);
      const stack = pipelineStack(app);
      new ServicePipeline(stack, 'Pipeline', { serviceName: 'shop', source: SOURCE, environments });
      return stack;
    })();
    const after = deliver();
    extras(after.environments[0]);

    const template = Template.fromStack(after.stack);
    expect(stage(template, 'Shop-dev').Actions.map((a) => a.Name)).toEqual(
      expect.arrayContaining(['Extra.Prepare', 'Extra.Deploy']),
    );
    expect(stage(template, 'Assets').Actions.map((a) => a.Name)).toEqual(['FileAssets']);
    expect(synthesized(after.stack)).toEqual(synthesized(before));
  });

  test('builds once however often buildPipeline is called, and exactly what synth alone builds', () => {
    const bySynth = deliver();
    const byHand = deliver();
    byHand.pipeline.buildPipeline();
    byHand.pipeline.buildPipeline();
    // What CDK Pipelines creates is there to reach before synth.
    expect(byHand.pipeline.pipeline.pipeline.stages.map((s) => s.stageName)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Shop-dev',
      'Shop-staging',
      'Shop-prod',
    ]);
    expect(synthesized(byHand.stack)).toEqual(synthesized(bySynth.stack));
  });

  test('fails when an environment is added after the pipeline was built, naming the pipeline and how to fix it', () => {
    const { app, pipeline } = deliver();
    pipeline.buildPipeline();
    const message = refusal(() => pipeline.addEnvironment(perfEnvironment(app)));
    expect(message).toContain('Cannot add environment perf to pipeline Shop-pipeline/Pipeline');
    expect(message).toContain('is added after the pipeline was built (by buildPipeline(), or by synth)');
    expect(message).toContain('in props.environments, or with addEnvironment() before anything calls buildPipeline()');

    const synthesizedFirst = deliver();
    Template.fromStack(synthesizedFirst.stack);
    expect(refusal(() => synthesizedFirst.pipeline.addEnvironment(perfEnvironment(synthesizedFirst.app)))).toContain(
      'Cannot add environment perf to pipeline Shop-pipeline/Pipeline',
    );
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

  test('fails when the branch is not a branch name', () => {
    expect(refusal(() => delivered({}, { source: { ...SOURCE, branch: 'release candidate' } }))).toContain(
      'Shop-pipeline/Pipeline source.branch: "release candidate" is not a branch name',
    );
  });

  // What is wrong with one environment is tested in delivery-environment.test.ts; here, that the pipeline asks.
  test('fails when an environment is wrong, in props or added later, with every problem of each environment', () => {
    const app = testApp();
    const environments = [
      shopEnvironment(app, 'dev'),
      shopEnvironment(app, 'staging', { targets: [] }),
      shopEnvironment(app, 'prod', { bake: Duration.minutes(0) }),
    ];
    const inProps = keelRefusal(
      () => new ServicePipeline(pipelineStack(app), 'Pipeline', { serviceName: 'shop', source: SOURCE, environments }),
    );
    expect(inProps.message).toContain('Invalid pipeline Shop-pipeline/Pipeline:');
    expect(inProps.problems).toEqual(
      environments.flatMap((environment) => deliveryEnvironmentProblems('Shop-pipeline/Pipeline', environment)),
    );

    const { app: later, pipeline } = deliver();
    const perf = { ...perfEnvironment(later), bake: Duration.hours(25) };
    const added = keelRefusal(() => pipeline.addEnvironment(perf));
    expect(added.message).toContain('Invalid pipeline Shop-pipeline/Pipeline:');
    expect(added.problems).toEqual(deliveryEnvironmentProblems('Shop-pipeline/Pipeline', perf));
  });

  test('fails when an environment is in the pipeline twice', () => {
    const { app, pipeline } = deliver();
    const message = refusal(() => pipeline.addEnvironment({ ...perfEnvironment(app), name: 'dev' }));
    expect(message).toContain('Shop-pipeline/Pipeline environments.dev: is in the pipeline twice');
    expect(message).toContain('give each environment its own name, and add it once');
    const app2 = testApp();
    const dev = shopEnvironment(app2, 'dev');
    expect(
      refusal(
        () =>
          new ServicePipeline(pipelineStack(app2), 'Pipeline', {
            serviceName: 'shop',
            source: SOURCE,
            environments: [dev, dev],
          }),
      ),
    ).toContain('environments.dev: is in the pipeline twice');
  });

  test('fails at synth when the pipeline has no environment, saying where to add them', () => {
    const stack = pipelineStack(testApp());
    new ServicePipeline(stack, 'Pipeline', { serviceName: 'shop', source: SOURCE });
    const message = refusal(() => Template.fromStack(stack));
    expect(message).toContain('Shop-pipeline/Pipeline environments: is empty');
    expect(message).toContain('in props.environments, or add them with addEnvironment()');
  });
});
