import {
  defineBusinessMetrics,
  type BusinessMetricSet,
  type BusinessMetricSpec,
} from '../../../constructs/observability/business-metric';

/**
 * The orders service's business metrics, defined once: the handler emits them through Powertools Metrics (EMF,
 * namespace `Keel/Orders`), and the stack alarms on the same definitions, so renaming one breaks both at compile time.
 */
export const ORDERS_METRIC_SPECS = {
  ordersPlaced: {
    name: 'OrdersPlaced',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Orders stored, one per new order',
  },
  orderValue: {
    name: 'OrderValue',
    unit: 'None',
    statistic: 'Average',
    description: 'Value of each order placed, in cents',
  },
  ordersRejected: {
    name: 'OrdersRejected',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Order requests refused as invalid',
  },
  orderFailures: {
    name: 'OrderFailures',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Order requests that failed with an unexpected error',
  },
  orderRequests: {
    name: 'OrderRequests',
    unit: 'Count',
    statistic: 'Sum',
    description: 'Order placement requests received, valid or not',
  },
} as const satisfies Record<string, BusinessMetricSpec>;

/** The orders metrics, under the orders service's name or another's. */
export type OrdersMetrics = BusinessMetricSet<keyof typeof ORDERS_METRIC_SPECS>;

export const ordersMetrics: OrdersMetrics = defineBusinessMetrics('orders', ORDERS_METRIC_SPECS);
