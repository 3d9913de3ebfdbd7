import type { ServiceConfig } from './model';

/** Every service the platform deploys, with its owner and the sensitivity of its data. */
export const services: readonly ServiceConfig[] = [
  { name: 'orders', owner: 'commerce', dataClassification: 'confidential' },
];
