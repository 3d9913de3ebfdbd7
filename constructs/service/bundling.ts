import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, FeatureFlags, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES } from 'aws-cdk-lib/cx-api';
import type { BuildOptions } from 'esbuild';
import type { Construct, IConstruct } from 'constructs';
import { KeelValidationError } from '../errors';

/** The lock files NodejsFunction looks for, in its order. */
const LOCK_FILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock', 'package-lock.json'];

export interface HandlerBundleProps {
  /** Path of the handler file. */
  readonly entry: string;
  /**
   * Where the package lock is; its folder is the project root esbuild runs in.
   * @default - the nearest lock file upwards from the working directory, as NodejsFunction finds it
   */
  readonly depsLockFilePath?: string;
}

/**
 * Bundles a handler with esbuild's API, in this process, exactly as `NodejsFunction` does with Keel's bundling
 * options (minified, source maps, CommonJS, node24, the AWS SDK left to the runtime), which spawns
 * `npx --no-install esbuild` for each handler instead: the same `index.js` and `index.js.map`, so the same asset hash.
 */
export class EsbuildBundler implements ILocalBundling {
  /**
   * Everything that shapes the bundle, entry included. aws-cdk-lib caches staged assets in the process under a key
   * made from the bundling options' data, this object's fields among them: two handlers never share one bundle.
   */
  public readonly options: BuildOptions;

  constructor(options: BuildOptions) {
    this.options = options;
  }

  public tryBundle(outputDir: string): boolean {
    // Loaded only when a bundle is built: synths that skip bundling, and tools that never bundle, need no esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ ...this.options, outfile: path.join(outputDir, 'index.js') });
    return true;
  }
}

/** The handler file of each construct whose code was made by `bundledHandlerCode`. */
const HANDLER_ENTRIES = new WeakMap<IConstruct, string>();

/**
 * The absolute path of the handler file `bundledHandlerCode` bundles for `scope` (a ServiceFunction), for checks that
 * read the handler's sources at synth, bundled or not.
 * @returns undefined when `scope`'s code was not made by `bundledHandlerCode`
 */
export function handlerEntryOf(scope: IConstruct): string | undefined {
  return HANDLER_ENTRIES.get(scope);
}

/**
 * Records `entry` as the source file whose code `scope` runs, for the same checks: a container service registers its
 * app's main file, which esbuild does not bundle here (Docker builds the image).
 */
export function registerHandlerEntry(scope: IConstruct, entry: string): void {
  HANDLER_ENTRIES.set(scope, path.resolve(entry));
}

/** The Lambda code of the handler at `props.entry`, bundled in-process; its handler is `index.<name>`. */
export function bundledHandlerCode(scope: Construct, props: HandlerBundleProps): lambda.Code {
  registerHandlerEntry(scope, props.entry);
  const projectRoot = path.dirname(lockFile(scope, props.depsLockFilePath));
  const smithyExternal = FeatureFlags.of(scope).isEnabled(LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES);
  const bundler = new EsbuildBundler({
    absWorkingDir: projectRoot,
    entryPoints: [path.resolve(props.entry)],
    bundle: true,
    target: 'node24',
    platform: 'node',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    external: smithyExternal ? ['@aws-sdk/*', '@smithy/*'] : ['@aws-sdk/*'],
  });
  return lambda.Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    // The image is never pulled: the local bundler always builds the bundle.
    bundling: { image: DockerImage.fromRegistry('dummy'), local: bundler },
  });
}

function lockFile(scope: Construct, given: string | undefined): string {
  const where = `${scope.node.path} depsLockFilePath`;
  if (given !== undefined) {
    if (!fs.existsSync(given) || !fs.statSync(given).isFile()) {
      throw new KeelValidationError(`Invalid function ${scope.node.path}:`, [
        { where, what: `${JSON.stringify(given)} is not a file`, fix: 'pass the path of the package lock file' },
      ]);
    }
    return path.resolve(given);
  }
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const found = LOCK_FILES.map((name) => path.join(dir, name)).filter((file) => fs.existsSync(file));
    if (found.length > 1) {
      throw new KeelValidationError(`Invalid function ${scope.node.path}:`, [
        { where, what: `several lock files: ${found.join(', ')}`, fix: 'pass the one to use as depsLockFilePath' },
      ]);
    }
    if (found.length === 1) return found[0];
    if (path.dirname(dir) === dir) {
      throw new KeelValidationError(`Invalid function ${scope.node.path}:`, [
        {
          where,
          what: `no package lock file above ${process.cwd()}`,
          fix: 'run npm install, or pass depsLockFilePath',
        },
      ]);
    }
  }
}
