import { Errors, type App } from 'aws-cdk-lib';
import { KeelValidationError, writeManifest } from '../constructs';
import { loadConfig, repositoryDefinition, type ConfigDefinition, type ConfigSource } from './config/load';
import type { KeelConfig } from './config/model';
import { buildPlatform, readSynthOptions } from './platform';
import { services as repositoryServices } from './services';
import type { ServiceDefinition } from './services/service-stack';

/**
 * Loads and validates the config of `definition` with the config of each of `services`, taken from the services'
 * own definitions.
 * @throws KeelValidationError listing every problem (lib/config/load.ts).
 */
export function loadRepositoryConfig(
  source: ConfigSource,
  definition: Omit<ConfigDefinition, 'services'> = repositoryDefinition,
  services: readonly ServiceDefinition[] = repositoryServices,
): KeelConfig {
  return loadConfig(source, { ...definition, services: services.map((service) => service.config) });
}

/**
 * The whole synth as `cdk synth` runs it: load and validate config, build every stack, synthesize with all
 * checks, write the compliance report. A mistake in the user's own config or code ends the process with
 * its message and exit code 1, never a stack trace.
 */
export function runSynth(
  createApp: () => App,
  definition: Omit<ConfigDefinition, 'services'> = repositoryDefinition,
  services: readonly ServiceDefinition[] = repositoryServices,
): void {
  try {
    const app = createApp();
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const config = loadRepositoryConfig({ context, env: process.env }, definition, services);
    const platform = buildPlatform(app, config, readSynthOptions(context, config), services);
    const result = platform.compliance.synth();
    if (result.assembly) writeManifest(app, result.assembly.directory);
    if (!result.passed) process.exitCode = 1;
  } catch (error) {
    if (error instanceof KeelValidationError || (Errors.isConstructError(error) && error.type === 'validation')) {
      console.error(`\n${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
