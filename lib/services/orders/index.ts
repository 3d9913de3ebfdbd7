import type { ServiceDefinition } from '../service-stack';
import { OrdersStack } from './orders-stack';

/** The orders service, owned by commerce: its config and its stack, defined once. */
export const orders: ServiceDefinition = {
  config: { name: 'orders', owner: 'commerce', dataClassification: 'confidential' },
  stack: (scope, id, props) => new OrdersStack(scope, id, props),
};
