import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  CanaryDeployment,
  ProductionService,
  ServiceMonitoring,
  SloIndicator,
  type ServiceFunction,
} from '../../../constructs';
import type { ServiceStackProps } from '../service-stack';
import { helloWorldMetrics } from './metrics';

/**
 * The hello-world service, owned by commerce: GET /hello-world on a ProductionService, an alarm on its failure rate,
 * an availability SLO, and deployments through CodeDeploy that roll back on any critical alarm. Started from the
 * `keel new-service` template: grow it with addFunction, addRoute, addTable and addSecret, and give every alarm you
 * add a section in runbooks/hello-world.md.
 */
export class HelloWorldStack extends Stack {
  public readonly service: ProductionService;
  public readonly handler: ServiceFunction;
  public readonly monitoring: ServiceMonitoring;
  public readonly deployment: CanaryDeployment;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // props.defaults carries the environment's protection and the commerce team's profile.
    this.service = new ProductionService(this, 'Service', props.defaults.service);
    this.handler = this.service.addFunction('Handler', { entry: path.join(__dirname, 'handler.ts') });
    this.service.addRoute('GET', '/hello-world', this.handler);

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      service: this.service,
    });
    this.monitoring.addBusinessMetrics(helloWorldMetrics, [this.handler]);
    this.monitoring.addRatioAlarm(helloWorldMetrics.failures, helloWorldMetrics.requests, {
      slug: 'failure-rate',
      severity: 'critical',
      description: 'More than 5% of hello-world requests fail with an unexpected error.',
      above: 0.05,
      minSamples: 20,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.monitoring.addServiceLevelObjective('Availability', {
      slug: 'availability',
      description: 'hello-world API availability',
      indicator: SloIndicator.availability(this.service.api.metricServerError(), this.service.api.metricCount()),
      target: 0.999,
    });

    this.deployment = new CanaryDeployment(this, 'Deployment', {
      ...props.defaults.deployment,
      monitoring: this.monitoring,
    });
  }
}
