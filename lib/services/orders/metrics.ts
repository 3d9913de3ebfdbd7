/**
 * The orders service's business metrics, defined once: the handler emits them through Powertools Metrics (EMF,
 * namespace `Keel/Orders`), and the constructs alarm on the same definitions.
 */
export const ordersMetrics = {
  ordersPlaced: { name: 'OrdersPlaced', unit: 'Count', description: 'Orders stored, one per new order' },
  orderValue: { name: 'OrderValue', unit: 'None', description: 'Value of each order placed, in cents' },
  ordersRejected: { name: 'OrdersRejected', unit: 'Count', description: 'Order requests refused as invalid' },
  orderFailures: {
    name: 'OrderFailures',
    unit: 'Count',
    description: 'Order requests that failed with an unexpected error',
  },
} as const;

export type OrdersMetric = (typeof ordersMetrics)[keyof typeof ordersMetrics];
