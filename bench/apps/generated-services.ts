// An app of N generated services (-c keel:bench:services=N), synthesized exactly as bin/app.ts synthesizes the real
// platform, owned round-robin by the registry's teams without a profile. Each is an OrdersStack under its own name
// (its metrics defined under that name, alarms linking the orders runbook), or, with -c keel:bench:compute=fargate,
// the hello-container service's shape: a ProductionContainerService running hello-container's app.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  ContainerDeployment,
  ProductionContainerService,
  ServiceMonitoring,
  ServiceStack,
  defineBusinessMetrics,
} from '../../constructs';
import { repositoryDefinition } from '../../lib/config/load';
import type { ServiceDefinition, ServiceStackFactory, ServiceStackProps } from '../../lib/services/service-stack';
import { SYNTH_APP_PROPS, runSynth } from '../../lib/synth';
import { ORDERS_METRIC_SPECS } from '../../lib/services/orders/metrics';
import { OrdersStack } from '../../lib/services/orders/orders-stack';

const HELLO_CONTAINER = path.join(__dirname, '..', '..', 'lib', 'services', 'hello-container');

/** hello-container's stack under another name: its app, its two metrics defined under that name, its runbook. */
class ContainerServiceStack extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const service = new ProductionContainerService(this, 'Service', {
      ...props.defaults.containerService,
      entry: path.join(HELLO_CONTAINER, 'app', 'server.ts'),
    });
    const monitoring = new ServiceMonitoring(this, 'Monitoring', {
      ...props.defaults.monitoring,
      runbookFile: 'hello-container.md',
      service,
    });
    const metrics = defineBusinessMetrics(props.service.name, {
      requests: { name: 'Requests', unit: 'Count', statistic: 'Sum', description: 'Requests received' },
      failures: { name: 'Failures', unit: 'Count', statistic: 'Sum', description: 'Requests that failed' },
    });
    monitoring.addBusinessMetrics(metrics, [service]);
    monitoring.addRatioAlarm(metrics.failures, metrics.requests, {
      slug: 'failure-rate',
      severity: 'critical',
      description: 'More than 5% of requests fail.',
      above: 0.05,
      minSamples: 20,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new ContainerDeployment(this, 'Deployment', { monitoring });
  }
}

const ordersShaped: ServiceStackFactory = (scope, id, props) =>
  new OrdersStack(
    scope,
    id,
    {
      ...props,
      defaults: { ...props.defaults, monitoring: { ...props.defaults.monitoring, runbookFile: 'orders.md' } },
    },
    defineBusinessMetrics(props.service.name, ORDERS_METRIC_SPECS),
  );

const app = new App(SYNTH_APP_PROPS);
const count = Number(app.node.tryGetContext('keel:bench:services') ?? 1);
const fargate = app.node.tryGetContext('keel:bench:compute') === 'fargate';
// Teams with a profile build on their own constructs (payments' tables must refuse deletion even in dev), which the
// orders shape does not; the generated services belong to the teams that use the platform's defaults.
const owners = repositoryDefinition.teams.filter((team) => team.profile === undefined);
const services: ServiceDefinition[] = Array.from({ length: count }, (_, i) => ({
  config: {
    name: `service-${String(i + 1).padStart(3, '0')}`,
    owner: owners[i % owners.length].id,
    dataClassification: 'internal',
  },
  stack: fargate ? (scope, id, props) => new ContainerServiceStack(scope, id, props) : ordersShaped,
}));
runSynth(() => app, repositoryDefinition, services);
