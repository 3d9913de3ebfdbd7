import type { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { OwnershipTags, ServiceKey, type ProtectionLevel } from '../../constructs';
import { protectionDefaults } from '../../constructs/service/protection';
import type { IServiceContext } from '../../constructs/service/service-context';
import { ServiceLoadBalancer, type ServiceLoadBalancerProps } from '../../constructs/service/service-load-balancer';
import { ServiceNetwork } from '../../constructs/service/service-network';
import { ServiceStack } from '../../constructs/service/service-stack';
import { ENVIRONMENT_OF, TEST_CERTIFICATE_ARN } from './container-service';

export interface ContainerNetworkFixture {
  readonly stack: ServiceStack;
  readonly service: IServiceContext;
  readonly network: ServiceNetwork;
  readonly loadBalancer: ServiceLoadBalancer;
  /** The tasks' security group, standing in for a Fargate service: it may reach the endpoints and is reached by the ALB. */
  readonly tasks: ec2.SecurityGroup;
}

/**
 * The `orders` container service's network and load balancer at `protection`, with the defaults a
 * ProductionContainerService gives them (a certificate, WAF and deletion protection by level), in a ServiceStack
 * named `Orders-<env>` with the ownership tags.
 */
export function containerNetwork(
  app: App,
  protection: ProtectionLevel,
  props: Partial<Omit<ServiceLoadBalancerProps, 'service' | 'vpc'>> = {},
): ContainerNetworkFixture {
  const environment = ENVIRONMENT_OF[protection];
  const stack = new ServiceStack(app, `Orders-${environment}`, {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  new OwnershipTags(stack, 'OwnershipTags', {
    owner: 'commerce',
    service: 'orders',
    environment,
    costCenter: 'CC-1',
    dataClassification: 'internal',
  });
  const defaults = protectionDefaults(protection);
  const service: IServiceContext = {
    serviceName: 'orders',
    environment,
    protection,
    key: new ServiceKey(stack, 'ServiceKey', { serviceName: 'orders', environment }).key,
    logRetention: defaults.logRetention as logs.RetentionDays,
    decisionOwner: 'platform',
    qualifiedName: `orders-${environment}`,
  };
  const network = new ServiceNetwork(stack, 'Network', { service });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', {
    service,
    vpc: network.vpc,
    internetFacing: true,
    ...(protection === 'basic' ? {} : { certificateArn: TEST_CERTIFICATE_ARN }),
    containerPort: 8080,
    healthCheckPath: '/health',
    webAcl: defaults.webAcl,
    deletionProtection: defaults.deletionProtection,
    ...props,
  });
  const tasks = new ec2.SecurityGroup(stack, 'Tasks', { vpc: network.vpc, allowAllOutbound: false });
  network.allowEndpointsFrom(tasks);
  tasks.connections.allowFrom(loadBalancer.loadBalancer, ec2.Port.tcp(8080));
  return { stack, service, network, loadBalancer, tasks };
}
