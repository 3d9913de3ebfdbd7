import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IMonitoredService, MonitoredContainer } from '../../constructs/service/monitored-service';
import type { ProtectionLevel } from '../../constructs/service/protection';
import type { ServiceFunction } from '../../constructs/service/service-function';

/** The least a container service is to its monitoring: its context, no functions or tables, and its containers. */
export class ContainerShop extends Construct implements IMonitoredService {
  public readonly serviceName = 'shop';
  public readonly environment = 'prod';
  public readonly protection: ProtectionLevel;
  public readonly key: kms.IKey;
  public readonly logRetention = logs.RetentionDays.ONE_YEAR;
  public readonly decisionOwner = 'platform';
  public readonly qualifiedName = 'shop-prod';
  public readonly functions: readonly ServiceFunction[] = [];
  public readonly routedFunctions: ReadonlySet<ServiceFunction> = new Set();
  public readonly tables = [];
  public readonly container: MonitoredContainer;

  constructor(scope: Construct, id: string, protection: ProtectionLevel = 'maximum') {
    super(scope, id);
    this.protection = protection;
    this.key = new kms.Key(this, 'Key');
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
    const group = (name: string) =>
      new elbv2.ApplicationTargetGroup(this, name, {
        vpc,
        port: 8080,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
      });
    const [blue, green] = [group('Blue'), group('Green')];
    loadBalancer.addListener('Http', {
      port: 80,
      defaultAction: elbv2.ListenerAction.weightedForward([
        { targetGroup: blue, weight: 100 },
        { targetGroup: green, weight: 0 },
      ]),
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task');
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:latest'),
      portMappings: [{ containerPort: 8080 }],
    });
    const fargateService = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
    });
    fargateService.attachToApplicationTargetGroup(blue);
    this.container = { loadBalancer, targetGroups: [blue, green], fargateService, minTasks: 2 };
  }
}
