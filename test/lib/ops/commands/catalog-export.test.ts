import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeelManifest } from '../../../../constructs/manifest/manifest-schema';
import { runKeel as run, testUsageErrors, type UsageErrorCase } from '../../../helpers/cli';
import { manifestService, tempDir } from '../../../helpers/manifest';

/** A cloud assembly with `shop` of commerce in prod: its manifest entry, and a template with its tags and a table. */
function shopAssembly(): string {
  const dir = tempDir('keel-catalog-');
  const manifest: KeelManifest = {
    version: 1,
    generatedAt: '2025-01-01T00:00:00.000Z',
    services: [manifestService({ pipeline: { name: 'shop-pipeline', stage: 'Shop-prod', region: 'eu-west-1' } })],
  };
  const Tags = [
    { Key: 'DataClassification', Value: 'internal' },
    { Key: 'Owner', Value: 'commerce' },
  ];
  const template = {
    Resources: {
      Carts: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { Tags },
        Metadata: { 'aws:cdk:path': 'Shop-prod/Service/Service/Carts/Resource' },
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'keel-manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'Shop-prod.template.json'), JSON.stringify(template));
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      version: '48.0.0',
      artifacts: {
        ShopProd: {
          type: 'aws:cloudformation:stack',
          environment: 'aws://111111111111/eu-west-1',
          properties: { templateFile: 'Shop-prod.template.json', stackName: 'Shop-prod' },
        },
      },
    }),
  );
  return dir;
}

describe('keel catalog export', () => {
  let assembly: string;
  beforeEach(() => {
    assembly = shopAssembly();
  });

  test('prints the catalog as YAML; --out writes the same bytes to catalog-info.yaml; --format json an array', async () => {
    const printed = await run(['catalog', 'export', assembly]);
    expect(printed).toMatchObject({ code: 0, err: [] });
    const yaml = `${printed.out.join('\n')}\n`;
    expect(yaml).toMatch(/^# Backstage catalog entities written by `keel catalog export`/);
    expect(yaml).toContain('  name: shop\n');
    expect(yaml).toContain('  owner: group:commerce\n');
    // prod's protection comes from the repository's registry: maximum, so the service is in production.
    expect(yaml).toContain('    keel.dev/prod.protection: maximum\n');
    expect(yaml).toContain('  lifecycle: production\n');
    expect(yaml).toContain('  name: shop-prod-carts\n');

    const out = path.join(tempDir('keel-catalog-out-'), 'nested', 'catalog');
    const written = await run(['catalog', 'export', assembly, '--out', out]);
    expect(written.code).toBe(0);
    expect(written.out).toEqual([]);
    expect(written.err).toEqual([expect.stringMatching(/^wrote \d+ catalog entities to .*catalog-info\.yaml$/)]);
    expect(fs.readFileSync(path.join(out, 'catalog-info.yaml'), 'utf8')).toBe(yaml);

    const json = await run(['catalog', 'export', '--assembly', assembly, '--format', 'json', '--out', out]);
    expect(json.code).toBe(0);
    const entities = JSON.parse(fs.readFileSync(path.join(out, 'catalog-info.json'), 'utf8')) as { kind: string }[];
    expect(entities.map((e) => e.kind)).toEqual(['Group', 'Group', 'Group', 'System', 'Component', 'Resource']);
  });

  const cases: UsageErrorCase[] = [
    [
      'the format is unknown',
      (dir) => ['catalog', 'export', dir, '--format', 'xml'],
      '--format "xml" is not one of yaml, json: pass --format yaml for Backstage, or --format json',
    ],
    [
      'the --out directory cannot be written (it is under a regular file)',
      (dir) => ['catalog', 'export', dir, '--out', path.join(dir, 'keel-manifest.json', 'catalog')],
      'cannot be written (ENOTDIR): pass a directory that can be made and written',
    ],
    ['the assembly has no manifest', () => ['catalog', 'export', tempDir('keel-empty-')], 'no keel-manifest.json in /'],
    [
      'two assemblies are given',
      (dir) => ['catalog', 'export', dir, dir],
      'keel catalog export takes one cloud assembly directory',
    ],
  ];
  testUsageErrors(
    cases,
    () => assembly,
    () => [],
  );
});
