import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  type KeelManifest,
  type ManifestService,
} from '../../constructs/manifest/manifest-schema';
import { usageError } from './errors';

/**
 * Reads `keel-manifest.json` from a cloud assembly directory.
 * @throws KeelCliError (usage) when it is missing, unreadable, or of a version this keel doesn't know.
 */
export function loadManifest(assemblyDir: string): KeelManifest {
  const file = path.join(assemblyDir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw usageError(`no ${MANIFEST_FILE} in ${assemblyDir}: run 'npx cdk synth' first, or pass --assembly <dir>`);
  }
  let manifest: Partial<KeelManifest>;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeelManifest>;
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${(error as Error).message}); run 'npx cdk synth' again`);
  }
  if (manifest.version !== MANIFEST_VERSION) {
    throw usageError(
      `${file} has manifest version ${JSON.stringify(manifest.version)}; this keel reads version ${MANIFEST_VERSION}. ` +
        'Synthesize with the same Keel version as the CLI.',
    );
  }
  return manifest as KeelManifest;
}

/**
 * The manifest entry of one service in one environment.
 * @throws KeelCliError (usage) listing what the manifest has.
 */
export function findService(
  manifest: KeelManifest,
  service: string,
  environment: string,
  region?: string,
): ManifestService {
  const services = [...new Set(manifest.services.map((s) => s.service))];
  if (!services.includes(service)) {
    throw usageError(
      `service ${JSON.stringify(service)} is not in the manifest; known services: ${services.join(', ') || '(none)'}`,
    );
  }
  const entries = manifest.services.filter((s) => s.service === service && s.environment === environment);
  // A wave deploys one environment to several regions; --region picks one of them.
  const inRegion = entries.filter((s) => region === undefined || s.region === undefined || s.region === region);
  if (entries.length > 1 && inRegion.length !== 1) {
    throw usageError(
      `${service} (${environment}) runs in ${entries.map((s) => s.region).join(', ')}; pass --region with one of them`,
    );
  }
  const entry = inRegion[0] ?? entries[0];
  if (!entry) {
    const environments = manifest.services.filter((s) => s.service === service).map((s) => s.environment);
    throw usageError(
      `environment ${JSON.stringify(environment)} of ${service} is not in the manifest; known: ${environments.join(', ')}`,
    );
  }
  return entry;
}
