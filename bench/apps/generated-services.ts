// An app of N generated services (-c keel:bench:services=N), each an OrdersStack under its own name (its metrics
// defined under that name, alarms linking the orders runbook), owned round-robin by the registry's teams without a
// profile, synthesized exactly as bin/app.ts synthesizes the real platform.
import { App } from 'aws-cdk-lib';
import { repositoryDefinition } from '../../lib/config/load';
import type { ServiceDefinition } from '../../lib/services/service-stack';
import { SYNTH_APP_PROPS, runSynth } from '../../lib/synth';
import { defineBusinessMetrics } from '../../constructs';
import { ORDERS_METRIC_SPECS } from '../../lib/services/orders/metrics';
import { OrdersStack } from '../../lib/services/orders/orders-stack';

const app = new App(SYNTH_APP_PROPS);
const count = Number(app.node.tryGetContext('keel:bench:services') ?? 1);
// Teams with a profile build on their own constructs (payments' tables must refuse deletion even in dev), which the
// orders shape does not; the generated services belong to the teams that use the platform's defaults.
const owners = repositoryDefinition.teams.filter((team) => team.profile === undefined);
const services: ServiceDefinition[] = Array.from({ length: count }, (_, i) => ({
  config: {
    name: `service-${String(i + 1).padStart(3, '0')}`,
    owner: owners[i % owners.length].id,
    dataClassification: 'internal',
  },
  stack: (scope, id, props) =>
    new OrdersStack(
      scope,
      id,
      {
        ...props,
        defaults: { ...props.defaults, monitoring: { ...props.defaults.monitoring, runbookFile: 'orders.md' } },
      },
      defineBusinessMetrics(props.service.name, ORDERS_METRIC_SPECS),
    ),
}));
runSynth(() => app, repositoryDefinition, services);
