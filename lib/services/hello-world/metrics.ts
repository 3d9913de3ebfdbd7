import { defineBusinessMetrics } from '../../../constructs/observability/business-metric';

/**
 * The hello-world service's business metrics, defined once: the handler emits them through Powertools Metrics (EMF,
 * namespace `Keel/HelloWorld`) and the stack alarms on the same definitions. Add what the business counts here.
 */
export const helloWorldMetrics = defineBusinessMetrics('hello-world', {
  requests: {
    name: 'Requests',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests received, valid or not',
  },
  failures: {
    name: 'Failures',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Requests that failed with an unexpected error',
  },
});
