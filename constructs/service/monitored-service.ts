import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IConstruct } from 'constructs';
import type { IServiceContext } from './service-context';
import type { ServiceFunction } from './service-function';

/**
 * A load-balanced container service as its monitoring sees it: the load balancer users reach, the target groups
 * ECS shifts traffic between (blue and green swap roles on every deployment), and the ECS service.
 */
export interface MonitoredContainer {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Every target group the service's tasks may serve from. */
  readonly targetGroups: readonly elbv2.ApplicationTargetGroup[];
  readonly fargateService: ecs.FargateService;
  /** The fewest tasks that should ever run: the auto scaling minimum. */
  readonly minTasks: number;
}

/**
 * What ServiceMonitoring watches: a service's context and the resources it created. ProductionService (an API on
 * Lambda) and ProductionContainerService (an HTTP service on ECS Fargate) are the two.
 */
export interface IMonitoredService extends IServiceContext, IConstruct {
  /** Every function of the service, secrets' rotation functions included. */
  readonly functions: readonly ServiceFunction[];
  /** The functions behind routes: their failures are the users' failures. */
  readonly routedFunctions: ReadonlySet<ServiceFunction>;
  readonly tables: readonly dynamodb.ITable[];
  /**
   * The REST API in front of the functions.
   * @default - none: the service has no API Gateway API
   */
  readonly api?: apigateway.RestApi;
  /**
   * The container service behind a load balancer.
   * @default - none: the service runs no containers
   */
  readonly container?: MonitoredContainer;
}
