import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DECISIONS, decide, decideLogRetention } from '../private/decisions';
import type { IServiceContext } from './service-context';
import { requireServiceStack } from './service-stack';

export interface ServiceNetworkProps {
  /** The service: its key encrypts the flow logs, which keep its log retention. */
  readonly service: IServiceContext;
}

/** The subnet group of the load balancer (internet-facing) and nothing else. */
export const PUBLIC_SUBNETS = 'public';
/** The subnet group of the tasks (and of an internal load balancer): no route to or from the internet. */
export const APP_SUBNETS = 'app';

/** The id aws-cdk-lib gives the stack's provider of Custom::VpcRestrictDefaultSG (`aws-ec2/lib/vpc.js`). */
const DEFAULT_SECURITY_GROUP_PROVIDER = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';

/** What a Fargate task needs from AWS without internet access, by construct id. */
const INTERFACE_ENDPOINTS: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
};

/**
 * The network of a container service: a VPC over two availability zones with a `public` subnet group for the load
 * balancer only (no public IP on launch) and an isolated `app` group for the tasks, every flow logged to an encrypted
 * log group, and no NAT gateway: the tasks reach ECR, CloudWatch Logs and Secrets Manager through interface
 * endpoints, and image layers in S3 through the gateway endpoint.
 *
 * Endpoints rather than NAT, and what that costs. Per the AWS page "Migrating to Linux platform version 1.4.0 on
 * Amazon ECS", a Fargate task without internet access needs `ecr.api` and `ecr.dkr` (interface), an S3 gateway
 * endpoint for image layers and `secretsmanager` (interface) for secrets in its task definition; `logs` serves the
 * awslogs driver. The tasks then have no route to the internet at all, which NAT would give them. Per month:
 * - endpoints: interface endpoints × availability zones × hours × the hourly rate per endpoint and zone, plus GB
 *   processed × the PrivateLink data rate; here 4 × 2 = 8 endpoint-zones, 5,840 endpoint-zone hours in 730 hours.
 *   The S3 gateway endpoint is free.
 * - NAT: gateways (one per zone, 2) × hours × the hourly NAT rate, plus GB processed × the NAT data rate.
 * Read the rates for the region from the AWS pricing pages ("AWS PrivateLink pricing", "Amazon VPC pricing") before
 * comparing: Keel does not pin prices that change by region and over time.
 *
 * Construct ids are fixed (renaming one replaces the resource): `Vpc`, `FlowLogs` (the log group), `FlowLog`,
 * `FlowLogRole`, `FlowLogPolicy`, `Endpoints/<EcrApi|EcrDocker|Logs|SecretsManager>`, `S3`.
 */
export class ServiceNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Every accepted and rejected flow of the VPC, encrypted with the service key and kept for its log retention. */
  public readonly flowLogs: logs.LogGroup;
  /** Delivers every accepted and rejected flow of the VPC to `flowLogs`. */
  public readonly flowLog: ec2.CfnFlowLog;
  /** The interface endpoints (`ecr.api`, `ecr.dkr`, `logs`, `secretsmanager`), closed until `allowEndpointsFrom`. */
  public readonly endpoints: readonly ec2.InterfaceVpcEndpoint[];
  /** The S3 gateway endpoint in the app subnets, for image layers. */
  public readonly s3: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: ServiceNetworkProps) {
    super(scope, id);
    requireServiceStack(this, 'ServiceNetwork');
    const { service } = props;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        // Only the load balancer lives here; CT.EC2.PR.11 asks that nothing launched in it gets a public IP.
        { name: PUBLIC_SUBNETS, subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: APP_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    for (const subnet of this.vpc.publicSubnets) {
      decide(subnet, DECISIONS.publicSubnetsRouteToInternet, service.decisionOwner);
    }
    this.decideDefaultSecurityGroupHandler(service.decisionOwner);
    this.flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: service.key,
      retention: service.logRetention,
    });
    decideLogRetention(this.flowLogs, service.logRetention, service.decisionOwner);
    this.flowLog = this.logFlows();
    const app = { subnetGroupName: APP_SUBNETS };
    const endpoints = new Construct(this, 'Endpoints');
    this.endpoints = Object.entries(INTERFACE_ENDPOINTS).map(
      ([name, endpointService]) =>
        // open: false: with the default, the ingress rule names the VPC's CIDR, on which cdk-nag's rules fail.
        new ec2.InterfaceVpcEndpoint(endpoints, name, {
          vpc: this.vpc,
          service: endpointService,
          subnets: app,
          open: false,
        }),
    );
    this.s3 = new ec2.GatewayVpcEndpoint(this, 'S3', {
      vpc: this.vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [app],
    });
  }

  /**
   * Every flow of the VPC to the flow log group. Not `vpc.addFlowLog`: aws-cdk-lib's FlowLog acknowledges two of its
   * own CloudFormation validator rules with `Validations.acknowledge`, without an owner or expiry, which Keel's
   * compliance engine refuses; and its role's permissions are inline (NIST.800.53.R5-IAMNoInlinePolicy).
   */
  private logFlows(): ec2.CfnFlowLog {
    const stack = Stack.of(this);
    // Only flow logs of this account's VPCs may use the role (the confused-deputy conditions AWS recommends).
    const role = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*` },
      }),
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogs.logGroupArn],
        }),
      ],
    });
    return new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: this.flowLogs.logGroupName,
      deliverLogsPermissionArn: role.roleArn,
    });
  }

  /** aws-cdk-lib's one handler per stack that closes the default security group of every VPC in it. */
  private decideDefaultSecurityGroupHandler(owner: string): void {
    const provider = Stack.of(this).node.tryFindChild(DEFAULT_SECURITY_GROUP_PROVIDER);
    if (provider) decide(provider, DECISIONS.defaultSecurityGroupHandler, owner);
  }

  /** Lets `peer` (the tasks) reach every interface endpoint on 443. */
  public allowEndpointsFrom(peer: ec2.IConnectable): void {
    for (const endpoint of this.endpoints) endpoint.connections.allowDefaultPortFrom(peer);
  }
}
