import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/temp-dir';

const ROOT = path.join(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** dependency-cruiser's verdict on a tree of `files` (path to source), with this repository's rules. */
function cruise(files: Readonly<Record<string, string>>): { status: number | null; output: string } {
  const dir = tempDir('keel-rooms-');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [file, source] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  // node_modules is a link here but a folder in the repository: resolved without following the link, its files are
  // node_modules/aws-cdk-lib/..., as the repository's imports resolve (a rule's exclude must not hide them).
  const config = path.join(dir, 'config.cjs');
  const options = '{ ...rules.options, preserveSymlinks: true }';
  fs.writeFileSync(
    config,
    `const rules = require(${JSON.stringify(CONFIG)});\nmodule.exports = { ...rules, options: ${options} };\n`,
  );
  const roots = [...new Set(Object.keys(files).map((file) => file.split('/')[0]))];
  const result = spawnSync(DEPCRUISE, [...roots, '--config', config, '--output-type', 'err'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the rooms of this repository import only downwards and without cycles', () => {
  const result = spawnSync(DEPCRUISE, ['constructs', 'lib', 'bin', 'bench', 'tools', 'test', '--config', CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(result.stdout + result.stderr).toContain('no dependency violations found');
  expect(result.status).toBe(0);
});

test('fails on an import cycle, an import of a room above, aws-cdk-lib in the CLI or a container app, an export of private/, and all of cdk-nag', () => {
  const { status, output } = cruise({
    'constructs/service/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'constructs/service/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    'constructs/observability/watch.ts': "import { ship } from '../delivery/ship';\nexport const watch = ship;\n",
    'constructs/delivery/ship.ts': 'export const ship = 1;\n',
    'lib/ops/status.ts': "import { Duration } from 'aws-cdk-lib';\nexport const bake = Duration.minutes(10);\n",
    'lib/services/shop/app/server.ts':
      "import { Duration } from 'aws-cdk-lib';\nexport const grace = Duration.seconds(25);\n",
    'constructs/index.ts': "export * from './private/helper';\n",
    'constructs/private/helper.ts': 'export const helper = 1;\n',
    'lib/teams/shop/rule.ts':
      "import { NagRuleCompliance } from 'cdk-nag';\nexport const pass = NagRuleCompliance.COMPLIANT;\n",
  });
  expect(status).not.toBe(0);
  expect(output).toContain('error no-circular: constructs/service/a.ts');
  expect(output).toContain(
    'error observability-below-delivery: constructs/observability/watch.ts → constructs/delivery/ship.ts',
  );
  expect(output).toMatch(/error cli-loads-no-synth-library: lib\/ops\/status\.ts → \S*node_modules\/aws-cdk-lib\//);
  expect(output).toContain(
    'error handler-code-stays-light: lib/services/shop/app/server.ts → node_modules/aws-cdk-lib/',
  );
  expect(output).toContain('error private-stays-private: constructs/index.ts → constructs/private/helper.ts');
  expect(output).toContain(
    'error heavy-libraries-load-on-use: lib/teams/shop/rule.ts → node_modules/cdk-nag/lib/index.js',
  );
});
