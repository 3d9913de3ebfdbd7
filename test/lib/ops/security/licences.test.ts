import * as fs from 'node:fs';
import * as path from 'node:path';
import { platform } from '../../../../lib/config/platform';
import { licenceFindings, productionPackages } from '../../../../lib/ops/security/licences';
import { cliFailure } from '../../../helpers/refusal';
import { tempDir } from '../../../helpers/temp-dir';

const LOCK = path.join(__dirname, '..', '..', '..', '..', 'package-lock.json');

test('fails when an allow-list entry is not an SPDX id, in one line naming the field, the value and the id meant', async () => {
  const lock = path.join(tempDir('keel-licences-'), 'package-lock.json');
  fs.writeFileSync(lock, JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }));

  const error = await cliFailure(Promise.resolve().then(() => licenceFindings(lock, ['MIT', 'Apache 2.0'])));

  expect(error.exitCode).toBe(2);
  expect(error.message).toBe(
    'platform.licences.allowed (lib/config/platform.ts): "Apache 2.0" is not an SPDX licence id; fix: write "Apache-2.0"',
  );
});

test("this repository's production dependencies are each allowed by the allow-list, or acknowledged", () => {
  const acknowledgments = JSON.parse(
    fs.readFileSync(path.join(path.dirname(LOCK), 'security-acknowledgments.json'), 'utf8'),
  ) as { licences?: Record<string, unknown> };

  const { findings } = licenceFindings(LOCK, platform.licences.allowed);

  expect(
    findings.filter((f) => ![f.id, ...(f.aliases ?? [])].some((id) => id in (acknowledgments.licences ?? {}))),
  ).toEqual([]);
  // The allow-list is honest: each licence on it is one a production dependency has.
  const used = new Set(productionPackages(LOCK).flatMap((p) => (p.license ?? '').split(/[\s()]+/)));
  expect(platform.licences.allowed.filter((id) => !used.has(id))).toEqual([]);
});
