import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DATA_CLASSIFICATIONS,
  dataClassificationProblem,
  isDataClassification,
  pascalCase,
  tagValueProblem,
} from '../../constructs';
import { serviceNameProblem } from '../config/load';
import type { ProtectionLevel, ServiceConfig, TeamConfig } from '../config/model';
import { usageError } from './errors';
import { renderTemplate, type TemplateFile } from './template';

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
  /**
   * What runs the service's code: `lambda`, functions behind API Gateway, or `fargate`, a container behind a load
   * balancer. One of COMPUTES.
   * @default 'lambda'
   */
  readonly compute?: string;
}

/**
 * The registry the new service joins: its owner must be one of these teams. The services defined already are read
 * from lib/services/index.ts under the repository's root, the list the new service joins.
 */
export interface ServiceRegistry {
  readonly teams: readonly TeamConfig[];
  /**
   * Each environment by name, as lib/config/environments.ts defines it: `keel catalog export` reads its protection.
   * @default - none known: the catalog gives no environment a protection level
   */
  readonly environments?: Readonly<Record<string, { readonly protection?: ProtectionLevel }>>;
}

/** Everything `keel new-service` writes, decided before anything is written. */
export interface ServicePlan {
  readonly service: ServiceConfig;
  readonly compute: Compute;
  /** New files, none of which exists yet. */
  readonly create: readonly TemplateFile[];
  /** Existing files and their new text. */
  readonly edit: readonly TemplateFile[];
  /** The runbook sections written, one per alarm in the service's own runbook file. */
  readonly runbookSections: readonly string[];
}

export const DEFAULT_DATA_CLASSIFICATION = 'confidential';

/** The list of service definitions, which gains one import and one entry. */
const SERVICE_LIST = 'lib/services/index.ts';

/** A service of this repository that new services are copies of, with its words replaced by theirs. */
export interface ServiceTemplate {
  readonly root: string;
  /** Its files and folders, relative to `root`. */
  readonly paths: readonly string[];
  readonly name: string;
  /** Its config as its definition (index.ts) writes it. */
  readonly config: string;
  readonly team: { readonly id: string; readonly onCallEndpoint: string };
}

/**
 * The template every new Lambda service starts from: the hello-world service of this repository, a real service
 * folder that npm test type-checks, lints, formats and tests like any other, but that lib/services/index.ts does not
 * list. A new service is a copy with the template's words below replaced by its own.
 */
export const SERVICE_TEMPLATE = {
  root: path.resolve(__dirname, '..', '..'),
  paths: ['lib/services/hello-world', 'test/lib/services/hello-world', 'runbooks/hello-world.md'],
  name: 'hello-world',
  config: "{ name: 'hello-world', owner: 'commerce', dataClassification: 'confidential' }",
  team: { id: 'commerce', onCallEndpoint: 'commerce-oncall@example.com' },
} as const satisfies ServiceTemplate;

/** The template of `--compute fargate`: the hello-container service, a Node app on Fargate, checked the same way. */
export const CONTAINER_SERVICE_TEMPLATE = {
  root: SERVICE_TEMPLATE.root,
  paths: ['lib/services/hello-container', 'test/lib/services/hello-container', 'runbooks/hello-container.md'],
  name: 'hello-container',
  config: "{ name: 'hello-container', owner: 'commerce', dataClassification: 'internal' }",
  team: SERVICE_TEMPLATE.team,
} as const satisfies ServiceTemplate;

/** What `--compute` accepts, each with the template it copies; the first is the default. */
export const COMPUTES = ['lambda', 'fargate'] as const;
export type Compute = (typeof COMPUTES)[number];
const TEMPLATES: Readonly<Record<Compute, ServiceTemplate>> = {
  lambda: SERVICE_TEMPLATE,
  fargate: CONTAINER_SERVICE_TEMPLATE,
};

/**
 * Decides the files of a new service under `root`, the repository's root: its definition, stack, metrics, handler
 * (or, on Fargate, its app and Dockerfile), tests and runbook, copied from the compute's template, plus its import and
 * entry in lib/services/index.ts.
 * @throws KeelCliError (exit 2) listing every reason the service cannot be created; nothing is written.
 */
export function planNewService(root: string, request: NewServiceRequest, registry: ServiceRegistry): ServicePlan {
  const problems: string[] = [];
  const { name } = request;
  const list = read(root, SERVICE_LIST);
  const nameProblem = serviceNameProblem(name);
  if (nameProblem) {
    problems.push(`service name ${nameProblem.what}: ${nameProblem.fix}`);
  } else if (list.includes(`from './${name}'`)) {
    problems.push(
      `service ${JSON.stringify(name)} exists already in ${SERVICE_LIST}: choose another name, or grow the existing service in lib/services/${name}/`,
    );
  } else if (RESERVED.has(camelCase(name))) {
    problems.push(
      `service name ${JSON.stringify(name)} would export its definition as \`${camelCase(name)}\`, which cannot be a variable in ${SERVICE_LIST}: add a word, e.g. '${name}-service'`,
    );
  }
  const team = registry.teams.find((t) => t.id === request.team);
  if (!team) {
    problems.push(
      `--team ${JSON.stringify(request.team)} is not in the team registry: use one of ${registry.teams.map((t) => t.id).join(', ')}, or add the team to lib/config/teams.ts first`,
    );
  }
  const dataClassification = request.dataClassification ?? DEFAULT_DATA_CLASSIFICATION;
  const classificationProblem = dataClassificationProblem(dataClassification);
  if (classificationProblem) {
    // A flag's values, listed as a command line reads them.
    problems.push(`--data-classification ${classificationProblem.what}: use one of ${DATA_CLASSIFICATIONS.join(', ')}`);
  }
  const tags = parseTags(request.tags ?? [], team, problems);
  const compute = request.compute ?? COMPUTES[0];
  if (!isCompute(compute)) {
    problems.push(
      `--compute ${JSON.stringify(compute)} is not a compute Keel scaffolds: use one of ${COMPUTES.join(', ')} (default ${COMPUTES[0]})`,
    );
  }
  if (problems.length > 0 || !team || !isDataClassification(dataClassification) || !isCompute(compute)) {
    throw usageError(
      `keel new-service refused ${JSON.stringify(name)}; nothing was written:\n  - ${problems.join('\n  - ')}`,
    );
  }

  const service: ServiceConfig = {
    name,
    owner: team.id,
    dataClassification,
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
  const template = TEMPLATES[compute];
  const create = renderTemplate(template.root, template.paths, templateWords(template, service, team));
  const existing = create.map((file) => file.path).filter((file) => fs.existsSync(path.join(root, file)));
  const folder = `lib/services/${name}`;
  if (fs.existsSync(path.join(root, folder))) existing.unshift(`${folder}/`);
  if (existing.length > 0) {
    throw usageError(
      `keel new-service never overwrites; nothing was written. These exist already: ${existing.join(', ')}. ` +
        `Choose another name, or move them away first.`,
    );
  }
  const runbook = create.find((file) => file.path === `runbooks/${name}.md`)?.text ?? '';
  return {
    service,
    compute,
    create,
    edit: [{ path: SERVICE_LIST, text: addToServiceList(list, name) }],
    runbookSections: [...runbook.matchAll(/^## (\S+)$/gm)].map((match) => match[1]),
  };
}

function isCompute(value: string): value is Compute {
  return (COMPUTES as readonly string[]).includes(value);
}

/** What replaces each word of the template in the new service's files. */
function templateWords(template: ServiceTemplate, service: ServiceConfig, team: TeamConfig): Record<string, string> {
  const pascal = pascalCase(service.name);
  return {
    [template.config]: configLiteral(service),
    [template.name]: service.name,
    [pascalCase(template.name)]: pascal,
    [camelCase(template.name)]: camelCase(service.name),
    [template.team.onCallEndpoint]: team.onCallEndpoint,
    [template.team.id]: team.id,
  };
}

/** The service's config as its definition writes it. */
function configLiteral(service: ServiceConfig): string {
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
  return `{ ${fields.join(', ')} }`;
}

/** Imports the new service's definition into lib/services/index.ts and appends it to `services`. */
function addToServiceList(text: string, name: string): string {
  const variable = camelCase(name);
  const importLine = `import { ${variable} } from './${name}';`;
  const last = [...text.matchAll(/^import\b[^;]*;$/gm)].at(-1);
  const list = /(export const services\b[^=]*=\s*\[)([^\]]*)\]/.exec(text);
  if (!last || last.index === undefined || !list || list.index < last.index) {
    throw usageError(
      `${SERVICE_LIST} has lost the shape keel new-service edits (imports, then \`export const services = [...]\`), ` +
        `so nothing was written. Restore that shape and run keel new-service again; the lines it would add are:\n` +
        `${importLine}\n  ${variable},`,
    );
  }
  const entries = list[2].trimEnd().replace(/,$/, '');
  const withEntry = `${list[1]}${entries.trim() === '' ? variable : `${entries}, ${variable}`}]`;
  const listed = `${text.slice(0, list.index)}${withEntry}${text.slice(list.index + list[0].length)}`;
  const end = last.index + last[0].length;
  return `${listed.slice(0, end)}\n${importLine}${listed.slice(end)}`;
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
  // --ignore-unknown: a container service's Dockerfile and .dockerignore are files Prettier has no parser for.
  // --cache as `npm run format:check` passes it: Prettier run without --cache deletes the repository's cache file,
  // and the next format check would read every file again (about 8 s here).
  const cache = ['--cache', '--cache-strategy', 'content'];
  const result = spawnSync(
    process.execPath,
    [prettier, '--write', '--ignore-unknown', ...cache, '--log-level', 'warn', ...files],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return result.status === 0;
}

/** What the person who ran `keel new-service` reads. */
export function renderServicePlan(plan: ServicePlan): string {
  const { name, owner, dataClassification } = plan.service;
  const pascal = pascalCase(name);
  return [
    `Created ${name}, owned by ${owner}, data classification ${dataClassification} (change it in lib/services/${name}/index.ts):`,
    ...plan.create.map((file) => `  + ${file.path}`),
    ...plan.edit.map((file) => `  ~ ${file.path}`),
    '',
    `Alarms with a section in runbooks/${name}.md: ${plan.runbookSections.join(', ')}.`,
    `The standard alarms (${plan.compute === 'fargate' ? 'load balancer, targets, tasks' : 'API, function, table'}) link runbooks/standard-alarms.md.`,
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

function objectKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : `'${key}'`;
}

/** `payment-links` → `paymentLinks`: the variable a service's definition is exported as. */
function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return `${pascal.charAt(0).toLowerCase()}${pascal.slice(1)}`;
}

/** Names a definition's variable cannot take: JavaScript's reserved words, and the list's own `services`. */
const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum eval export extends false ' +
    'finally for function if implements import in instanceof interface let new null package private protected ' +
    'public return services static super switch this throw true try typeof var void while with yield arguments'
  ).split(' '),
);
