import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { Compliance, OwnershipTags } from '../../../constructs';
import type { ComplianceResult } from '../../../constructs/governance/compliance';
import { NoCredentialLiterals } from '../../../constructs/governance/rules/secrets/no-credential-literals';
import { handlerEntryOf } from '../../../constructs/service/bundling';
import type { ProductionContainerService } from '../../../constructs/service/production-container-service';
import { PROTECTION_LEVELS, type ProtectionLevel } from '../../../constructs/service/protection';
import { SecretRotation } from '../../../constructs/service/service-secret';
import { testApp } from '../../helpers/app';
import {
  CONTAINER_APP_ENTRY,
  ENVIRONMENT_OF,
  helloContainerService,
  testServiceStack,
} from '../../helpers/container-service';

const services = {} as Record<ProtectionLevel, ProductionContainerService>;
const templates = {} as Record<ProtectionLevel, Template>;
let result: ComplianceResult;
let printed: string[];
let outdir: string;

/**
 * The three protection levels in one app, through every validator `cdk synth` runs (NIST 800-53 R5 at maximum).
 * cfn-lint checks the same construct at the same three levels in the reference app (hello-container, in
 * test/lib/synth.test.ts).
 */
beforeAll(() => {
  const app = testApp({}, { cloudFormationValidation: true });
  printed = [];
  const compliance = new Compliance(app, { print: (line) => printed.push(line) });
  for (const protection of PROTECTION_LEVELS) {
    const environment = ENVIRONMENT_OF[protection];
    const stack = testServiceStack(app, `Hello-${environment}`);
    new OwnershipTags(stack, 'OwnershipTags', {
      owner: 'platform',
      service: 'hello',
      environment,
      costCenter: 'CC-1',
      dataClassification: 'internal',
    });
    const service = helloContainerService(protection, {}, stack);
    service.addSecret('ApiKey', SecretRotation.randomValue(), 'Signs session cookies', 'SESSION_KEY_VALUE');
    services[protection] = service;
    compliance.addStack(stack, protection === 'maximum' ? ['NIST.800.53.R5'] : []);
  }
  result = compliance.synth();
  outdir = app.outdir;
  for (const protection of PROTECTION_LEVELS) {
    const file = path.join(app.outdir, `Hello-${ENVIRONMENT_OF[protection]}.template.json`);
    templates[protection] = Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
  }
}, 240_000);

describe('ProductionContainerService, at every protection level', () => {
  test('passes AwsSolutions, Serverless, KeelChecks, NIST 800-53 R5 (prod) and Control Tower with no open finding', () => {
    expect(result.report.findings.open).toBe(0);
    expect(result.passed).toBe(true);
  });

  test.each(PROTECTION_LEVELS)(
    'runs one arm64 Linux task of a read-only, non-root, unprivileged app at %s',
    (level) => {
      templates[level].hasResourceProperties('AWS::ECS::TaskDefinition', {
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Volumes: [{ Name: 'tmp' }],
        ContainerDefinitions: [
          Match.objectLike({
            Name: 'app',
            ReadonlyRootFilesystem: true,
            User: '1000',
            Privileged: false,
            Memory: services[level].size.memoryMiB,
            PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
            MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
          }),
        ],
      });
    },
  );

  test('sizes tasks and their count by protection level', () => {
    const sizes = PROTECTION_LEVELS.map((level) => [services[level].size, services[level].taskCount]);
    expect(sizes).toEqual([
      [
        { cpu: 256, memoryMiB: 512 },
        { min: 1, max: 2 },
      ],
      [
        { cpu: 512, memoryMiB: 1024 },
        { min: 2, max: 4 },
      ],
      [
        { cpu: 1024, memoryMiB: 2048 },
        { min: 2, max: 10 },
      ],
    ]);
    templates.maximum.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048' });
    templates.maximum.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    templates.maximum.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
  });

  test('scales on requests per running task, counted at the load balancer whichever of blue and green serves', () => {
    const policies = Object.values(templates.maximum.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'));
    const requests = policies
      .map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration)
      .find((c) => c.CustomizedMetricSpecification);
    expect(requests.TargetValue).toBe(1000);
    // Metric math alone: CloudFormation refuses a specification that also names a single metric.
    expect(Object.keys(requests.CustomizedMetricSpecification)).toEqual(['Metrics']);
    const [lb, tasks, perTask] = requests.CustomizedMetricSpecification.Metrics;
    expect(lb).toMatchObject({
      Id: 'requests',
      MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' }, Stat: 'Sum' },
      ReturnData: false,
    });
    expect(lb.MetricStat.Metric.Dimensions.map((d: { Name: string }) => d.Name)).toEqual(['LoadBalancer']);
    expect(tasks).toMatchObject({
      Id: 'tasks',
      MetricStat: { Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }, Stat: 'Average' },
    });
    expect(perTask).toEqual({
      Id: 'perTask',
      Expression: 'requests / tasks',
      Label: 'Requests per running task',
      ReturnData: true,
    });
  });

  test("gives the app Powertools' service name and metric namespace, and secrets only as ECS secrets", () => {
    const [container] = templates.basic.findResources('AWS::ECS::TaskDefinition')[
      Object.keys(templates.basic.findResources('AWS::ECS::TaskDefinition'))[0]
    ].Properties.ContainerDefinitions as { Environment: unknown[]; Secrets: { Name: string }[] }[];
    expect(container.Environment).toEqual(
      expect.arrayContaining([
        { Name: 'POWERTOOLS_SERVICE_NAME', Value: 'hello' },
        { Name: 'POWERTOOLS_METRICS_NAMESPACE', Value: 'Keel/Hello' },
        { Name: 'PORT', Value: '8080' },
      ]),
    );
    expect(container.Secrets).toEqual([{ Name: 'SESSION_KEY_VALUE', ValueFrom: { Ref: expect.any(String) } }]);
    expect(JSON.stringify(container.Environment)).not.toContain('SESSION_KEY_VALUE');
  });

  test('logs through awslogs to a log group encrypted with the service key, kept for the protection level', () => {
    for (const [level, days] of [
      ['basic', 30],
      ['maximum', 365],
    ] as const) {
      templates[level].hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloKey'), 'Arn'] },
        RetentionInDays: days,
      });
      templates[level].hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: Match.objectLike({ 'awslogs-group': { Ref: Match.stringLikeRegexp('^HelloAppLogs') } }),
            },
          }),
        ],
      });
    }
  });

  test.each([
    ['maximum', 'CANARY', { CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 } }, 10],
    ['standard', 'LINEAR', { LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 1 } }, 5],
    ['basic', 'BLUE_GREEN', {}, 0],
  ] as const)('deploys %s protection with %s, rolling back on failure and baking', (level, strategy, shift, bake) => {
    templates[level].hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      DeploymentConfiguration: {
        Strategy: strategy,
        ...shift,
        BakeTimeInMinutes: bake,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
    });
  });

  test.each(PROTECTION_LEVELS)(
    'shifts traffic from blue to green through the production rule at %s, in private subnets',
    (level) => {
      templates[level].hasResourceProperties('AWS::ECS::Service', {
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        LoadBalancers: [
          {
            ContainerName: 'app',
            ContainerPort: 8080,
            TargetGroupArn: { Ref: Match.stringLikeRegexp('^HelloLoadBalancerBlue') },
            AdvancedConfiguration: {
              AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('^HelloLoadBalancerGreen') },
              ProductionListenerRule: { Ref: Match.stringLikeRegexp('^HelloLoadBalancerProductionRule') },
              RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloTrafficShiftRole'), 'Arn'] },
            },
          },
        ],
      });
    },
  );

  test('lets only the load balancer reach the tasks, on the container port', () => {
    templates.basic.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloServiceSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^HelloLoadBalancerAlbSecurityGroup'), 'GroupId'],
      },
    });
    const ingress = templates.basic.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HelloServiceSecurityGroup'), 'GroupId'] } },
    });
    expect(Object.keys(ingress)).toHaveLength(1);
  });

  test('turns Container Insights on (enabled, which Control Tower accepts, not enhanced)', () => {
    templates.maximum.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('keeps grants in customer-managed policies, never inline ones', () => {
    templates.maximum.resourceCountIs('AWS::IAM::Policy', 0);
    templates.maximum.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
          Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] }),
        ]),
      },
    });
  });

  test("knows the app's entry file, so the emitted-metric check reads its sources", () => {
    expect(handlerEntryOf(services.basic)).toBe(CONTAINER_APP_ENTRY);
    expect(services.maximum.functions).toHaveLength(1);
    expect(services.maximum.routedFunctions.size).toBe(0);
    expect(services.maximum.container.targetGroups).toEqual([
      services.maximum.loadBalancer.blue,
      services.maximum.loadBalancer.green,
    ]);
  });

  test('builds the image from a staged folder with the bundled app.js, for arm64, without Docker at synth', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'Hello-dev.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; platform: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images.map((image) => image.source.platform)).toEqual(['linux/arm64']);
    const staged = fs.readdirSync(path.join(outdir, images[0].source.directory)).sort();
    expect(staged).toEqual(['.dockerignore', 'Dockerfile', 'app', 'app.js', 'app.js.map']);
  });

  test('stages one image for every environment: the asset hash depends on the contents only', () => {
    const hashes = PROTECTION_LEVELS.map((level) => {
      const file = path.join(outdir, `Hello-${ENVIRONMENT_OF[level]}.assets.json`);
      return Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { dockerImages: object }).dockerImages);
    });
    expect(new Set(hashes.flat()).size).toBe(1);
  });

  test('KeelChecks finds a secret planted in the container environment past the construct', () => {
    const service = helloContainerService('basic');
    const taskDefinition = service.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    service.appContainer.addEnvironment('DB_PASSWORD', 'Zx8!pQ2#rT6@vB1$nM4%');
    expect(NoCredentialLiterals(taskDefinition)).toEqual(['Variable::DB_PASSWORD']);
  });
});
