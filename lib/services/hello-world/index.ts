import type { ServiceDefinition } from '../service-stack';
import { HelloWorldStack } from './hello-world-stack';

/**
 * The hello-world service, owned by commerce: its config and its stack, defined once. A service is deployed once
 * lib/services/index.ts lists its definition.
 */
export const helloWorld: ServiceDefinition = {
  config: { name: 'hello-world', owner: 'commerce', dataClassification: 'confidential' },
  stack: (scope, id, props) => new HelloWorldStack(scope, id, props),
};
