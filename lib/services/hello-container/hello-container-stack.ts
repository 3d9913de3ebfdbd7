import * as path from 'node:path';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ContainerDeployment, ProductionContainerService, ServiceMonitoring, ServiceStack } from '../../../constructs';
import type { ServiceStackProps } from '../service-stack';
import { helloContainerMetrics } from './metrics';

/**
 * The hello-container service, owned by commerce: the Node app in app/server.ts on Fargate behind a load balancer, an
 * alarm on its failure rate, and blue/green deployments that ECS rolls back on any critical alarm. Started from the
 * `keel new-service --compute fargate` template: grow the app in app/, and give every alarm you add a section in
 * runbooks/hello-container.md.
 */
export class HelloContainerStack extends ServiceStack {
  public readonly service: ProductionContainerService;
  public readonly monitoring: ServiceMonitoring<ProductionContainerService>;
  public readonly deployment: ContainerDeployment;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // props.defaults carries the environment's protection and certificate and the commerce team's profile.
    this.service = new ProductionContainerService(this, 'Service', {
      ...props.defaults.containerService,
      entry: path.join(__dirname, 'app', 'server.ts'),
    });

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      service: this.service,
    });
    this.monitoring.addBusinessMetrics(helloContainerMetrics, [this.service]);
    this.monitoring.addRatioAlarm(helloContainerMetrics.failures, helloContainerMetrics.requests, {
      slug: 'failure-rate',
      severity: 'critical',
      description: 'More than 5% of hello-container requests fail with an unexpected error.',
      above: 0.05,
      minSamples: 20,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deployment = new ContainerDeployment(this, 'Deployment', { monitoring: this.monitoring });
  }
}
