import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResultCache, keelCacheDirectory } from '../../../constructs/governance/result-cache';
import { tempDir } from '../../helpers/temp-dir';

const SWITCH = 'KEEL_RESULT_CACHE_TEST';

afterEach(() => {
  Reflect.deleteProperty(process.env, SWITCH);
  Reflect.deleteProperty(process.env, 'KEEL_CACHE_DIRECTORY');
});

test("Keel's caches live in node_modules/.cache/keel, or where KEEL_CACHE_DIRECTORY says (as in the pipeline)", () => {
  const nodeModules = path.dirname(path.dirname(require.resolve('aws-cdk-lib/package.json')));
  expect(keelCacheDirectory('control-tower')).toBe(path.join(nodeModules, '.cache', 'keel', 'control-tower'));
  process.env.KEEL_CACHE_DIRECTORY = '/root/.cache/keel';
  expect(keelCacheDirectory('control-tower')).toBe('/root/.cache/keel/control-tower');
});

test('gives back what was kept under a key, and nothing under another', () => {
  const cache = new ResultCache<{ rule: string }>(path.join(tempDir('keel-cache-'), 'nested'), SWITCH);
  cache.write('k1', [{ rule: 'W3030' }]);
  expect(cache.read('k1')).toEqual([{ rule: 'W3030' }]);
  expect(cache.read('k2')).toBeUndefined();
});

test('misses when switched off, and when an entry cannot be read, so the validator runs again', () => {
  const directory = tempDir('keel-cache-');
  const cache = new ResultCache<number>(directory, SWITCH);
  cache.write('k', [1]);
  process.env[SWITCH] = 'off';
  expect(cache.read('k')).toBeUndefined();
  Reflect.deleteProperty(process.env, SWITCH);
  fs.writeFileSync(path.join(directory, 'k.json'), '{"half":');
  expect(cache.read('k')).toBeUndefined();
});

test('keys differ when the parts differ, even where their joined text is the same', () => {
  expect(ResultCache.key('ab', 'c')).not.toBe(ResultCache.key('a', 'bc'));
  expect(ResultCache.key('a', 'b')).toBe(ResultCache.key('a', 'b'));
});
