import { Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../constructs';
import type { EnvironmentName } from '../../lib/config/model';
import { serviceStackProps } from '../../lib/platform';
import type { ServiceDefinition } from '../../lib/services/service-stack';
import { loadRepositoryConfig } from '../../lib/synth';
import { repositoryContext, unbundledTestApp } from './app';

/**
 * The template of a service for one environment, built from its definition with the props the platform gives it
 * (team profile included) and the repository's config, without bundling. The service need not be in
 * lib/services/index.ts: its config is validated on its own.
 */
export function serviceTemplate(service: ServiceDefinition, environmentName: EnvironmentName): Template {
  const config = loadRepositoryConfig({ context: (key) => repositoryContext[key], env: {} }, undefined, [service]);
  const environment = config.environments.find((e) => e.name === environmentName);
  if (!environment) throw new Error(`no environment ${environmentName}`);
  const stackName = `${pascalCase(service.config.name)}-${environmentName}`;
  const props = serviceStackProps(config, service.config, environment);
  return Template.fromStack(service.stack(unbundledTestApp({}, { cloudFormationValidation: true }), stackName, props));
}
