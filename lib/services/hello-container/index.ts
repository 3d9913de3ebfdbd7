import type { ServiceDefinition } from '../service-stack';
import { HelloContainerStack } from './hello-container-stack';

/**
 * The hello-container service, owned by commerce: its config and its stack, defined once. A service is deployed once
 * lib/services/index.ts lists its definition.
 */
export const helloContainer: ServiceDefinition = {
  config: { name: 'hello-container', owner: 'commerce', dataClassification: 'internal' },
  stack: (scope, id, props) => new HelloContainerStack(scope, id, props),
};
