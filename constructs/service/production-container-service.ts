import * as path from 'node:path';
import { type CfnResource, Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { KeelValidationError } from '../errors';
import { keelNames } from '../naming';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide, decideLogRetention } from '../private/decisions';
import { ServiceKey } from '../secrets/service-key';
import { registerHandlerEntry } from './bundling';
import { containerInputProblems } from './container-input';
import { stagedBuildContext } from './container-image';
import { DEFAULT_STRATEGIES, type DeploymentStrategy } from './deployment-strategy';
import type { ContainerSize, TaskCount } from './fargate-limits';
import type { IMonitoredService, MonitoredContainer } from './monitored-service';
import { protectionDefaults, type ProtectionLevel } from './protection';
import type { ServiceFunction } from './service-function';
import { ServiceLoadBalancer } from './service-load-balancer';
import { APP_SUBNETS, ServiceNetwork } from './service-network';
import { ServiceSecret, type SecretRotation } from './service-secret';
import { requireServiceStack } from './service-stack';

export type { ContainerSize, TaskCount } from './fargate-limits';

export interface ProductionContainerServiceProps {
  /** Kebab-case service name. */
  readonly serviceName: string;
  /** Environment name: part of every name and of the key alias. */
  readonly environment: string;
  /** Every difference between environments comes from this. */
  readonly protection: ProtectionLevel;
  /**
   * The key that encrypts everything the service stores.
   * @default - a new ServiceKey, alias `alias/<serviceName>-<environment>`
   */
  readonly key?: kms.IKey;
  /**
   * How long the app's, the flow logs' and the WAF's log groups keep their events.
   * @default - the protection level's (1 month, 3 months, 1 year)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The team that owns Keel's construct-level acknowledgments.
   * @default 'platform'
   */
  readonly decisionOwner?: string;
  /** The app's main TypeScript file. esbuild bundles it with what it imports into `app.js` at synth (no Docker). */
  readonly entry: string;
  /**
   * The Dockerfile. Its build context is its own folder plus the bundled `app.js`, so it `COPY`s `app.js`.
   * @default - `Dockerfile` in the folder above `entry`'s folder (lib/services/<name>/Dockerfile for app/server.ts)
   */
  readonly dockerfile?: string;
  /**
   * The port the app listens on (it reads it from `PORT`).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * The path the load balancer checks; any 200-399 answer is healthy.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * CPU units and memory of a task, a pair Fargate runs.
   * @default - by protection level: 256/512 basic, 512/1024 standard, 1024/2048 maximum
   */
  readonly size?: ContainerSize;
  /**
   * The fewest and most tasks auto scaling runs.
   * @default - by protection level: 1-2 basic, 2-4 standard, 2-10 maximum
   */
  readonly taskCount?: TaskCount;
  /**
   * Plain, non-secret settings; a name or value that looks like a secret is refused at synth.
   * @default - none (Keel's Powertools settings and `PORT` only)
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * The HTTPS certificate of the load balancer; required at standard and maximum protection.
   * @default - none: HTTP only, allowed at basic protection
   */
  readonly certificateArn?: string;
  /**
   * Whether the load balancer is reachable from the internet.
   * @default true
   */
  readonly publicLoadBalancer?: boolean;
  /**
   * A WAF web ACL on a public load balancer.
   * @default - at standard and maximum protection (staging, prod)
   */
  readonly webAcl?: boolean;
  /**
   * How a new version takes traffic: canary and linear shift it in steps, all at once in one move.
   * @default - DEFAULT_STRATEGIES[protection]: all at once basic, linear 10% a minute standard, canary 10% for 5 min maximum
   */
  readonly deploymentStrategy?: DeploymentStrategy;
  /**
   * How long ECS keeps the old version after all traffic moved, ready to roll back to.
   * @default - 0 basic, 5 minutes standard, 10 minutes maximum
   */
  readonly bakeTime?: Duration;
  /**
   * Refuse deletion of the load balancer.
   * @default - at standard and maximum protection
   */
  readonly deletionProtection?: boolean;
}

const SIZES: Readonly<Record<ProtectionLevel, ContainerSize>> = {
  basic: { cpu: 256, memoryMiB: 512 },
  standard: { cpu: 512, memoryMiB: 1024 },
  maximum: { cpu: 1024, memoryMiB: 2048 },
};
const TASK_COUNTS: Readonly<Record<ProtectionLevel, TaskCount>> = {
  basic: { min: 1, max: 2 },
  standard: { min: 2, max: 4 },
  maximum: { min: 2, max: 10 },
};
const BAKE_MINUTES: Readonly<Record<ProtectionLevel, number>> = { basic: 0, standard: 5, maximum: 10 };
const APP = 'app';
const CPU_TARGET_PERCENT = 60;
/** Requests a minute each task should serve: about 17 a second; more tasks are added above it. */
const REQUESTS_PER_TASK_PER_MINUTE = 1000;

/**
 * A role whose grants land in one customer-managed policy, created with the first grant, rather than in an inline
 * default policy (NIST 800-53 IAMNoInlinePolicy): aws-cdk-lib's own grants (image pull, logs, secrets) included.
 */
class ManagedPolicyRole extends iam.Role {
  public policy?: iam.ManagedPolicy;

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy ??= new iam.ManagedPolicy(this, 'Policy', { description: `Everything ${this.node.path} may do` });
    this.policy.attachToRole(this);
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

/**
 * A production-ready HTTP service on ECS Fargate: the app's TypeScript bundled at synth into an arm64 image,
 * read-only and non-root, in private subnets reached only through the service's load balancer, logs encrypted
 * with the service key, secrets as ECS secrets, CPU auto scaling, and ECS blue/green deployments that shift
 * traffic as the Keel strategy says and roll back on failure. It must live in a `ServiceStack`.
 */
export class ProductionContainerService extends Construct implements IMonitoredService {
  public readonly serviceName: string;
  public readonly environment: string;
  public readonly protection: ProtectionLevel;
  public readonly key: kms.IKey;
  public readonly logRetention: logs.RetentionDays;
  public readonly decisionOwner: string;
  public readonly qualifiedName: string;
  private readonly functionList: ServiceFunction[] = [];
  /** A container service has no routed functions: its users reach the container. */
  public readonly routedFunctions: ReadonlySet<ServiceFunction> = new Set();
  public readonly tables: readonly dynamodb.ITable[] = [];
  public readonly container: MonitoredContainer;
  public readonly network: ServiceNetwork;
  public readonly loadBalancer: ServiceLoadBalancer;
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly appContainer: ecs.ContainerDefinition;
  public readonly fargateService: ecs.FargateService;
  /** The app's logs (stdout and stderr, EMF metrics included). */
  public readonly logGroup: logs.LogGroup;
  public readonly strategy: DeploymentStrategy;
  public readonly size: ContainerSize;
  public readonly taskCount: TaskCount;

  constructor(scope: Construct, id: string, givenProps: ProductionContainerServiceProps) {
    super(scope, id);
    requireServiceStack(this, 'ProductionContainerService');
    const props = { ...this.containerDefaults(), ...givenProps };
    this.serviceName = props.serviceName;
    this.environment = props.environment;
    this.protection = props.protection;
    const defaults = protectionDefaults(props.protection);
    this.logRetention = props.logRetention ?? defaults.logRetention;
    this.decisionOwner = props.decisionOwner ?? DEFAULT_DECISION_OWNER;
    this.qualifiedName = keelNames.qualified(props.serviceName, props.environment);
    this.strategy = props.deploymentStrategy ?? DEFAULT_STRATEGIES[props.protection];
    this.size = props.size ?? SIZES[props.protection];
    this.taskCount = props.taskCount ?? TASK_COUNTS[props.protection];
    const bakeTime = props.bakeTime ?? Duration.minutes(BAKE_MINUTES[props.protection]);
    const entry = path.resolve(props.entry);
    const dockerfile = path.resolve(props.dockerfile ?? path.join(path.dirname(entry), '..', 'Dockerfile'));
    const containerPort = props.containerPort ?? 8080;
    const healthCheckPath = props.healthCheckPath ?? '/health';
    const problems = containerInputProblems(this.node.path, {
      ...props,
      entry,
      dockerfile,
      containerPort,
      healthCheckPath,
      size: this.size,
      taskCount: this.taskCount,
      strategy: this.strategy,
      bakeTime,
    });
    if (problems.length > 0) {
      throw new KeelValidationError(`Invalid container service ${this.node.path}:`, problems);
    }
    registerHandlerEntry(this, entry);
    this.key =
      props.key ?? new ServiceKey(this, 'Key', { serviceName: props.serviceName, environment: props.environment }).key;

    this.network = new ServiceNetwork(this, 'Network', { service: this });
    this.loadBalancer = new ServiceLoadBalancer(this, 'LoadBalancer', {
      service: this,
      vpc: this.network.vpc,
      internetFacing: props.publicLoadBalancer ?? true,
      certificateArn: props.certificateArn,
      containerPort,
      healthCheckPath,
      webAcl: (props.publicLoadBalancer ?? true) && (props.webAcl ?? defaults.webAcl),
      deletionProtection: props.deletionProtection ?? defaults.deletionProtection,
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.network.vpc,
      // ENABLED, not ENHANCED: Control Tower's CT.ECS.PR.2 accepts only `enabled`.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'AppLogs', { encryptionKey: this.key, retention: this.logRetention });
    decideLogRetention(this.logGroup, this.logRetention, this.decisionOwner);
    this.taskDefinition = this.buildTaskDefinition();
    this.appContainer = this.buildContainer(entry, dockerfile, containerPort, props.environmentVariables ?? {});
    this.fargateService = this.buildService(containerPort, bakeTime);
    this.container = {
      loadBalancer: this.loadBalancer.loadBalancer,
      targetGroups: [this.loadBalancer.blue, this.loadBalancer.green],
      fargateService: this.fargateService,
      minTasks: this.taskCount.min,
    };
  }

  /** Every function of the service: the secrets' rotation functions. */
  public get functions(): readonly ServiceFunction[] {
    return this.functionList;
  }

  /**
   * Defaults of this service's props; a subclass overrides this to change a team's defaults. Props passed to the
   * constructor win over these. It runs in the constructor, before a subclass's own fields are set: return constants.
   */
  protected containerDefaults(): Partial<ProductionContainerServiceProps> {
    return {};
  }

  /**
   * Adds a secret encrypted with the service key that rotates as `rotation` says (as ProductionService.addSecret).
   * With `environmentName`, the container gets its value in that variable as an ECS secret: ECS reads it at task
   * start with the execution role, and the template holds only the secret's ARN.
   */
  public addSecret(
    id: string,
    rotation: SecretRotation,
    description?: string,
    environmentName?: string,
  ): ServiceSecret {
    const secret = new ServiceSecret(this, id, { service: this, rotation, description });
    if (secret.rotationFunction) this.functionList.push(secret.rotationFunction);
    if (environmentName !== undefined) {
      this.appContainer.addSecret(environmentName, ecs.Secret.fromSecretsManager(secret.secret));
    }
    return secret;
  }

  private buildTaskDefinition(): ecs.FargateTaskDefinition {
    const role = (name: string, does: string): ManagedPolicyRole =>
      new ManagedPolicyRole(this, name, {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: `${does} (${this.qualifiedName})`,
      });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: this.size.cpu,
      memoryLimitMiB: this.size.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole: role('ExecutionRole', 'Starts the tasks: pulls the image, writes logs, reads secrets'),
      taskRole: role('TaskRole', 'What the app may call'),
    });
    taskDefinition.addVolume({ name: 'tmp' });
    return taskDefinition;
  }

  private buildContainer(
    entry: string,
    dockerfile: string,
    containerPort: number,
    variables: Readonly<Record<string, string>>,
  ): ecs.ContainerDefinition {
    const container = this.taskDefinition.addContainer('App', {
      containerName: APP,
      image: ecs.ContainerImage.fromAsset(stagedBuildContext(this, entry, dockerfile), {
        platform: Platform.LINUX_ARM64,
      }),
      memoryLimitMiB: this.size.memoryMiB,
      readonlyRootFilesystem: true,
      user: '1000',
      privileged: false,
      portMappings: [{ containerPort, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: APP, logGroup: this.logGroup }),
      environment: {
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: keelNames.metricNamespace(this.serviceName),
        NODE_OPTIONS: '--enable-source-maps',
        PORT: String(containerPort),
        ...variables,
      },
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    const executionRole = this.taskDefinition.executionRole as ManagedPolicyRole;
    if (executionRole.policy) decide(executionRole.policy, DECISIONS.ecrAuthorizationAnyResource, this.decisionOwner);
    decide(this.taskDefinition, DECISIONS.plainContainerSettings, this.decisionOwner);
    return container;
  }

  private buildService(containerPort: number, bakeTime: Duration): ecs.FargateService {
    const service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      // LATEST, which Control Tower's CT.ECS.PR.1 requires (or no version at all): said here, so nobody pins one.
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      vpcSubnets: { subnetGroupName: APP_SUBNETS },
      assignPublicIp: false,
      // No desiredCount: CloudFormation would reset a scaled-out service to it on every deployment. ECS starts one
      // task, and auto scaling keeps the count within taskCount from then on.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      bakeTime,
      ...ecsStrategy(this.strategy),
    });
    // The tasks' subnets have no route out of the VPC: the endpoints (and the S3 gateway) are all they can reach.
    this.network.allowEndpointsFrom(service);
    // Tasks start only once their roles hold their grants (the image pull, logs, secrets).
    for (const role of [this.taskDefinition.executionRole, this.taskDefinition.taskRole]) {
      const policy = (role as ManagedPolicyRole | undefined)?.policy;
      if (policy) service.node.addDependency(policy);
    }
    const trafficShiftRole = new iam.Role(this, 'TrafficShiftRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `Lets ECS shift ${this.qualifiedName}'s load balancer traffic between blue and green`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers'),
      ],
    });
    decide(trafficShiftRole, DECISIONS.ecsLoadBalancerInfrastructureRole, this.decisionOwner);
    const { blue, green, productionRule } = this.loadBalancer;
    blue.addTarget(
      service.loadBalancerTarget({
        containerName: APP,
        containerPort,
        alternateTarget: new ecs.AlternateTarget('Green', {
          alternateTargetGroup: green,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
          role: trafficShiftRole,
        }),
      }),
    );
    const scaling = service.autoScaleTaskCount({ minCapacity: this.taskCount.min, maxCapacity: this.taskCount.max });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: CPU_TARGET_PERCENT });
    this.scaleOnRequestsPerTask(scaling, service);
    return service;
  }

  /**
   * Tracks requests per running task: the load balancer's requests (its own dimension, whichever of blue and green
   * serves) divided by Container Insights' running tasks. ECS's request-count scaling names one target group, and blue
   * and green swap roles on every deployment, so after every other deployment it would read the idle group's zero
   * requests and scale in. aws-cdk-lib's target tracking takes direct metrics only, so the metric math goes into the
   * policy's CustomizedMetricSpecification (AWS, "Create a target tracking scaling policy for Application Auto Scaling
   * using metric math").
   */
  private scaleOnRequestsPerTask(scaling: ecs.ScalableTaskCount, service: ecs.FargateService): void {
    const requests = this.loadBalancer.loadBalancer.metrics.requestCount();
    scaling.scaleToTrackCustomMetric('Requests', { metric: requests, targetValue: REQUESTS_PER_TASK_PER_MINUTE });
    // ScalableTaskCount keeps its ScalableTarget as `Target`, and the target its policies by id (aws-cdk-lib's
    // BaseScalableAttribute and ScalableTarget).
    const policy = scaling.node.findChild('Target').node.findChild('Requests');
    const query = (id: string, namespace: string, name: string, dimensions: Record<string, string>, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: namespace,
          MetricName: name,
          Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Stat: stat,
      },
      ReturnData: false,
    });
    const resource = policy.node.defaultChild as CfnResource;
    const specification = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
    resource.addPropertyOverride(`${specification}.Metrics`, [
      query(
        'requests',
        'AWS/ApplicationELB',
        'RequestCount',
        { LoadBalancer: this.loadBalancer.loadBalancer.loadBalancerFullName },
        'Sum',
      ),
      query(
        'tasks',
        'ECS/ContainerInsights',
        'RunningTaskCount',
        { ClusterName: this.cluster.clusterName, ServiceName: service.serviceName },
        'Average',
      ),
      { Id: 'perTask', Expression: 'requests / tasks', Label: 'Requests per running task', ReturnData: true },
    ]);
    // Metric math alone: CloudFormation refuses a specification that also names a single metric.
    for (const field of ['Dimensions', 'MetricName', 'Namespace', 'Statistic']) {
      resource.addPropertyDeletionOverride(`${specification}.${field}`);
    }
  }
}

/** The ECS deployment strategy and its traffic-shift configuration for a Keel strategy. */
function ecsStrategy(strategy: DeploymentStrategy): Partial<ecs.FargateServiceProps> {
  const shift = { stepPercent: strategy.percent, stepBakeTime: strategy.interval };
  switch (strategy.kind) {
    case 'canary':
      return { deploymentStrategy: ecs.DeploymentStrategy.CANARY, canaryConfiguration: shift };
    case 'linear':
      return { deploymentStrategy: ecs.DeploymentStrategy.LINEAR, linearConfiguration: shift };
    case 'all-at-once':
      return { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN };
  }
}
