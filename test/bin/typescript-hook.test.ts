import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dir';

const HOOK = path.join(__dirname, '..', '..', 'bin', 'typescript-hook.cjs');

/** Runs `node --require bin/typescript-hook.cjs <entry>` as cdk.json's app does, with Keel's caches in `cache`/.. */
function run(entry: string, cache: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--require', HOOK, entry], {
    encoding: 'utf8',
    env: { ...process.env, KEEL_CACHE_DIRECTORY: path.dirname(cache), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A directory with main.ts, which imports ./greeting (a .ts file) without an extension, as Keel's code does. */
function project(greeting = "export const greeting: string = 'hello';\n"): { dir: string; main: string } {
  const dir = tempDir('keel-hook-');
  fs.writeFileSync(path.join(dir, 'greeting.ts'), greeting);
  const main = path.join(dir, 'main.ts');
  fs.writeFileSync(main, "import { greeting } from './greeting';\nconsole.log(greeting);\n");
  return { dir, main };
}

const cachedFiles = (cache: string) => (fs.existsSync(cache) ? fs.readdirSync(cache).sort() : []);

describe('bin/typescript-hook.cjs, which runs cdk.json’s app', () => {
  test('runs TypeScript, and a second run loads the compiled JavaScript it kept instead of compiling again', () => {
    const { main } = project();
    const cache = path.join(tempDir('keel-hook-cache-'), 'typescript');
    expect(run(main, cache)).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    const kept = cachedFiles(cache);
    expect(kept).toHaveLength(2);
    expect(kept.every((file) => file.endsWith('.js'))).toBe(true);
    // Proof that the cache is what runs: an edited cache entry is what the second run prints.
    for (const file of kept) {
      const entry = path.join(cache, file);
      fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace('"hello"', '"from the cache"'));
    }
    expect(run(main, cache).stdout).toBe('from the cache\n');
  });

  test('a changed source is compiled again, whatever the cache holds', () => {
    const { dir, main } = project();
    const cache = path.join(tempDir('keel-hook-cache-'), 'typescript');
    run(main, cache);
    fs.writeFileSync(path.join(dir, 'greeting.ts'), "export const greeting: string = 'changed';\n");
    expect(run(main, cache).stdout).toBe('changed\n');
    expect(cachedFiles(cache)).toHaveLength(3);
  });

  test('KEEL_TYPESCRIPT_CACHE=off compiles in memory and writes nothing', () => {
    const { main } = project();
    const cache = path.join(tempDir('keel-hook-cache-'), 'typescript');
    expect(run(main, cache, { KEEL_TYPESCRIPT_CACHE: 'off' }).stdout).toBe('hello\n');
    expect(fs.existsSync(cache)).toBe(false);
  });

  test('stack traces name the line of the .ts source, cached or not', () => {
    const { main } = project(
      "// one\n// two\nexport const greeting: string = (() => {\n  throw new Error('boom');\n})();\n",
    );
    const cache = path.join(tempDir('keel-hook-cache-'), 'typescript');
    for (let i = 0; i < 2; i++) {
      const { code, stderr } = run(main, cache);
      expect(code).toBe(1);
      expect(stderr).toContain(`${path.join(path.dirname(main), 'greeting.ts')}:4:9`);
    }
  });

  test('a file that does not parse stops the run with the file, line and column, and no stack trace', () => {
    const { main } = project('export function greeting( {\n');
    const result = run(main, path.join(tempDir('keel-hook-cache-'), 'typescript'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${path.join(path.dirname(main), 'greeting.ts')}:2:1: Expected identifier but found end of file`,
      'keel: fix the TypeScript above; `npm run typecheck` lists every type error too',
    ]);
  });
});

test('a copy of the same files elsewhere reuses their entries, and its stack traces name the copy', () => {
  const cache = path.join(tempDir('keel-hook-cache-'), 'typescript');
  const thrower = "// one\n// two\nexport const greeting: string = (() => {\n  throw new Error('boom');\n})();\n";
  const first = project(thrower);
  const second = project(thrower);
  expect(run(first.main, cache).stderr).toContain(`${path.join(first.dir, 'greeting.ts')}:4:9`);
  const entries = cachedFiles(cache);
  const { stderr } = run(second.main, cache);
  expect(stderr).toContain(`${path.join(second.dir, 'greeting.ts')}:4:9`);
  expect(cachedFiles(cache)).toEqual(entries);
});
