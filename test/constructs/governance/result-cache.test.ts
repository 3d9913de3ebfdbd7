import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResultCache } from '../../../constructs/governance/result-cache';
import { tempDir } from '../../helpers/temp-dir';

const SWITCH = 'KEEL_RESULT_CACHE_TEST';

afterEach(() => {
  Reflect.deleteProperty(process.env, SWITCH);
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
