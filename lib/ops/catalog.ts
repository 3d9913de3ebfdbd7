import type {
  ApiEntityV1alpha1,
  ComponentEntityV1alpha1,
  EntityLink,
  GroupEntityV1alpha1,
  ResourceEntityV1alpha1,
  SystemEntityV1alpha1,
} from '@backstage/catalog-model';
import type { PlatformConfig, ProtectionLevel, TeamConfig } from '../config/model';
import { stringify } from 'yaml';

/** The entities' apiVersion: Backstage's catalog model for every kind Keel writes. */
const API_VERSION = 'backstage.io/v1alpha1';

/** The prefix of Keel's own annotations and labels on the entities (README.md, Catalog). */
export const ANNOTATION_PREFIX = 'keel.dev';

/** The Backstage System all of the platform's services belong to. */
export const SYSTEM_NAME = 'keel';

/** The formats `keel catalog export` writes. */
export const CATALOG_FORMATS = ['yaml', 'json'] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

/** The file `--out <dir>` gets, by format. */
export const CATALOG_FILES: Readonly<Record<CatalogFormat, string>> = {
  yaml: 'catalog-info.yaml',
  json: 'catalog-info.json',
};

/** A team as the catalog shows it: lib/config/teams.ts. */
export type CatalogTeam = Pick<TeamConfig, 'id' | 'displayName' | 'costCenter' | 'onCallEndpoint' | 'ticketEndpoint'>;

/** One service in one environment (and region), as the synthesized assembly knows it. */
export interface CatalogDeployment {
  readonly environment: string;
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  /** The environment's protection level, from the registry; absent when the registry does not say. */
  readonly protection?: ProtectionLevel;
  readonly dashboard: string;
  readonly pipeline?: { readonly name: string; readonly region?: string };
  /** The web addresses of the runbook files its alarms link to, without the section anchor. */
  readonly runbooks: readonly string[];
  /** The routes of its REST API, when it has one: path to HTTP methods. */
  readonly routes?: Readonly<Record<string, readonly string[]>>;
  /** Its DynamoDB tables, by the construct id that names them (`Orders`). */
  readonly tables: readonly string[];
}

/**
 * A service as the catalog shows it: its owner and data classification (from its config, through the tags synth puts
 * on every resource) and where it is deployed.
 */
export interface CatalogService {
  readonly name: string;
  readonly owner: string;
  readonly dataClassification: string;
  readonly deployments: readonly CatalogDeployment[];
  /** Its folder's web address, when the repository has `lib/services/<name>/`. */
  readonly source?: string;
}

/** Everything the catalog is built from. */
export interface CatalogSource {
  readonly platform: Pick<PlatformConfig, 'repositoryUrl' | 'platformTeam'>;
  readonly teams: readonly CatalogTeam[];
  readonly services: readonly CatalogService[];
}

export type CatalogEntity =
  GroupEntityV1alpha1 | SystemEntityV1alpha1 | ComponentEntityV1alpha1 | ApiEntityV1alpha1 | ResourceEntityV1alpha1;

const key = (name: string) => `${ANNOTATION_PREFIX}/${name}`;
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** An alert endpoint as a link: an e-mail address becomes a `mailto:` address. */
function endpointLink(endpoint: string, title: string): EntityLink {
  return { url: endpoint.startsWith('https://') ? endpoint : `mailto:${endpoint}`, title };
}

/** The AWS console pages a deployment's links point at; only where its region is known. */
const consoleUrls = {
  dashboard: (region: string, name: string) =>
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`,
  pipeline: (region: string, name: string) =>
    `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(name)}/view?region=${region}`,
};

/** `Orders` → `orders`, `ReceiptKey` → `receipt-key`: a construct id as part of an entity name. */
function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

/**
 * Backstage's lifecycle of a service: `production` once it deploys to an environment at maximum protection (prod),
 * `experimental` before.
 */
export function lifecycle(service: CatalogService): 'production' | 'experimental' {
  return service.deployments.some((d) => d.protection === 'maximum') ? 'production' : 'experimental';
}

/** The routes of all of a service's deployments together; `undefined` when none has an API. */
function serviceRoutes(service: CatalogService): Map<string, string[]> | undefined {
  if (!service.deployments.some((d) => d.routes)) return undefined;
  const routes = new Map<string, string[]>();
  for (const deployment of service.deployments) {
    for (const [route, methods] of Object.entries(deployment.routes ?? {})) {
      routes.set(route, sorted([...(routes.get(route) ?? []), ...methods]));
    }
  }
  return new Map([...routes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A minimal OpenAPI 3 document of `routes`: each path and method as the API Gateway template declares them, with
 * its path parameters. Request and response bodies are not in the template, so the document leaves them out.
 */
export function openApiDocument(service: string, routes: ReadonlyMap<string, readonly string[]>): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [templatePath, methods] of routes) {
    // API Gateway's greedy `{proxy+}` is the path parameter `{proxy}` in OpenAPI.
    const route = templatePath.replace(/\{([^}]+)\+\}/g, '{$1}');
    const parameters = [...route.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[route] = {
      ...(parameters.length > 0 ? { parameters } : {}),
      ...Object.fromEntries(
        methods.map((method) => [
          method.toLowerCase(),
          { responses: { default: { description: 'As the handler answers; not declared in the template.' } } },
        ]),
      ),
    };
  }
  const document = {
    openapi: '3.0.3',
    info: { title: `${service} API`, version: 'unversioned' },
    paths,
  };
  return JSON.stringify(document, undefined, 2);
}

/** Backstage's longest entity name. */
const MAX_NAME_LENGTH = 63;

/** A team's Group: its name, and where its pages and tickets go. */
function group(team: CatalogTeam): GroupEntityV1alpha1 {
  return {
    apiVersion: API_VERSION,
    kind: 'Group',
    metadata: {
      name: team.id,
      title: team.displayName,
      annotations: {
        [key('on-call')]: team.onCallEndpoint,
        [key('tickets')]: team.ticketEndpoint,
        [key('cost-center')]: team.costCenter,
      },
      links: [endpointLink(team.onCallEndpoint, 'On call'), endpointLink(team.ticketEndpoint, 'Tickets')],
    },
    spec: { type: 'team', profile: { displayName: team.displayName }, children: [] },
  };
}

/** The platform's System, owned by the platform team. */
function system(platform: CatalogSource['platform']): SystemEntityV1alpha1 {
  return {
    apiVersion: API_VERSION,
    kind: 'System',
    metadata: {
      name: SYSTEM_NAME,
      title: 'Keel',
      description: 'The services Keel deploys, and the platform that builds, checks and ships them.',
      links: [{ url: platform.repositoryUrl, title: 'Repository' }],
    },
    spec: { owner: `group:${platform.platformTeam}` },
  };
}

/** The API a service provides, as an OpenAPI document of its routes. */
function api(service: CatalogService, routes: ReadonlyMap<string, readonly string[]>): ApiEntityV1alpha1 {
  return {
    apiVersion: API_VERSION,
    kind: 'API',
    metadata: {
      name: service.name,
      description: `The REST API of ${service.name}, as its API Gateway template declares it.`,
      labels: { [key('data-classification')]: service.dataClassification },
    },
    spec: {
      type: 'openapi',
      lifecycle: lifecycle(service),
      owner: `group:${service.owner}`,
      system: SYSTEM_NAME,
      definition: openApiDocument(service.name, routes),
    },
  };
}

/**
 * A deployment's name within its service: its environment, and its region too where the environment has several (a
 * wave): `prod`, or `prod-eu-west-1` and `prod-us-east-1`.
 */
function where(service: CatalogService, deployment: CatalogDeployment): string {
  const several = service.deployments.filter((d) => d.environment === deployment.environment).length > 1;
  return several && deployment.region ? `${deployment.environment}-${deployment.region}` : deployment.environment;
}

/** A Resource per DynamoDB table of each deployment of a service, by name. */
function tables(service: CatalogService): ResourceEntityV1alpha1[] {
  const resources = service.deployments.flatMap((deployment) =>
    deployment.tables.map((table): ResourceEntityV1alpha1 => ({
      apiVersion: API_VERSION,
      kind: 'Resource',
      metadata: {
        name: `${service.name}-${where(service, deployment)}-${kebab(table)}`
          .slice(0, MAX_NAME_LENGTH)
          .replace(/-+$/, ''),
        description: `The ${table} DynamoDB table of ${service.name} in ${where(service, deployment)} (stack ${deployment.stackName}).`,
        labels: {
          [key('data-classification')]: service.dataClassification,
          [key('environment')]: deployment.environment,
        },
        annotations: {
          ...(deployment.account ? { [key('account')]: deployment.account } : {}),
          ...(deployment.region ? { [key('region')]: deployment.region } : {}),
          [key('stack')]: deployment.stackName,
        },
      },
      spec: { type: 'dynamodb-table', owner: `group:${service.owner}`, system: SYSTEM_NAME },
    })),
  );
  return resources.sort((a, b) => byName(a.metadata, b.metadata));
}

/**
 * The Backstage entities of `source`, in a fixed order (Groups, the System, Components, APIs, Resources, each by
 * name), every object's keys in a fixed order: the same source gives the same entities.
 */
export function buildCatalog(source: CatalogSource): CatalogEntity[] {
  const groups = [...source.teams].sort((a, b) => byName({ name: a.id }, { name: b.id })).map(group);
  const components: ComponentEntityV1alpha1[] = [];
  const apis: ApiEntityV1alpha1[] = [];
  const resources: ResourceEntityV1alpha1[] = [];
  for (const service of [...source.services].sort(byName)) {
    const routes = serviceRoutes(service);
    const own = tables(service);
    components.push(
      component(
        service,
        routes !== undefined,
        own.map((t) => `resource:${t.metadata.name}`),
      ),
    );
    if (routes) apis.push(api(service, routes));
    resources.push(...own);
  }
  return [...groups, system(source.platform), ...components, ...apis, ...resources];
}

function component(
  service: CatalogService,
  providesApi: boolean,
  dependsOn: readonly string[],
): ComponentEntityV1alpha1 {
  const annotations: Record<string, string> = {};
  if (service.source) annotations['backstage.io/source-location'] = `url:${service.source}`;
  // Environments in the manifest's order, which is promotion order (dev, staging, prod).
  const environments = [...new Set(service.deployments.map((d) => d.environment))];
  for (const environment of environments) {
    const here = service.deployments.filter((d) => d.environment === environment);
    const values = (pick: (d: CatalogDeployment) => string | undefined) =>
      sorted(here.flatMap((d) => pick(d) ?? [])).join(',');
    for (const [field, value] of [
      ['stack', values((d) => d.stackName)],
      ['account', values((d) => d.account)],
      ['region', values((d) => d.region)],
      ['protection', values((d) => d.protection)],
      ['dashboard', values((d) => d.dashboard)],
    ] as const) {
      if (value) annotations[key(`${environment}.${field}`)] = value;
    }
  }
  const links: EntityLink[] = sorted(service.deployments.flatMap((d) => d.runbooks)).map((runbook) => ({
    url: runbook,
    title: `Runbook: ${runbook.slice(runbook.lastIndexOf('/') + 1)}`,
  }));
  for (const deployment of service.deployments) {
    const { region, dashboard } = deployment;
    if (region)
      links.push({ url: consoleUrls.dashboard(region, dashboard), title: `Dashboard (${where(service, deployment)})` });
  }
  const pipelines = new Map<string, string>();
  for (const { pipeline } of service.deployments) {
    if (pipeline?.region) pipelines.set(pipeline.name, consoleUrls.pipeline(pipeline.region, pipeline.name));
  }
  for (const [name, url] of pipelines) links.push({ url, title: `Pipeline: ${name}` });
  return {
    apiVersion: API_VERSION,
    kind: 'Component',
    metadata: {
      name: service.name,
      description: `${service.name}, deployed by Keel to ${environments.join(', ') || 'no environment yet'}.`,
      labels: { [key('data-classification')]: service.dataClassification },
      annotations,
      tags: [service.dataClassification],
      links,
    },
    spec: {
      type: 'service',
      lifecycle: lifecycle(service),
      owner: `group:${service.owner}`,
      system: SYSTEM_NAME,
      ...(providesApi ? { providesApis: [`api:${service.name}`] } : {}),
      ...(dependsOn.length > 0 ? { dependsOn: [...dependsOn] } : {}),
    },
  };
}

/**
 * The entities as one file: YAML (a `---` document per entity; each is JSON, which YAML 1.2 reads as it is) or a
 * JSON array. Same entities, same bytes.
 */
export function renderCatalog(entities: readonly CatalogEntity[], format: CatalogFormat): string {
  if (format === 'json') return `${JSON.stringify(entities, undefined, 2)}\n`;
  const header = '# Backstage catalog entities written by `keel catalog export`; regenerate rather than edit.\n';
  // Block-style YAML, one document per entity; keys keep the order they were built in, so the bytes are stable.
  const documents = entities.map(
    (entity) => `---\n${stringify(entity, { lineWidth: 0, aliasDuplicateObjects: false })}`,
  );
  return header + documents.join('');
}
