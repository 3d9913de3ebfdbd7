import { loadConfig, repositoryDefinition, type ConfigDefinition } from '../../../lib/config/load';
import type { ServiceConfig, TeamConfig } from '../../../lib/config/model';
import { services } from '../../../lib/services';
import { repositoryContext } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

const source = { context: (key: string) => repositoryContext[key], env: {} };

/** The repository's configuration: lib/config's, with each service's config from its definition. */
const repository: ConfigDefinition = { ...repositoryDefinition, services: services.map((service) => service.config) };

function withServices(...configs: readonly Partial<ServiceConfig>[]): ConfigDefinition {
  return { ...repositoryDefinition, services: configs as ServiceConfig[] };
}

function problemsOf(definition: ConfigDefinition, configSource = source): string {
  return refusal(() => loadConfig(configSource, definition));
}

test('the repository configuration is valid and places every environment in its account and region', () => {
  const config = loadConfig(source, repository);
  expect(config.environments.map((e) => [e.name, e.account, e.region, e.protection])).toEqual([
    ['dev', '111111111111', 'eu-west-1', 'basic'],
    ['staging', '222222222222', 'eu-west-1', 'standard'],
    ['prod', '333333333333', 'eu-west-1', 'maximum'],
  ]);
  expect(config.environments.find((e) => e.name === 'prod')?.extraRulePacks).toContain('NIST.800.53.R5');
});

test('environment variables override the accounts and regions in context', () => {
  const config = loadConfig(
    {
      ...source,
      env: {
        KEEL_PROD_ACCOUNT: '999999999999',
        KEEL_PROD_REGION: 'us-east-2',
        // The certificate must move with them: cdk.json's is in the placeholder prod account.
        KEEL_PROD_CERTIFICATE_ARN:
          'arn:aws:acm:us-east-2:999999999999:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      },
    },
    repository,
  );
  expect(config.environments.find((e) => e.name === 'prod')).toMatchObject({
    account: '999999999999',
    region: 'us-east-2',
  });
});

test('fails when an account id is not 12 digits, naming the context key and the variable that set it', () => {
  const message = problemsOf(repository, { ...source, env: { KEEL_STAGING_ACCOUNT: '1234' } });
  expect(message).toContain('environment staging account');
  expect(message).toContain('"1234" is not a 12-digit AWS account id');
  expect(message).toContain('KEEL_STAGING_ACCOUNT');
});

const STAGING_CERTIFICATE = 'arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

test("reads an environment's load-balancer certificate from context, and lets an environment variable override it", () => {
  const fromContext = loadConfig(
    {
      ...source,
      context: (key) => (key === 'keel:staging:certificateArn' ? STAGING_CERTIFICATE : source.context(key)),
    },
    repository,
  );
  expect(fromContext.environments.find((e) => e.name === 'staging')?.certificateArn).toBe(STAGING_CERTIFICATE);
  expect(fromContext.environments.find((e) => e.name === 'dev')?.certificateArn).toBeUndefined();
  const other = STAGING_CERTIFICATE.replace('0a1b', 'ffff');
  const fromEnv = loadConfig({ ...source, env: { KEEL_STAGING_CERTIFICATE_ARN: other } }, repository);
  expect(fromEnv.environments.find((e) => e.name === 'staging')?.certificateArn).toBe(other);
});

test("refuses a certificate that is not an ACM ARN, or not in the environment's account and region", () => {
  const notAnArn = problemsOf(repository, { ...source, env: { KEEL_PROD_CERTIFICATE_ARN: 'my-cert' } });
  expect(notAnArn).toContain(
    'environment prod certificateArn (context keel:prod:certificateArn or $KEEL_PROD_CERTIFICATE_ARN)',
  );
  expect(notAnArn).toContain('"my-cert" is not an ACM certificate ARN');
  expect(notAnArn).toContain('arn:aws:acm:eu-west-1:333333333333:certificate/<id>');
  const elsewhere = problemsOf(repository, {
    ...source,
    env: {
      KEEL_PROD_CERTIFICATE_ARN: STAGING_CERTIFICATE.replace('eu-west-1', 'us-east-1').replace(
        '222222222222',
        '333333333333',
      ),
    },
  });
  expect(elsewhere).toContain(
    "is in 333333333333/us-east-1, not in the environment's account and region 333333333333/eu-west-1",
  );
});

test('fails when a service has no owner team, listing the known teams', () => {
  const message = problemsOf(withServices({ name: 'orders', dataClassification: 'internal' }));
  expect(message).toContain("services['orders'].config.owner (lib/services/orders/index.ts)");
  expect(message).toContain('no owner team is set');
  expect(message).toContain('use one of the known teams (platform, commerce, payments)');
});

test('fails when a service names an unknown owner team, listing the known teams', () => {
  const message = problemsOf(withServices({ name: 'orders', owner: 'billing', dataClassification: 'internal' }));
  expect(message).toContain('team "billing" is not in the team registry');
  expect(message).toContain('platform, commerce, payments');
});

test('fails when a data classification is not one of the four levels', () => {
  const message = problemsOf(
    withServices({
      name: 'orders',
      owner: 'commerce',
      dataClassification: 'secret' as ServiceConfig['dataClassification'],
    }),
  );
  expect(message).toContain("services['orders'].config.dataClassification");
  expect(message).toContain('"secret" is not a data classification');
  expect(message).toContain('public | internal | confidential | restricted');
});

test('fails when two services share a name', () => {
  const message = problemsOf(
    withServices(
      { name: 'orders', owner: 'commerce', dataClassification: 'internal' },
      { name: 'orders', owner: 'platform', dataClassification: 'internal' },
    ),
  );
  expect(message).toContain('services[1].config.name');
  expect(message).toContain('service name "orders" is used twice');
});

test('names a team with a usable id by its id and one without by its position', () => {
  const teams: TeamConfig[] = repositoryDefinition.teams.map((t) =>
    t.id === 'commerce' ? { ...t, displayName: '' } : t.id === 'payments' ? { ...t, id: 'Payments' } : t,
  );
  const message = problemsOf({ ...repositoryDefinition, teams, services: [] });
  expect(message).toContain("teams['commerce'].displayName (lib/config/teams.ts): is empty");
  expect(message).toContain('teams[2].id (lib/config/teams.ts): "Payments" is not kebab-case');
  expect(message).not.toContain('teams[1]');
});

test('names a service by its name, and by its position when the name is unusable', () => {
  const message = problemsOf(
    withServices(
      { name: 'orders', owner: 'nobody', dataClassification: 'internal' },
      { name: 'Bad_Name', owner: 'commerce', dataClassification: 'internal' },
    ),
  );
  expect(message).toContain("services['orders'].config.owner (lib/services/orders/index.ts)");
  expect(message).toContain('services[1].config.name (lib/services/index.ts)');
  expect(message).not.toContain('services[0]');
});

test("fails once, at the service's definition, when it lacks a tag its team requires", () => {
  const message = problemsOf(withServices({ name: 'checkout', owner: 'payments', dataClassification: 'restricted' }));
  expect(message).toContain('(1 problem(s))');
  expect(message).toContain(
    "services['checkout'].config.tags (lib/services/checkout/index.ts): service 'checkout' lacks the tag(s) PciScope that its team 'payments' requires on every resource",
  );
  expect(message).toContain("fix: add tags: { PciScope: <value> } to the service's config");
  expect(message).toContain("remove the key(s) from extraRequiredTagKeys of team 'payments' in lib/config/teams.ts");
});

test('a service given the tag its team requires, as the fix says, is valid', () => {
  const config = loadConfig(
    source,
    withServices({ name: 'checkout', owner: 'payments', dataClassification: 'restricted', tags: { PciScope: 'in' } }),
  );
  expect(config.services.map((s) => s.name)).toEqual(['checkout']);
});

test('fails when a service name is not kebab-case', () => {
  const message = problemsOf(withServices({ name: 'OrderHistory', owner: 'commerce', dataClassification: 'internal' }));
  expect(message).toContain('"OrderHistory" is not kebab-case');
  expect(message).toContain("e.g. 'orders' or 'order-history'");
});

test('fails when a tag value is empty, whether a team cost center or a service tag', () => {
  const teams: TeamConfig[] = repositoryDefinition.teams.map((t) =>
    t.id === 'commerce' ? { ...t, costCenter: ' ' } : t,
  );
  const message = problemsOf({
    ...repositoryDefinition,
    teams,
    services: [{ name: 'orders', owner: 'commerce', dataClassification: 'internal', tags: { Project: '' } }],
  });
  expect(message).toContain("teams['commerce'].costCenter");
  expect(message).toContain("services['orders'].config.tags.Project");
  expect(message).toContain('is empty; a tag needs a value');
});

test('reports every problem at once, not only the first', () => {
  const message = problemsOf(
    withServices(
      { name: 'Bad_Name', owner: 'nobody', dataClassification: 'internal' },
      { name: 'fine', owner: 'commerce', dataClassification: 'top-secret' as ServiceConfig['dataClassification'] },
    ),
  );
  expect(message).toContain('(3 problem(s))');
});

test('places the pipelines in the delivery account and region, with the source from platform config', () => {
  expect(loadConfig(source, repository).delivery).toEqual({
    account: '444444444444',
    region: 'eu-west-1',
    connectionArn: repositoryDefinition.platform.delivery.connectionArn,
    repository: 'example-org/keel',
    branch: 'main',
  });
});

test('fails when the delivery account is missing, naming the context key to set', () => {
  const message = problemsOf(repository, {
    ...source,
    context: (key: string) => (key === 'keel:delivery:account' ? undefined : repositoryContext[key]),
  });
  expect(message).toContain('delivery account (context keel:delivery:account or $KEEL_DELIVERY_ACCOUNT)');
  expect(message).toContain('"" is not a 12-digit AWS account id');
});

test('fails when a bake time is negative or longer than a day, naming the environment', () => {
  const withBake = (bakeMinutes: number): ConfigDefinition => ({
    ...repository,
    environments: {
      ...repositoryDefinition.environments,
      prod: { ...repositoryDefinition.environments.prod, bakeMinutes },
    },
  });
  for (const bake of [-5, 0, 1441, 2.5]) {
    const message = problemsOf(withBake(bake));
    expect(message).toContain('environmentDefaults.prod.bakeMinutes (lib/config/environments.ts)');
    expect(message).toContain(`${bake} is not a whole number of minutes from 1 to 1440 (a day)`);
  }
});

test('fails when an environment adds an unknown rule pack or one every stack already gets, naming the environment', () => {
  const message = problemsOf({
    ...repository,
    environments: {
      ...repositoryDefinition.environments,
      prod: { ...repositoryDefinition.environments.prod, extraRulePacks: ['PCI', 'AwsSolutions'] as never[] },
    },
  });
  expect(message).toContain(
    'environmentDefaults.prod.extraRulePacks[0] (lib/config/environments.ts): "PCI" is not a rule pack Keel knows',
  );
  expect(message).toContain('PCI.DSS.321');
  expect(message).toContain(
    'environmentDefaults.prod.extraRulePacks[1] (lib/config/environments.ts): AwsSolutions already checks every stack',
  );
});
