import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../constructs';
import { CachedCloudFormationValidate } from '../../constructs/governance/cloudformation-validate-cache';
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
  const app = unbundledTestApp({}, { cloudFormationValidation: true });
  // As in `cdk synth` (constructs/governance/compliance.ts): aws-cdk-lib's CloudFormation validator in Keel's cached
  // form, which reports exactly what the engine reports and starts it only for a template it has not seen.
  const cloudFormation = CachedCloudFormationValidate.forApp(app);
  if (cloudFormation) Validations.of(app).addPlugins(cloudFormation);
  return Template.fromStack(service.stack(app, stackName, props));
}
