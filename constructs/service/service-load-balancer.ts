import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DECISIONS, decide } from '../private/decisions';
import type { IServiceContext } from './service-context';
import { APP_SUBNETS, PUBLIC_SUBNETS } from './service-network';
import { requireServiceStack } from './service-stack';
import { ServiceWebAcl } from './service-web-acl';

export interface ServiceLoadBalancerProps {
  /** The service: names, log retention, the owner of its decisions. */
  readonly service: IServiceContext;
  /** The service's VPC, with the `public` and `app` subnet groups of a ServiceNetwork. */
  readonly vpc: ec2.IVpc;
  /**
   * Internet-facing in the 'public' subnets, open to anyone on its listener ports; false: internal, in 'app', and
   * reachable only from what you allow (`loadBalancer.connections.allowFrom(peer, port)`).
   */
  readonly internetFacing: boolean;
  /**
   * HTTPS:443 with it and HTTP:80 redirecting; without it (basic only, checked by the service) HTTP:80 forwards.
   * @default - none: HTTP only
   */
  readonly certificateArn?: string;
  /** The port the container listens on: the target groups' port. */
  readonly containerPort: number;
  /** The path both target groups' health checks request. */
  readonly healthCheckPath: string;
  /** Whether a ServiceWebAcl protects the load balancer. */
  readonly webAcl: boolean;
  /** Whether the load balancer refuses deletion, and its access-log bucket is retained when the stack goes. */
  readonly deletionProtection: boolean;
}

/** What the access-log bucket cannot or need not do (ALB logs allow only SSE-S3; a log bucket is not logged). */
const ACCESS_LOG_BUCKET_DECISIONS = [
  DECISIONS.accessLogsCannotUseKms,
  DECISIONS.accessLogBucketUnlogged,
  DECISIONS.accessLogsNotReplicated,
  DECISIONS.accessLogsNeedNoEvents,
  DECISIONS.accessLogsExpireByLifecycle,
];

/** The listener rule's priority: the only rule, so any. */
const PRODUCTION_RULE_PRIORITY = 1;

/**
 * An Application Load Balancer for a container service: it drops invalid headers and mitigates desync in the strictest
 * mode, serves HTTPS with the given certificate (HTTP redirects to it), logs every request to S3, and forwards through
 * one production listener rule to two IP target groups by weight (blue 100, green 0), which ECS shifts during a
 * blue/green, canary or linear deployment.
 *
 * Construct ids are fixed (renaming one replaces the resource): `Alb`, `Https` (443) and `Http` (80, redirecting or,
 * without a certificate, the production listener), `ProductionRule`, `Blue`, `Green`, `AccessLogs`, `WebAcl`.
 */
export class ServiceLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The production listener: HTTPS:443, or HTTP:80 without a certificate. */
  public readonly listener: elbv2.ApplicationListener;
  /** Forwards every request by weight: blue 100, green 0 (ECS changes the weights while it deploys). */
  public readonly productionRule: elbv2.ApplicationListenerRule;
  public readonly blue: elbv2.ApplicationTargetGroup;
  public readonly green: elbv2.ApplicationTargetGroup;
  /**
   * The access logs. SSE-S3, not the service key: ALB access logs cannot be written to a KMS-encrypted bucket, and
   * aws-cdk-lib refuses one ("Encryption key detected. Bucket encryption using KMS keys is unsupported",
   * node_modules/aws-cdk-lib/aws-elasticloadbalancingv2/lib/alb/application-load-balancer.js, `logAccessLogs`).
   */
  public readonly accessLogs: s3.Bucket;
  /** The WAF web ACL on the load balancer, when asked for. */
  public readonly webAcl?: ServiceWebAcl;

  constructor(scope: Construct, id: string, props: ServiceLoadBalancerProps) {
    super(scope, id);
    requireServiceStack(this, 'ServiceLoadBalancer');
    const { service } = props;
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: props.internetFacing,
      vpcSubnets: { subnetGroupName: props.internetFacing ? PUBLIC_SUBNETS : APP_SUBNETS },
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      deletionProtection: props.deletionProtection,
    });
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Versioned against overwrites and deletes: a replaced or deleted log stays as long as a current one.
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(service.logRetention),
          noncurrentVersionExpiration: Duration.days(service.logRetention),
        },
        { expiredObjectDeleteMarker: true },
      ],
      // Retained at every level: CloudFormation cannot delete a bucket that holds logs; the lifecycle empties it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer.logAccessLogs(this.accessLogs, service.qualifiedName);
    for (const decision of ACCESS_LOG_BUCKET_DECISIONS) decide(this.accessLogs, decision, service.decisionOwner);

    this.listener = this.listeners(props);
    const targetGroup = (tgId: string) =>
      new elbv2.ApplicationTargetGroup(this, tgId, {
        vpc: props.vpc,
        port: props.containerPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        healthCheck: { path: props.healthCheckPath },
      });
    this.blue = targetGroup('Blue');
    this.green = targetGroup('Green');
    this.productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener: this.listener,
      priority: PRODUCTION_RULE_PRIORITY,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([
        { targetGroup: this.blue, weight: 100 },
        { targetGroup: this.green, weight: 0 },
      ]),
    });

    this.recordDecisions(props);
    if (props.webAcl) {
      this.webAcl = new ServiceWebAcl(this, 'WebAcl', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        name: service.qualifiedName,
        key: service.key,
        logRetention: service.logRetention,
      });
    }
  }

  /** Records what this load balancer accepts by design: an open public listener, and dev's lighter protection. */
  private recordDecisions(props: ServiceLoadBalancerProps): void {
    const owner = props.service.decisionOwner;
    const basic = props.service.protection === 'basic';
    if (props.internetFacing) {
      for (const group of this.loadBalancer.connections.securityGroups) {
        decide(group, DECISIONS.publicLoadBalancerOpen, owner);
      }
    }
    const http = this.loadBalancer.node.findChild('Http');
    if (props.certificateArn !== undefined) decide(http, DECISIONS.httpListenerOnlyRedirects, owner);
    else if (basic) decide(http, DECISIONS.noCertificateOnBasicProtection, owner);
    if (!props.deletionProtection && basic) {
      decide(this.loadBalancer, DECISIONS.noLoadBalancerDeletionProtectionOnBasicProtection, owner);
    }
    if (!props.webAcl && basic) decide(this.loadBalancer, DECISIONS.noLoadBalancerWafOnBasicProtection, owner);
  }

  /** HTTPS:443 and HTTP:80 redirecting to it with a certificate, or HTTP:80 alone; returns the production listener. */
  private listeners(props: ServiceLoadBalancerProps): elbv2.ApplicationListener {
    // The rule decides; a request it does not match (none, as it matches every path) gets a plain 404.
    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });
    if (props.certificateArn === undefined) {
      return this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        open: props.internetFacing,
        defaultAction: notFound,
      });
    }
    this.loadBalancer.addListener('Http', {
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: 80,
      open: props.internetFacing,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    // No sslPolicy: the post-quantum feature flag in cdk.json picks TLS13_12_PQ.
    return this.loadBalancer.addListener('Https', {
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: 443,
      open: props.internetFacing,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      defaultAction: notFound,
    });
  }
}
