import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanSecrets } from '../../../../lib/ops/security/secrets';
import { tempDir } from '../../../helpers/temp-dir';

// A made-up AWS secret access key, built here so that this file holds none: secretlint scans this repository too.
const FAKE_AWS_SECRET = ['Qw8eRt5yUi2oPa9s', 'Df6gHj3kLz0xCv7b', 'Nm4qWe1r'].join('');

test('scans every file .gitignore does not ignore where there is no git work tree, as in the pipeline’s source zip', async () => {
  const root = tempDir('keel-secrets-');
  const planted = `aws_secret_access_key = "${FAKE_AWS_SECRET}"\n`;
  for (const file of ['lib/settings.ts', 'build/output.ts', 'node_modules/dep/index.js']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), planted);
  }
  fs.writeFileSync(path.join(root, '.gitignore'), 'build/\n');

  const scan = await scanSecrets(root);

  expect(scan.checked).toBe('2 file(s) not ignored by .gitignore');
  expect(scan.findings.map((f) => f.id)).toEqual([
    expect.stringMatching(/^@secretlint\/secretlint-rule-aws:lib\/settings\.ts:[0-9a-f]{12}$/),
  ]);
});

test('fails closed when there is nothing to scan: no file is no evidence of no secret', async () => {
  await expect(scanSecrets(tempDir('keel-secrets-'), { files: [] })).rejects.toMatchObject({
    exitCode: 1,
    message: expect.stringMatching(/^secretlint scanned no file under .*, which proves nothing; the gate fails closed/),
  });
});
