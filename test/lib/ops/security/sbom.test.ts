import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSbom } from '../../../../lib/ops/security/sbom';
import { cliFailure } from '../../../helpers/refusal';
import { tempDir } from '../../../helpers/temp-dir';

/** An installed npm project: left-pad in production, tool in development. */
function project(): string {
  const root = tempDir('keel-sbom-');
  const write = (file: string, content: object) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), JSON.stringify(content));
  };
  const manifest = {
    name: 'app',
    version: '1.0.0',
    dependencies: { 'left-pad': '1.3.0' },
    devDependencies: { tool: '1.0.0' },
  };
  write('package.json', manifest);
  write('node_modules/left-pad/package.json', { name: 'left-pad', version: '1.3.0', license: 'WTFPL' });
  write('node_modules/tool/package.json', { name: 'tool', version: '1.0.0', license: 'MIT' });
  write('package-lock.json', {
    ...manifest,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': manifest,
      'node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' },
      'node_modules/tool': { version: '1.0.0', dev: true, license: 'MIT' },
    },
  });
  return root;
}

test('writes a CycloneDX SBOM of the production dependencies, validated by cyclonedx-npm, where the pipeline keeps it', async () => {
  const root = project();

  const sbom = await writeSbom(root, 'cdk.out/sbom.cdx.json');
  const bom = JSON.parse(fs.readFileSync(path.join(root, 'cdk.out', 'sbom.cdx.json'), 'utf8')) as {
    bomFormat: string;
    metadata: { component: { name: string } };
    components: { name: string; version: string; licenses: { license: { id: string } }[] }[];
  };

  expect(sbom).toMatchObject({ file: path.join(root, 'cdk.out', 'sbom.cdx.json'), components: 1, specVersion: '1.6' });
  expect(bom.bomFormat).toBe('CycloneDX');
  expect(bom.metadata.component.name).toBe('app');
  expect(bom.components.map((c) => [c.name, c.version, c.licenses[0].license.id])).toEqual([
    ['left-pad', '1.3.0', 'WTFPL'],
  ]);
});

test('fails when there is no npm project to describe, in one line with the fix', async () => {
  const error = await cliFailure(writeSbom(tempDir('keel-sbom-'), 'sbom.cdx.json'));

  expect(error.exitCode).toBe(1);
  expect(error.message).toMatch(
    /^sbom: cyclonedx-npm could not write .*sbom\.cdx\.json \(.+\); fix: run npm ci first, then rerun$/,
  );
});

test('refuses an --out it cannot write, in one line (exit 2), before running anything', async () => {
  const root = tempDir('keel-sbom-');
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const error = await cliFailure(writeSbom(root, 'package.json/sbom.cdx.json'));

  expect(error.exitCode).toBe(2);
  expect(error.message).toBe(
    '--out "package.json/sbom.cdx.json" cannot be written (EEXIST); pass a writable file path',
  );
});
