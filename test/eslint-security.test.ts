import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** A handler that evaluates its input and reads a file it names: what eslint-plugin-security is for. */
const PLANTED = [
  "import * as fs from 'node:fs';",
  '',
  'export function run(input: string, file: string): unknown {',
  "  return eval(input) ?? fs.readFileSync(file, 'utf8');",
  '}',
  '',
].join('\n');

test('npm run lint (eslint --max-warnings 0 with this repository’s config) fails on a planted eval in handler code', () => {
  // The fixture is linted from stdin, as if it were a file of the shared runtime code: nothing is written here.
  const result = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--max-warnings',
      '0',
      '--format',
      'json',
      '--stdin',
      '--stdin-filename',
      'lib/services/runtime/planted.ts',
    ],
    { cwd: ROOT, input: PLANTED, encoding: 'utf8' },
  );
  const [report] = JSON.parse(result.stdout) as [{ messages: { ruleId: string; line: number }[] }];

  expect(report.messages.map((m) => [m.ruleId, m.line])).toEqual([
    ['security/detect-eval-with-expression', 4],
    ['security/detect-non-literal-fs-filename', 4],
  ]);
  expect(result.status).toBe(1);
});
