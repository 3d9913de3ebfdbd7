import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_CLASSIFICATIONS, isDataClassification, pascalCase, tagValueProblem } from '../../constructs';
import { serviceNameProblem } from '../config/load';
import type { ServiceConfig, TeamConfig } from '../config/model';
import { usageError } from './errors';
import { SCAFFOLD_RUNBOOK_SECTIONS, serviceFiles, type TemplateFile } from './service-template';

/** What `keel new-service` was asked for. */
export interface NewServiceRequest {
  readonly name: string;
  readonly team: string;
  /**
   * Under-classified data escapes the controls its tag selects; over-classified data only costs care.
   * @default 'confidential'
   */
  readonly dataClassification?: string;
  /** `Key=Value` pairs: values for the team's extra required tags. */
  readonly tags?: readonly string[];
}

/** The registry the new service joins. */
export interface ServiceRegistry {
  readonly teams: readonly TeamConfig[];
  readonly services: readonly ServiceConfig[];
}

/** Everything `keel new-service` writes, decided before anything is written. */
export interface ServicePlan {
  readonly service: ServiceConfig;
  /** New files, none of which exists yet. */
  readonly create: readonly TemplateFile[];
  /** Existing files and their new text. */
  readonly edit: readonly TemplateFile[];
  /** The runbook sections written, one per alarm in the service's own runbook file. */
  readonly runbookSections: readonly string[];
}

export const DEFAULT_DATA_CLASSIFICATION = 'confidential';
const SERVICES_CONFIG = 'lib/config/services.ts';
const SERVICE_FACTORIES = 'lib/services/index.ts';

/**
 * Decides the files of a new service under `root`, the repository's root: its stack, metrics, handler, tests and
 * runbook, plus its entries in the service list and the stack factories.
 * @throws KeelCliError (exit 2) listing every reason the service cannot be created; nothing is written.
 */
export function planNewService(root: string, request: NewServiceRequest, registry: ServiceRegistry): ServicePlan {
  const problems: string[] = [];
  const { name } = request;
  const nameProblem = serviceNameProblem(name);
  if (nameProblem) {
    problems.push(`service name ${nameProblem.what}: ${nameProblem.fix}`);
  } else if (registry.services.some((service) => service.name === name)) {
    problems.push(
      `service ${JSON.stringify(name)} exists already in ${SERVICES_CONFIG}: choose another name, or grow the existing service in lib/services/${name}/`,
    );
  }
  const team = registry.teams.find((t) => t.id === request.team);
  if (!team) {
    problems.push(
      `--team ${JSON.stringify(request.team)} is not in the team registry: use one of ${registry.teams.map((t) => t.id).join(', ')}, or add the team to lib/config/teams.ts first`,
    );
  }
  const dataClassification = request.dataClassification ?? DEFAULT_DATA_CLASSIFICATION;
  if (!isDataClassification(dataClassification)) {
    problems.push(
      `--data-classification ${JSON.stringify(dataClassification)} is not a data classification: use one of ${DATA_CLASSIFICATIONS.join(', ')}`,
    );
  }
  const tags = parseTags(request.tags ?? [], team, problems);
  if (problems.length > 0 || !team || !isDataClassification(dataClassification)) {
    throw usageError(
      `keel new-service refused ${JSON.stringify(name)}; nothing was written:\n  - ${problems.join('\n  - ')}`,
    );
  }

  const pascal = pascalCase(name);
  const create = serviceFiles({ name, pascal, team });
  const existing = create.map((file) => file.path).filter((file) => fs.existsSync(path.join(root, file)));
  const folder = `lib/services/${name}`;
  if (fs.existsSync(path.join(root, folder))) existing.unshift(`${folder}/`);
  if (existing.length > 0) {
    throw usageError(
      `keel new-service never overwrites; nothing was written. These exist already: ${existing.join(', ')}. ` +
        `Choose another name, or move them away first.`,
    );
  }
  const service: ServiceConfig = {
    name,
    owner: team.id,
    dataClassification,
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
  const edit = [
    { path: SERVICES_CONFIG, text: addServiceEntry(read(root, SERVICES_CONFIG), service) },
    { path: SERVICE_FACTORIES, text: addStackFactory(read(root, SERVICE_FACTORIES), name, pascal) },
  ];
  return { service, create, edit, runbookSections: [...SCAFFOLD_RUNBOOK_SECTIONS] };
}

/**
 * Writes a plan: new files are created exclusively (an existing file is never replaced), and if any write fails
 * the files written so far are removed and the edited ones restored.
 */
export function writeServicePlan(root: string, plan: ServicePlan): void {
  const created: string[] = [];
  const restored: TemplateFile[] = [];
  try {
    for (const file of plan.create) {
      const target = path.join(root, file.path);
      const folder = fs.mkdirSync(path.dirname(target), { recursive: true });
      if (folder) created.push(folder);
      fs.writeFileSync(target, file.text, { flag: 'wx' });
      created.push(target);
    }
    for (const file of plan.edit) {
      restored.push({ path: file.path, text: read(root, file.path) });
      fs.writeFileSync(path.join(root, file.path), file.text);
    }
  } catch (error) {
    for (const target of created.reverse()) fs.rmSync(target, { recursive: true, force: true });
    for (const file of restored) fs.writeFileSync(path.join(root, file.path), file.text);
    throw usageError(
      `keel new-service could not write ${plan.service.name}, and undid what it wrote: ${(error as Error).message}`,
    );
  }
}

/**
 * Formats the written files with the repository's own Prettier, so `npm test`'s format check passes on a new service
 * whatever the length of its name. Prettier is a development dependency; returns false when it is not installed.
 */
export function formatWritten(root: string, plan: ServicePlan): boolean {
  const prettier = path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  if (!fs.existsSync(prettier)) return false;
  const files = [...plan.create, ...plan.edit].map((file) => file.path);
  const result = spawnSync(process.execPath, [prettier, '--write', '--log-level', 'warn', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  return result.status === 0;
}

/** What the person who ran `keel new-service` reads. */
export function renderServicePlan(plan: ServicePlan): string {
  const { name, owner, dataClassification } = plan.service;
  const pascal = pascalCase(name);
  return [
    `Created ${name}, owned by ${owner}, data classification ${dataClassification} (change it in lib/config/services.ts):`,
    ...plan.create.map((file) => `  + ${file.path}`),
    ...plan.edit.map((file) => `  ~ ${file.path}`),
    '',
    `Alarms with a section in runbooks/${name}.md: ${plan.runbookSections.join(', ')}.`,
    'The standard alarms (API, function, table) link runbooks/standard-alarms.md.',
    '',
    'Next:',
    '  npx cdk synth                       # every check, every environment; 0 open findings expected',
    `  npx jest test/lib/services/${name}`,
    `  npx cdk deploy '${pascal}-dev/*'     # then commit: the pipeline ${pascal}-pipeline takes it to staging and prod`,
  ].join('\n');
}

function parseTags(pairs: readonly string[], team: TeamConfig | undefined, problems: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      problems.push(`--tag ${JSON.stringify(pair)} is not Key=Value: pass e.g. --tag PciScope=cardholder-data`);
      continue;
    }
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    const problem = tagValueProblem(value);
    if (problem) problems.push(`--tag ${key}: ${JSON.stringify(value)} ${problem}`);
    else tags[key] = value;
  }
  const required = team?.profile?.extraRequiredTagKeys ?? [];
  const missing = required.filter((key) => !(key in tags) && !pairs.some((pair) => pair.startsWith(`${key}=`)));
  if (team && missing.length > 0) {
    problems.push(
      `team ${team.id} requires the tag(s) ${missing.join(', ')} on its services: pass ${missing.map((key) => `--tag ${key}=<value>`).join(' ')}`,
    );
  }
  return tags;
}

function read(root: string, file: string): string {
  const target = path.join(root, file);
  if (!fs.existsSync(target)) {
    throw usageError(`${file} is missing under ${root}: run keel new-service from the repository's root`);
  }
  return fs.readFileSync(target, 'utf8');
}

/** Appends `service` to the `services` array of lib/config/services.ts. */
function addServiceEntry(text: string, service: ServiceConfig): string {
  const fields = [
    `name: '${service.name}'`,
    `owner: '${service.owner}'`,
    `dataClassification: '${service.dataClassification}'`,
    ...(service.tags
      ? [
          `tags: { ${Object.entries(service.tags)
            .map(([key, value]) => `${objectKey(key)}: '${value}'`)
            .join(', ')} }`,
        ]
      : []),
  ];
  const oneLine = `  { ${fields.join(', ')} },`;
  const entry = oneLine.length <= 120 ? oneLine : `  {\n${fields.map((field) => `    ${field},`).join('\n')}\n  },`;
  return insertBeforeClose(text, /export const services\b[^=]*=\s*\[/, ']', entry, SERVICES_CONFIG);
}

/** Imports the stack and adds its factory to `serviceStacks` in lib/services/index.ts. */
function addStackFactory(text: string, name: string, pascal: string): string {
  const importLine = `import { ${pascal}Stack } from './${name}/${name}-stack';`;
  const imports = [...text.matchAll(/^import .*;$/gm)];
  const last = imports.at(-1);
  if (!last || last.index === undefined) throw editRefused(SERVICE_FACTORIES, importLine);
  const end = last.index + last[0].length;
  const withImport = `${text.slice(0, end)}\n${importLine}${text.slice(end)}`;
  const entry = `  ${objectKey(name)}: (scope, id, props) => new ${pascal}Stack(scope, id, props),`;
  return insertBeforeClose(withImport, /export const serviceStacks\b[^=]*=\s*\{/, '}', entry, SERVICE_FACTORIES);
}

/** Inserts `entry` as the last line of the literal that `opening` starts and a line `close;` ends. */
function insertBeforeClose(text: string, opening: RegExp, close: string, entry: string, file: string): string {
  const start = opening.exec(text);
  if (!start) throw editRefused(file, entry);
  const after = start.index + start[0].length;
  if (text.startsWith(`${close};`, after)) {
    return `${text.slice(0, after)}\n${entry}\n${text.slice(after)}`;
  }
  const end = text.indexOf(`\n${close};`, after);
  if (end < 0) throw editRefused(file, entry);
  return `${text.slice(0, end)}\n${entry}${text.slice(end)}`;
}

function editRefused(file: string, entry: string): Error {
  return usageError(
    `${file} has lost the shape keel new-service edits (an exported literal closed by a line of its own), so ` +
      `nothing was written. Restore that shape and run keel new-service again; the line it would add is:\n${entry.trim()}`,
  );
}

function objectKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : `'${key}'`;
}
