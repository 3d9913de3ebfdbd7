import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  parseEntityRef,
  systemEntityV1alpha1Validator,
  type ApiEntity,
  type Entity,
  type KindValidator,
} from '@backstage/catalog-model';
import type { KeelManifest, ManifestService } from '../../../constructs/manifest/manifest-schema';
import { platform } from '../../../lib/config/platform';
import type { ServiceConfig } from '../../../lib/config/model';
import { buildCatalog, renderCatalog, type CatalogEntity, type CatalogTeam } from '../../../lib/ops/catalog';
import { servicesFromAssembly, type EnvironmentProtection } from '../../../lib/ops/catalog-source';
import { thisRepository } from '../../../lib/ops/commands/repository';
import { services as repositoryServices } from '../../../lib/services';
import { manifestAlarm, manifestService, tempDir } from '../../helpers/manifest';
import { parseAllDocuments } from 'yaml';

/** Backstage's own checks: the policies its catalog applies to every entity, then the validator of its kind. */
const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const KIND_VALIDATORS: Readonly<Record<string, KindValidator>> = {
  Group: groupEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  Component: componentEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
};

/** Throws Backstage's message when an entity breaks its rules. */
async function backstageAccepts(entity: Entity): Promise<void> {
  await policy.enforce(structuredClone(entity));
  const validator = KIND_VALIDATORS[entity.kind];
  if (!validator) throw new Error(`no validator for kind ${entity.kind}`);
  if (!(await validator.check(structuredClone(entity)))) throw new Error(`kind validator refused ${entity.kind}`);
}

/**
 * Throws unless every reference in the entities' specs (owner, system, providesApis, dependsOn) parses with
 * Backstage's parser, names its kind, and names an entity of the export: the kind validators only check that it is a
 * string.
 */
function referencesResolve(entities: readonly Entity[]): void {
  const known = new Set(entities.map((e) => `${e.kind.toLowerCase()}:default/${e.metadata.name}`));
  for (const entity of entities) {
    const spec = (entity.spec ?? {}) as {
      owner?: string;
      system?: string;
      providesApis?: string[];
      dependsOn?: string[];
    };
    for (const ref of [
      spec.owner,
      spec.system && `system:${spec.system}`,
      ...(spec.providesApis ?? []),
      ...(spec.dependsOn ?? []),
    ]) {
      if (ref === undefined) continue;
      const { kind, namespace, name } = parseEntityRef(ref);
      if (!known.has(`${kind.toLowerCase()}:${namespace}/${name}`)) {
        throw new Error(`${entity.kind} ${entity.metadata.name} refers to ${ref}, which is not in the export`);
      }
    }
  }
}

const ENVIRONMENTS = [
  { name: 'dev', account: '111111111111' },
  { name: 'staging', account: '222222222222' },
  { name: 'prod', account: '333333333333' },
] as const;
const PROTECTION: EnvironmentProtection = { dev: 'basic', staging: 'standard', prod: 'maximum' };

const stackName = (service: string, environment: string) =>
  `${service.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}-${environment}`;

/** A template as synth writes one: every resource tagged, optionally a REST API with routes and DynamoDB tables. */
function template(config: ServiceConfig, environment: string, options: { api?: boolean; tables?: string[] } = {}) {
  const Tags = [
    { Key: 'DataClassification', Value: config.dataClassification },
    { Key: 'Environment', Value: environment },
    { Key: 'Owner', Value: config.owner },
    { Key: 'Service', Value: config.name },
  ];
  const stack = stackName(config.name, environment);
  const resources: Record<string, unknown> = { Key: { Type: 'AWS::KMS::Key', Properties: { Tags } } };
  for (const table of options.tables ?? []) {
    resources[`Service${table}ABCD1234`] = {
      Type: 'AWS::DynamoDB::Table',
      Properties: { Tags },
      Metadata: { 'aws:cdk:path': `${stack}/Service/Service/${table}/Resource` },
    };
  }
  if (options.api) {
    Object.assign(resources, {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: `${config.name}-${environment}`, Tags } },
      ApiOrders: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'orders' },
      },
      ApiOrder: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { ParentId: { Ref: 'ApiOrders' }, PathPart: '{orderId}' },
      },
      ApiOrdersPost: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { HttpMethod: 'POST', ResourceId: { Ref: 'ApiOrders' } },
      },
      ApiOrderGet: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { HttpMethod: 'GET', ResourceId: { Ref: 'ApiOrder' } },
      },
    });
  }
  return { Resources: resources };
}

/**
 * A cloud assembly as `npx cdk synth` writes it, as far as the catalog reads it: keel-manifest.json, the assembly
 * manifest naming each stack's template, and the templates.
 */
function assembly(entries: readonly { entry: ManifestService; template: unknown }[]): string {
  const dir = tempDir('keel-catalog-');
  const manifest: KeelManifest = {
    version: 1,
    generatedAt: '2025-01-01T00:00:00.000Z',
    services: entries.map((e) => e.entry),
  };
  fs.writeFileSync(path.join(dir, 'keel-manifest.json'), JSON.stringify(manifest));
  const artifacts: Record<string, unknown> = {};
  for (const { entry, template: body } of entries) {
    const file = `${entry.stackName}.template.json`;
    fs.writeFileSync(path.join(dir, file), JSON.stringify(body));
    artifacts[entry.stackName] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://${entry.account}/${entry.region}`,
      properties: { templateFile: file, stackName: entry.stackName },
    };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

/** One manifest entry of `service` in `environment`, with a pipeline stage and alarms linking `runbook`. */
function entry(service: string, environment: (typeof ENVIRONMENTS)[number], runbook: string): ManifestService {
  const stack = stackName(service, environment.name);
  return manifestService({
    service,
    environment: environment.name,
    stackName: stack,
    account: environment.account,
    region: 'eu-west-1',
    dashboard: `${service}-${environment.name}`,
    alarms: [
      manifestAlarm(`${service}-${environment.name}-errors-critical`, 'critical', {
        runbook: `${platform.repositoryUrl}/blob/main/runbooks/${runbook}.md#errors`,
      }),
      manifestAlarm(`${service}-${environment.name}-dlq-critical`, 'critical', {
        runbook: `${platform.repositoryUrl}/blob/main/runbooks/standard-alarms.md#dlq`,
      }),
    ],
    pipeline: { name: `${service}-pipeline`, stage: stack, account: '444444444444', region: 'eu-west-1' },
  });
}

/** The catalog of the repository's real teams and services, deployed to the three environments. */
function repositoryCatalog(teams: readonly CatalogTeam[], order: 'as-listed' | 'reversed' = 'as-listed') {
  const configs = repositoryServices.map((s) => s.config);
  const listed = order === 'reversed' ? [...configs].reverse() : configs;
  const dir = assembly(
    listed.flatMap((config) =>
      ENVIRONMENTS.map((environment) => ({
        entry: entry(config.name, environment, config.name),
        template: template(
          config,
          environment.name,
          config.name === 'orders' ? { api: true, tables: ['Orders', 'Idempotency'] } : {},
        ),
      })),
    ),
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'keel-manifest.json'), 'utf8')) as KeelManifest;
  const services = servicesFromAssembly(dir, manifest, {
    teams,
    protection: PROTECTION,
    repositoryRoot: thisRepository().root,
    repositoryUrl: platform.repositoryUrl,
    branch: platform.delivery.branch,
  });
  return buildCatalog({ platform, teams, services });
}

const { teams } = thisRepository().registry;

describe('catalog of the repository', () => {
  const entities = repositoryCatalog(teams);
  const named = <K extends CatalogEntity['kind']>(kind: K, name: string) =>
    entities.find((e) => e.kind === kind && e.metadata.name === name) as Extract<CatalogEntity, { kind: K }>;

  test('every entity passes the checks of Backstage’s catalog model', async () => {
    for (const entity of entities) await backstageAccepts(entity);
    referencesResolve(entities);
    expect(entities.map((e) => `${e.kind}:${e.metadata.name}`)).toEqual([
      ...teams.map((t) => `Group:${t.id}`).sort(),
      'System:keel',
      'Component:hello-container',
      'Component:orders',
      'API:orders',
      'Resource:orders-dev-idempotency',
      'Resource:orders-dev-orders',
      'Resource:orders-prod-idempotency',
      'Resource:orders-prod-orders',
      'Resource:orders-staging-idempotency',
      'Resource:orders-staging-orders',
    ]);
  });

  test('a Group per team carries its on-call and ticket endpoints; the platform team owns the System', () => {
    const commerce = teams.find((t) => t.id === 'commerce') as CatalogTeam;
    expect(named('Group', 'commerce')).toMatchObject({
      metadata: {
        title: commerce.displayName,
        annotations: { 'keel.dev/on-call': commerce.onCallEndpoint, 'keel.dev/tickets': commerce.ticketEndpoint },
        links: [{ url: `mailto:${commerce.onCallEndpoint}`, title: 'On call' }, { title: 'Tickets' }],
      },
      spec: { type: 'team', profile: { displayName: commerce.displayName }, children: [] },
    });
    expect(named('System', 'keel').spec).toEqual({ owner: `group:${platform.platformTeam}` });
  });

  test('a Component per service: owner, lifecycle, data classification, environments and links', () => {
    const orders = named('Component', 'orders');
    const config = repositoryServices.find((s) => s.config.name === 'orders')?.config as ServiceConfig;
    expect(orders.spec).toMatchObject({
      type: 'service',
      lifecycle: 'production',
      owner: `group:${config.owner}`,
      system: 'keel',
      providesApis: ['api:orders'],
    });
    expect(orders.spec?.dependsOn).toContain('resource:orders-prod-orders');
    expect(orders.metadata.labels).toEqual({ 'keel.dev/data-classification': config.dataClassification });
    expect(orders.metadata.annotations).toMatchObject({
      'backstage.io/source-location': `url:${platform.repositoryUrl}/tree/main/lib/services/orders/`,
      'keel.dev/prod.account': '333333333333',
      'keel.dev/prod.region': 'eu-west-1',
      'keel.dev/prod.protection': 'maximum',
      'keel.dev/dev.protection': 'basic',
    });
    expect(orders.metadata.links?.map((l) => l.title)).toEqual([
      'Runbook: orders.md',
      'Runbook: standard-alarms.md',
      'Dashboard (dev)',
      'Dashboard (staging)',
      'Dashboard (prod)',
      'Pipeline: orders-pipeline',
    ]);
    expect(orders.metadata.links?.[0].url).toBe(`${platform.repositoryUrl}/blob/main/runbooks/orders.md`);
    expect(orders.metadata.links?.[4].url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/orders-prod',
    );
    // hello-container has no REST API in its templates: no API entity is made up for it.
    expect(named('Component', 'hello-container').spec).not.toHaveProperty('providesApis');
  });

  test('the API is an OpenAPI 3 document of the routes the template declares', () => {
    const definition = JSON.parse(named('API', 'orders').spec.definition) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(definition.openapi).toBe('3.0.3');
    expect(Object.keys(definition.paths)).toEqual(['/orders', '/orders/{orderId}']);
    expect(Object.keys(definition.paths['/orders'])).toEqual(['post']);
    expect(definition.paths['/orders/{orderId}'].parameters).toEqual([
      { name: 'orderId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  test('the export is deterministic: the same input gives the same bytes, whatever order services are listed in', () => {
    const again = repositoryCatalog(teams, 'reversed');
    for (const format of ['yaml', 'json'] as const) {
      expect(renderCatalog(again, format)).toBe(renderCatalog(entities, format));
    }
  });

  test('the YAML reads back, as YAML, to the same entities; the JSON is an array of them', () => {
    expect(parseAllDocuments(renderCatalog(entities, 'yaml')).map((document) => document.toJS())).toEqual(entities);
    expect(JSON.parse(renderCatalog(entities, 'json'))).toEqual(entities);
  });
});

describe('the validators can fail', () => {
  const entities = repositoryCatalog(teams);
  const group = entities.find((e) => e.kind === 'Group') as CatalogEntity;
  const component = entities.find((e) => e.kind === 'Component') as CatalogEntity;

  test('the unchanged entities pass', async () => {
    await backstageAccepts(group);
    await backstageAccepts(component);
  });

  test.each([
    ['an owner that is not an entity reference', 'group:'],
    ['an owner without its kind', 'commerce'],
    ['an owner that is no Group of the export', 'group:order-fulfilment'],
  ])('fails when a Component has %s', (_what, owner) => {
    const planted = { ...component, spec: { ...component.spec, owner } } as Entity;
    expect(() => referencesResolve(entities.map((e) => (e === component ? planted : e)))).toThrow();
  });

  test.each([
    ['an empty owner', () => ({ ...component, spec: { ...component.spec, owner: '' } })],
    ['a name with a space', () => ({ ...group, metadata: { ...group.metadata, name: 'order fulfilment' } })],
    [
      'an annotation key outside a domain',
      () => ({ ...group, metadata: { ...group.metadata, annotations: { 'on call': 'x' } } }),
    ],
    ['a Component without a lifecycle', () => ({ ...component, spec: { ...component.spec, lifecycle: undefined } })],
  ])('fails when an entity has %s', async (_what, planted) => {
    await expect(backstageAccepts(planted() as Entity)).rejects.toThrow();
  });
});

describe('catalog edge cases', () => {
  const shop: ServiceConfig = { name: 'shop', owner: 'commerce', dataClassification: 'internal' };
  const read = (dir: string, protection: EnvironmentProtection = PROTECTION) =>
    servicesFromAssembly(
      dir,
      JSON.parse(fs.readFileSync(path.join(dir, 'keel-manifest.json'), 'utf8')) as KeelManifest,
      {
        teams,
        protection,
        repositoryRoot: thisRepository().root,
        repositoryUrl: platform.repositoryUrl,
        branch: 'main',
      },
    );

  test('a service in dev alone is experimental, and without a region has no console links', async () => {
    const devOnly = { ...entry('shop', ENVIRONMENTS[0], 'shop'), region: undefined, pipeline: undefined };
    const services = read(assembly([{ entry: devOnly, template: template(shop, 'dev') }]));
    const [component] = buildCatalog({ platform, teams, services }).filter((e) => e.kind === 'Component');
    await backstageAccepts(component);
    expect(component.spec?.lifecycle).toBe('experimental');
    expect(component.metadata.links?.map((l) => l.title)).toEqual(['Runbook: shop.md', 'Runbook: standard-alarms.md']);
    // No lib/services/shop/ in this repository: no source location is claimed.
    expect(component.metadata.annotations).not.toHaveProperty(['backstage.io/source-location']);
  });

  test('a wave (prod in two regions) gives each region its own table Resources and dashboard link', async () => {
    const wave = (region: string) => ({
      entry: { ...entry('shop', ENVIRONMENTS[2], 'shop'), stackName: `Shop-prod-${region}`, region },
      template: template(shop, 'prod', { tables: ['Carts'] }),
    });
    const entities = buildCatalog({
      platform,
      teams,
      services: read(assembly([wave('eu-west-1'), wave('us-east-1')])),
    });
    for (const entity of entities) await backstageAccepts(entity);
    referencesResolve(entities);
    expect(entities.filter((e) => e.kind === 'Resource').map((e) => e.metadata.name)).toEqual([
      'shop-prod-eu-west-1-carts',
      'shop-prod-us-east-1-carts',
    ]);
    const component = entities.find((e) => e.kind === 'Component') as CatalogEntity;
    expect(component.metadata.links?.filter((l) => l.title?.startsWith('Dashboard')).map((l) => l.title)).toEqual([
      'Dashboard (prod-eu-west-1)',
      'Dashboard (prod-us-east-1)',
    ]);
    expect(component.metadata.annotations).toMatchObject({
      'keel.dev/prod.region': 'eu-west-1,us-east-1',
      'keel.dev/prod.stack': 'Shop-prod-eu-west-1,Shop-prod-us-east-1',
    });
  });

  test('an ANY method on a greedy {proxy+} resource is every method of the OpenAPI path /{proxy}', () => {
    const body = template(shop, 'prod');
    Object.assign(body.Resources, {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
      Proxy: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: '{proxy+}' },
      },
      ProxyAny: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'ANY', ResourceId: { Ref: 'Proxy' } } },
      RootGet: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { HttpMethod: 'GET', ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] } },
      },
    });
    const services = read(assembly([{ entry: entry('shop', ENVIRONMENTS[2], 'shop'), template: body }]));
    const apiEntity = buildCatalog({ platform, teams, services }).find((e) => e.kind === 'API') as ApiEntity;
    const { paths } = JSON.parse(apiEntity.spec.definition) as { paths: Record<string, object> };
    expect(Object.keys(paths)).toEqual(['/', '/{proxy}']);
    expect(Object.keys(paths['/{proxy}'])).toEqual([
      'parameters',
      'delete',
      'get',
      'head',
      'options',
      'patch',
      'post',
      'put',
    ]);
  });

  test('fails when a stack’s Owner tag names no team of the registry', () => {
    const dir = assembly([
      { entry: entry('shop', ENVIRONMENTS[2], 'shop'), template: template({ ...shop, owner: 'nobody' }, 'prod') },
    ]);
    expect(() => read(dir)).toThrow(/^stack Shop-prod is owned by "nobody" \(its Owner tag\), which is not a team/);
  });

  test('fails when a stack of the manifest has no template, or its resources disagree on the owner', () => {
    const missing = assembly([
      { entry: entry('shop', ENVIRONMENTS[1], 'shop'), template: template(shop, 'staging') },
      { entry: entry('shop', ENVIRONMENTS[2], 'shop'), template: template(shop, 'prod') },
    ]);
    fs.rmSync(path.join(missing, 'Shop-prod.template.json'));
    expect(() => read(missing)).toThrow(
      /^stack Shop-prod of shop \(prod\) is in keel-manifest.json but has no template/,
    );
    const body = template(shop, 'prod');
    const other = template({ ...shop, owner: 'payments' }, 'prod');
    const mixed = { Resources: { ...body.Resources, Other: { ...(other.Resources.Key as object) } } };
    expect(() => read(assembly([{ entry: entry('shop', ENVIRONMENTS[2], 'shop'), template: mixed }]))).toThrow(
      /^stack Shop-prod has 2 Owner tag value\(s\) \(commerce, payments\)/,
    );
  });
});
