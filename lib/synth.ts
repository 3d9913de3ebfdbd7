import { Errors, type App } from 'aws-cdk-lib';
import { KeelValidationError, writeManifest } from '../constructs';
import { loadConfig, type ConfigDefinition, repositoryDefinition } from './config/load';
import { buildPlatform, readSynthOptions } from './platform';
import { serviceStacks, type ServiceStackFactory } from './services';

/**
 * The whole synth as `cdk synth` runs it: load and validate config, build every stack, synthesize with all
 * checks, write the compliance report. A mistake in the user's own config or code ends the process with
 * its message and exit code 1, never a stack trace.
 */
export function runSynth(
  createApp: () => App,
  definition: ConfigDefinition = repositoryDefinition,
  stackFactories: Readonly<Record<string, ServiceStackFactory>> = serviceStacks,
): void {
  try {
    const app = createApp();
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const config = loadConfig({ context, env: process.env }, definition);
    const platform = buildPlatform(app, config, readSynthOptions(context, config), stackFactories);
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
