import type { App, AppProps } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';
import { writeManifest } from '../constructs';
import { loadConfig, repositoryDefinition, type ConfigDefinition, type ConfigSource } from './config/load';
import type { KeelConfig } from './config/model';
import { buildPlatform, readSynthOptions } from './platform';
import { services as repositoryServices } from './services';
import type { ServiceDefinition } from './services/service-stack';
import { isUserMistake, StageFailures, synthesizeStages } from './stages';

/**
 * The App that `runSynth` synthesizes, for bin/app.ts and anything synthesized the same way. It records no creation
 * stack trace on each CloudFormation element (about 7% of a full synth, measured on 20 services; they only ever
 * reached `*.metadata.json` in the cloud assembly): `cdk synth --debug` records them, as aws-cdk-lib does in debug
 * mode. Context from the CDK CLI or cdk.json takes precedence over these props.
 */
export const SYNTH_APP_PROPS: AppProps = { autoSynth: false, context: { [DISABLE_CREATION_STACK_TRACES]: true } };

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
 * The whole synth as `cdk synth` runs it: load and validate config, build every stack (of the services
 * `-c keel:services` names, all by default), synthesize with all checks, write the compliance report. A mistake in
 * the user's own config or code ends the process with its message and exit code 1, never a stack trace; every Stage is
 * built and synthesized even when another failed, so the message lists every mistake of every Stage.
 * aws-cdk-lib's `Bundling asset <path>...` lines are left out unless asked for (`-c keel:verbose=on`, or
 * `cdk synth --debug`), so the compliance summary ends a quiet screen.
 */
export function runSynth(
  createApp: () => App,
  definition: Omit<ConfigDefinition, 'services'> = repositoryDefinition,
  services: readonly ServiceDefinition[] = repositoryServices,
): void {
  try {
    const app = createApp();
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const synth = () => {
      const config = loadRepositoryConfig({ context, env: process.env }, definition, services);
      // Assets are bundled as the stacks are built, before the synth.
      const platform = buildPlatform(app, config, readSynthOptions(context, config), services);
      // Every Stage first, so that a mistake repeated in several Stages is reported for each (lib/stages.ts).
      const failures = synthesizeStages(app);
      if (failures.length > 0) throw new StageFailures(failures);
      return { platform, result: platform.compliance.synth() };
    };
    const verbose = context('keel:verbose') === 'on' || process.env.CDK_DEBUG === 'true';
    const { platform, result } = verbose ? synth() : withoutBundlingLines(synth);
    if (platform.partial) console.error(`  ${platform.partial}`);
    if (result.assembly) writeManifest(app, result.assembly.directory);
    if (!result.passed) process.exitCode = 1;
  } catch (error) {
    if (isUserMistake(error)) {
      console.error(`\n${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/** Runs `run` with aws-cdk-lib's `Bundling asset <path>...` lines (core/lib/asset-staging.js) kept off standard error. */
export function withoutBundlingLines<T>(run: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('Bundling asset ')
      ? true
      : Reflect.apply(write, process.stderr, [chunk, ...rest])) as typeof process.stderr.write;
  try {
    return run();
  } finally {
    process.stderr.write = write;
  }
}
