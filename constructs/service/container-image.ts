import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { keelCacheDirectory } from '../governance/result-cache';

/** What the staged build context never holds: installed packages, build output and tests. */
const SKIPPED = /^(node_modules|dist|cdk\.out|coverage|\.git)$|\.test\.[cm]?[jt]sx?$/;

/** The staged folder of each entry and Dockerfile, per App: one bundle however many environments use it. */
const STAGED = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A Docker build context for a Node.js app, made at synth without Docker: the files of the Dockerfile's folder
 * (without node_modules, build output and tests) plus `app.js` and `app.js.map`, which esbuild bundles in this process
 * from `entry` with everything it imports, the AWS SDK included (node22, CommonJS, minified).
 *
 * The folder is named by a hash of its contents under Keel's cache directory, so the image asset's hash changes with
 * the app's code and nothing else, and a second environment's stack reuses the first's folder.
 *
 * @returns the folder, for `ContainerImage.fromAsset`
 */
export function stagedBuildContext(scope: IConstruct, entry: string, dockerfile: string): string {
  const root = scope.node.root;
  const key = `${path.resolve(entry)}\0${path.resolve(dockerfile)}`;
  const perApp = STAGED.get(root) ?? new Map<string, string>();
  STAGED.set(root, perApp);
  const known = perApp.get(key);
  if (known !== undefined) return known;

  const contextDir = path.dirname(path.resolve(dockerfile));
  const files = new Map<string, Buffer>();
  for (const file of listFiles(contextDir)) files.set(file, fs.readFileSync(path.join(contextDir, file)));
  // A Dockerfile not called `Dockerfile` is staged under that name, which `docker build` reads by default.
  files.set('Dockerfile', fs.readFileSync(path.resolve(dockerfile)));
  for (const [name, contents] of bundle(entry, contextDir)) files.set(name, contents);

  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort())
    hash
      .update(`${name}\0`)
      .update(files.get(name) ?? '')
      .update('\0');
  const staged = path.join(keelCacheDirectory('container-images'), hash.digest('hex').slice(0, 32));
  if (!fs.existsSync(staged)) writeAtomically(staged, files);
  perApp.set(key, staged);
  return staged;
}

/** Every file under `dir` (relative, `/`-separated), skipping what SKIPPED names. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !SKIPPED.test(entry.name))
    .flatMap((entry) => {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) return listFiles(dir, relative);
      return entry.isFile() ? [relative] : [];
    });
}

/** `app.js` and `app.js.map` for `entry`; source map paths relative to the build context, so the same anywhere. */
function bundle(entry: string, contextDir: string): [string, Buffer][] {
  // Loaded only when an image is staged, as in bundling.ts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    absWorkingDir: contextDir,
    entryPoints: [path.resolve(entry)],
    outfile: path.join(contextDir, 'app.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => [path.basename(file.path), Buffer.from(file.contents)]);
}

/** Writes `files` into a sibling temporary folder, then renames it to `target`: a reader never sees half a folder. */
function writeAtomically(target: string, files: ReadonlyMap<string, Buffer>): void {
  const partial = `${target}.${process.pid}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  for (const [name, contents] of files) {
    fs.mkdirSync(path.dirname(path.join(partial, name)), { recursive: true });
    fs.writeFileSync(path.join(partial, name), contents);
  }
  try {
    fs.renameSync(partial, target);
  } catch (error) {
    // Another process staged the same contents first: its folder is as good as this one.
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
}
