import * as fs from 'node:fs';
import * as path from 'node:path';
import { thisRepository } from '../../../../lib/ops/commands/repository';

test('is the keel repository this CLI belongs to, with its team registry and services', () => {
  const { root, registry } = thisRepository();

  expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))).toMatchObject({ name: 'keel' });
  expect(fs.existsSync(path.join(root, 'lib', 'ops', 'cli.ts'))).toBe(true);
  expect(registry.teams.map((team) => team.id)).toContain('platform');
});
