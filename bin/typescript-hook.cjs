// Runs Keel's TypeScript under plain Node: `node --require ./bin/typescript-hook.cjs bin/app.ts` (cdk.json's app).
//
// Each .ts file is compiled to CommonJS by esbuild, the compiler tsx uses, once: the JavaScript is kept in
// node_modules/.cache/keel/typescript/ (or $KEEL_CACHE_DIRECTORY/typescript/, as Keel's other caches) under the hash
// of everything that shapes it (esbuild's version, the options, the file's name and its bytes), so a second synth
// loads it as precompiled JavaScript. The source map names the file relative to itself, and Node resolves it against
// the module's own path: a copy of the repository elsewhere (a clone, the scaffold test's copy) reuses the same
// entries, and the cache does not grow with every directory a file was ever run from. Unlike tsx, nothing else in
// the process is touched: every other require (aws-cdk-lib's thousands included) goes through Node's own resolver,
// which is most of what tsx cost a synth (bench/synth.ts; README, Performance).
//
// esbuild is a production dependency because of this file: `keel` runs through it, in the pipeline's gate steps too,
// which install with `npm ci --omit=dev`.
//
// Types are not checked here, as with tsx: `npm run typecheck` and `npm test` do that. The cache is safe to delete;
// KEEL_TYPESCRIPT_CACHE=off compiles every file in memory instead. Stack traces point into the .ts sources.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
// esbuild itself is loaded only to compile a file the cache does not hold: a warm start reads JSON and JavaScript.
const ESBUILD_PACKAGE = require.resolve('esbuild/package.json');

const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'tsconfig.json'), 'utf8'));
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions },
};
const CACHE_DIRECTORY = path.join(
  process.env.KEEL_CACHE_DIRECTORY ?? path.join(path.dirname(ESBUILD_PACKAGE), '..', '.cache', 'keel'),
  'typescript',
);
const cacheOn = process.env.KEEL_TYPESCRIPT_CACHE !== 'off';
const optionsKey = JSON.stringify([JSON.parse(fs.readFileSync(ESBUILD_PACKAGE, 'utf8')).version, OPTIONS]);

/** Compiles one file; a file esbuild cannot parse stops the process with esbuild's own lines, not a stack trace. */
function compile(source, filename) {
  try {
    return require('esbuild').transformSync(source, { ...OPTIONS, sourcefile: path.basename(filename) }).code;
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    for (const { text, location } of error.errors) {
      const where = location ? `${filename}:${location.line}:${location.column + 1}` : filename;
      console.error(`${where}: ${text}`);
    }
    console.error('keel: fix the TypeScript above; `npm run typecheck` lists every type error too');
    process.exit(1);
  }
}

/** The compiled JavaScript of `filename`, from the cache when it holds this exact source. */
function javascriptOf(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  if (!cacheOn) return compile(source, filename);
  const key = crypto
    .createHash('sha256')
    .update(`${optionsKey}\0${path.basename(filename)}\0${source}`)
    .digest('hex');
  const cached = path.join(CACHE_DIRECTORY, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const code = compile(source, filename);
    try {
      // Written whole under a temporary name, then renamed: two synths at once never read half a file.
      fs.mkdirSync(CACHE_DIRECTORY, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, code);
      fs.renameSync(partial, cached);
    } catch {
      // A cache that cannot be written (read-only node_modules) costs time, not correctness.
    }
    return code;
  }
}

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = (module, filename) => module._compile(javascriptOf(filename), filename);
