import { defineBusinessMetrics } from '../../../constructs/observability/business-metric';

/**
 * The hello-container service's business metrics, defined once: the app emits them through Powertools Metrics (EMF
 * lines on standard output, namespace `Keel/HelloContainer`) and the stack alarms on the same definitions. Add what
 * the business counts here.
 */
export const helloContainerMetrics = defineBusinessMetrics('hello-container', {
  requests: {
    name: 'Requests',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests received, valid or not, health checks excluded',
  },
  failures: {
    name: 'Failures',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests that failed with an unexpected error',
  },
});
