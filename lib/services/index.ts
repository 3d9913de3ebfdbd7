import { helloContainer } from './hello-container';
import { orders } from './orders';
import type { ServiceDefinition } from './service-stack';

/**
 * Every service the platform deploys, each defined once in its own folder (its config and its stack). Synth builds
 * them in this order. `keel new-service` adds one import and one entry here.
 */
export const services: readonly ServiceDefinition[] = [orders, helloContainer];
