import { Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../constructs';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentName } from '../../lib/config/model';
import { serviceStackProps } from '../../lib/platform';
import { serviceStacks } from '../../lib/services';
import { repositoryContext, unbundledTestApp } from './app';

const config = loadConfig({ context: (key) => repositoryContext[key], env: {} });

/**
 * The template of a service in lib/config/services.ts for one environment, built by its factory in
 * lib/services/index.ts with the props the platform gives it (team profile included), without bundling.
 */
export function serviceTemplate(name: string, environmentName: EnvironmentName): Template {
  const service = config.services.find((s) => s.name === name);
  const environment = config.environments.find((e) => e.name === environmentName);
  const factory = serviceStacks[name];
  if (!service || !environment || !factory) {
    throw new Error(`service ${name} is not in lib/config/services.ts and lib/services/index.ts`);
  }
  const stackName = `${pascalCase(name)}-${environmentName}`;
  return Template.fromStack(factory(unbundledTestApp(), stackName, serviceStackProps(config, service, environment)));
}
