/*
 * What the catalog knows of each service, read from a synthesized cloud assembly: keel-manifest.json and the stacks'
 * templates. lib/ops/catalog.ts builds the entities from it. lib/ops reaches the repository's config only through
 * commands/repository.ts (.dependency-cruiser.cjs, cli-loads-no-synth-library), which gives the teams but not the
 * services: a service's owner and data classification are read from the tags synth puts on its every resource.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeelManifest, ManifestService } from '../../constructs/manifest/manifest-schema';
import type { ProtectionLevel } from '../config/model';
import type { CatalogDeployment, CatalogService, CatalogTeam } from './catalog';
import { assemblyTemplates } from './cfn-lint';
import { usageError } from './errors';

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** What the registry says beyond the teams: each environment's protection level, by name. */
export type EnvironmentProtection = Readonly<Record<string, ProtectionLevel | undefined>>;

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: { readonly 'aws:cdk:path'?: unknown };
}

/** The value of each tag key on the stack's tagged resources; a key with two values is a mistake. */
function stackTags(stack: string, resources: readonly TemplateResource[]): Map<string, string> {
  const tags = new Map<string, Set<string>>();
  for (const resource of resources) {
    const list = resource.Properties?.Tags;
    if (!Array.isArray(list)) continue;
    for (const tag of list as { Key?: unknown; Value?: unknown }[]) {
      if (typeof tag?.Key === 'string' && typeof tag.Value === 'string') {
        tags.set(tag.Key, (tags.get(tag.Key) ?? new Set()).add(tag.Value));
      }
    }
  }
  const single = new Map<string, string>();
  for (const tagKey of ['Owner', 'DataClassification']) {
    const values = sorted(tags.get(tagKey) ?? []);
    if (values.length !== 1) {
      throw usageError(
        `stack ${stack} has ${values.length === 0 ? 'no' : values.length} ${tagKey} tag value(s)${values.length ? ` (${values.join(', ')})` : ''} on its resources, where Keel tags every resource with one: synthesize it again with 'npx cdk synth'`,
      );
    }
    single.set(tagKey, values[0]);
  }
  return single;
}

/** The methods an API Gateway `ANY` method answers, as OpenAPI names them (upper-cased). */
const HTTP_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** A `{ Ref }` or `{ Fn::GetAtt: [id, 'RootResourceId'] }`: the logical id it names, and whether it is the root. */
function referenced(value: unknown): { id: string; root: boolean } | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === 'string') return { id: ref, root: false };
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[1] === 'RootResourceId') {
    return { id: getAtt[0], root: true };
  }
  return undefined;
}

/** The routes of the template's REST API (path to methods), from its Resources and Methods; `undefined` for none. */
function restRoutes(resources: Readonly<Record<string, TemplateResource>>): Record<string, string[]> | undefined {
  const apis = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::RestApi');
  if (apis.length === 0) return undefined;
  const pathOf = (target: unknown, depth = 0): string | undefined => {
    const ref = referenced(target);
    if (!ref || depth > 50) return undefined;
    if (ref.root) return '';
    const resource = resources[ref.id];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return undefined;
    const parent = pathOf(resource.Properties?.ParentId, depth + 1);
    const part = resource.Properties?.PathPart;
    return parent === undefined || typeof part !== 'string' ? undefined : `${parent}/${part}`;
  };
  const routes: Record<string, string[]> = {};
  for (const method of Object.values(resources)) {
    if (method.Type !== 'AWS::ApiGateway::Method') continue;
    const verb = method.Properties?.HttpMethod;
    const route = pathOf(method.Properties?.ResourceId);
    if (typeof verb !== 'string' || route === undefined) continue;
    const at = route || '/';
    routes[at] = sorted([...(routes[at] ?? []), ...(verb === 'ANY' ? HTTP_METHODS : [verb])]);
  }
  return routes;
}

/** The construct id of a DynamoDB table: the segment before `Resource` in its construct path, else its logical id. */
function tableId(logicalId: string, resource: TemplateResource): string {
  const constructPath = resource.Metadata?.['aws:cdk:path'];
  if (typeof constructPath !== 'string') return logicalId;
  const parts = constructPath.split('/');
  return (parts.at(-1) === 'Resource' ? parts.at(-2) : parts.at(-1)) ?? logicalId;
}

/**
 * What the synthesized assembly in `assemblyDir` says about each service: from keel-manifest.json, its environments,
 * accounts, regions, dashboards, pipeline stages and runbooks; from each stack's template, its owner and data
 * classification (the Owner and DataClassification tags synth puts on every resource), its REST API's routes and
 * its DynamoDB tables.
 * @throws KeelCliError (usage) when a stack is missing from the assembly, its tags disagree, or its owner is no team.
 */
export function servicesFromAssembly(
  assemblyDir: string,
  manifest: KeelManifest,
  options: {
    readonly teams: readonly CatalogTeam[];
    readonly protection: EnvironmentProtection;
    readonly repositoryRoot: string;
    readonly repositoryUrl: string;
    readonly branch: string;
  },
): CatalogService[] {
  const templates = new Map(assemblyTemplates(assemblyDir).map((t) => [t.stack, t.file]));
  const teamIds = options.teams.map((t) => t.id);
  const byService = new Map<string, { owner: string; dataClassification: string; deployments: CatalogDeployment[] }>();
  for (const entry of manifest.services) {
    const file = templates.get(entry.stackName);
    if (file === undefined) {
      throw usageError(
        `stack ${entry.stackName} of ${entry.service} (${entry.environment}) is in keel-manifest.json but has no template in ${assemblyDir}: synthesize again with 'npx cdk synth'`,
      );
    }
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    const resources = template.Resources ?? {};
    const tags = stackTags(entry.stackName, Object.values(resources));
    const owner = tags.get('Owner') as string;
    const dataClassification = tags.get('DataClassification') as string;
    if (!teamIds.includes(owner)) {
      throw usageError(
        `stack ${entry.stackName} is owned by ${JSON.stringify(owner)} (its Owner tag), which is not a team of lib/config/teams.ts (${teamIds.join(', ')}): synthesize again, or add the team`,
      );
    }
    const known = byService.get(entry.service);
    if (known && (known.owner !== owner || known.dataClassification !== dataClassification)) {
      throw usageError(
        `${entry.service} is tagged Owner=${known.owner}, DataClassification=${known.dataClassification} in one stack and Owner=${owner}, DataClassification=${dataClassification} in ${entry.stackName}: synthesize all of its stacks again with 'npx cdk synth'`,
      );
    }
    const service = known ?? { owner, dataClassification, deployments: [] };
    byService.set(entry.service, service);
    service.deployments.push(deployment(entry, resources, options.protection));
  }
  return [...byService].map(([name, service]) => {
    const folder = path.join(options.repositoryRoot, 'lib', 'services', name);
    return {
      name,
      ...service,
      ...(fs.existsSync(folder)
        ? { source: `${options.repositoryUrl}/tree/${options.branch}/lib/services/${name}/` }
        : {}),
    };
  });
}

function deployment(
  entry: ManifestService,
  resources: Readonly<Record<string, TemplateResource>>,
  protection: EnvironmentProtection,
): CatalogDeployment {
  const level = Object.hasOwn(protection, entry.environment) ? protection[entry.environment] : undefined;
  const routes = restRoutes(resources);
  return {
    environment: entry.environment,
    stackName: entry.stackName,
    ...(entry.account ? { account: entry.account } : {}),
    ...(entry.region ? { region: entry.region } : {}),
    ...(level ? { protection: level } : {}),
    dashboard: entry.dashboard,
    ...(entry.pipeline
      ? {
          pipeline: {
            name: entry.pipeline.name,
            ...(entry.pipeline.region ? { region: entry.pipeline.region } : {}),
          },
        }
      : {}),
    runbooks: sorted(entry.alarms.map((alarm) => alarm.runbook.replace(/#.*$/, ''))),
    ...(routes ? { routes } : {}),
    tables: sorted(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
        .map(([id, r]) => tableId(id, r)),
    ),
  };
}
