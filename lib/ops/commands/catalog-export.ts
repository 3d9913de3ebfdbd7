import * as fs from 'node:fs';
import * as path from 'node:path';
import { platform } from '../../config/platform';
import { CATALOG_FILES, CATALOG_FORMATS, buildCatalog, renderCatalog, type CatalogFormat } from '../catalog';
import { servicesFromAssembly, type EnvironmentProtection } from '../catalog-source';
import { EXIT, usageError } from '../errors';
import { loadManifest } from '../manifest';
import type { ServiceRegistry } from '../new-service';
import { ASSEMBLY_OPTION, OPTION_HELP, defineCommand } from './command';
import { thisRepository } from './repository';

/** Each environment's protection level, from the registry (lib/config/environments.ts). */
function environmentProtection(registry: ServiceRegistry): EnvironmentProtection {
  return Object.fromEntries(Object.entries(registry.environments ?? {}).map(([name, e]) => [name, e.protection]));
}

/** `keel catalog export`: Backstage catalog entities of the platform's teams, services and what they own. */
export const command = defineCommand({
  name: 'catalog export',
  summary: 'the Backstage catalog: a Group per team, the System, a Component per service, its API and tables.',
  usage: [
    'Usage: keel catalog export [cdk.out] [--format yaml|json] [--out <dir>]',
    '',
    'Options:',
    `  --format <format>    yaml (default; what Backstage reads) or json`,
    `  --out <dir>          write ${CATALOG_FILES.yaml} (or ${CATALOG_FILES.json}) into this directory instead of printing`,
    OPTION_HELP.assembly,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Teams come from lib/config/teams.ts; services, their environments, dashboards, pipelines, runbooks, API routes',
    "and DynamoDB tables from the synthesized assembly (run 'npx cdk synth' first). The same input gives the same bytes.",
    '',
    'Exit codes: 0 printed or written, 2 usage error, no manifest or a directory that cannot be written.',
  ].join('\n'),
  options: { ...ASSEMBLY_OPTION, format: { type: 'string', default: 'yaml' }, out: { type: 'string' } },
  async run(values, positionals, io) {
    if (!(CATALOG_FORMATS as readonly string[]).includes(values.format)) {
      throw usageError(
        `--format ${JSON.stringify(values.format)} is not one of ${CATALOG_FORMATS.join(', ')}: pass --format yaml for Backstage, or --format json`,
      );
    }
    if (positionals.length > 1) {
      throw usageError('keel catalog export takes one cloud assembly directory: keel catalog export [cdk.out]');
    }
    const format = values.format as CatalogFormat;
    const assembly = positionals[0] ?? values.assembly;
    const { root, registry } = io.repository ?? thisRepository();
    const services = servicesFromAssembly(assembly, loadManifest(assembly), {
      teams: registry.teams,
      protection: environmentProtection(registry),
      repositoryRoot: root,
      repositoryUrl: platform.repositoryUrl,
      branch: platform.delivery.branch,
    });
    const entities = buildCatalog({ platform, teams: registry.teams, services });
    const rendered = renderCatalog(entities, format);
    if (values.out === undefined) {
      io.out(rendered.replace(/\n$/, ''));
      return EXIT.ok;
    }
    const file = path.resolve(values.out, CATALOG_FILES[format]);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, rendered);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw usageError(
        `--out ${JSON.stringify(values.out)} cannot be written (${reason}): pass a directory that can be made and written`,
      );
    }
    io.err(`wrote ${entities.length} catalog entities to ${file}`);
    return EXIT.ok;
  },
});
