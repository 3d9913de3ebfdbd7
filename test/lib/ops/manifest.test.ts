import * as fs from 'node:fs';
import * as path from 'node:path';
import { findService, loadManifest } from '../../../lib/ops/manifest';
import { assemblyWith, keelManifest, manifestService, removeTempDirs, tempDir } from '../../helpers/manifest';
import { cliFailure } from '../../helpers/refusal';

afterAll(removeTempDirs);

/** The KeelCliError `run` throws. */
const failure = (run: () => unknown) => cliFailure(Promise.resolve().then(run));

describe('loadManifest', () => {
  test('reads keel-manifest.json from the assembly directory', () => {
    expect(loadManifest(assemblyWith(keelManifest()))).toEqual(keelManifest());
  });

  test('fails when there is no manifest, as a usage error saying to synthesize or pass --assembly', async () => {
    const dir = tempDir();

    const error = await failure(() => loadManifest(dir));

    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`no keel-manifest.json in ${dir}: run 'npx cdk synth' first, or pass --assembly <dir>`);
  });

  test('fails when the manifest is not JSON, saying to synthesize again', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'keel-manifest.json'), '{ not json');

    const error = await failure(() => loadManifest(dir));

    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/keel-manifest\.json is not valid JSON \(.+\); run 'npx cdk synth' again$/);
  });

  test('fails when the manifest has a version this keel does not read, or none', async () => {
    const newer = await failure(() => loadManifest(assemblyWith({ ...keelManifest(), version: 2 })));
    const none = await failure(() => loadManifest(assemblyWith({ services: [] })));

    expect(newer.message).toContain('has manifest version 2; this keel reads version 1. Synthesize with the same');
    expect(none.message).toContain('has manifest version undefined; this keel reads version 1');
  });
});

describe('findService', () => {
  const manifest = keelManifest();

  test('finds the entry of a service in an environment', () => {
    expect(findService(manifest, 'shop', 'dev')).toMatchObject({ service: 'shop', environment: 'dev' });
    expect(findService(manifest, 'billing', 'prod')).toMatchObject({ alarmPrefix: 'billing-prod-' });
  });

  test('fails when the service is unknown, listing the known services', async () => {
    const error = await failure(() => findService(manifest, 'nope', 'prod'));

    expect(error).toMatchObject({
      exitCode: 2,
      message: 'service "nope" is not in the manifest; known services: shop, billing',
    });
    expect((await failure(() => findService(keelManifest([]), 'shop', 'prod'))).message).toContain(
      'known services: (none)',
    );
  });

  test('fails when the environment is unknown, listing the known ones', async () => {
    const error = await failure(() => findService(manifest, 'shop', 'qa'));

    expect(error.message).toBe('environment "qa" of shop is not in the manifest; known: prod, dev');
  });

  test('picks the region of a service deployed to several with --region, and refuses to guess', async () => {
    const wave = keelManifest([manifestService(), manifestService({ region: 'us-east-1' })]);

    expect(findService(wave, 'shop', 'prod', 'us-east-1').region).toBe('us-east-1');
    expect((await failure(() => findService(wave, 'shop', 'prod'))).message).toBe(
      'shop (prod) runs in eu-west-1, us-east-1; pass --region with one of them',
    );
    expect((await failure(() => findService(wave, 'shop', 'prod', 'ap-south-1'))).message).toContain(
      'pass --region with one of them',
    );
  });

  test('takes a service deployed to one region whatever --region says: the flag then only moves the client', () => {
    expect(findService(manifest, 'shop', 'prod', 'us-east-1').region).toBe('eu-west-1');
  });
});
