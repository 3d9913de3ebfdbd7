import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AWS_ACCOUNT_ID,
  TAG_VALUE_CHARACTERS,
  AWS_REGION,
  KeelValidationError,
  dataClassificationProblem,
  extraRulePackProblems,
  tagValueProblem,
  type Problem,
} from '../../constructs';
import { environmentDefaults, type EnvironmentDefaults } from './environments';
import { platform as platformConfig } from './platform';
import { profileProblems } from './profile';
import { teams as teamRegistry } from './teams';
import {
  ENVIRONMENT_NAMES,
  KEBAB_CASE,
  MAX_SERVICE_NAME_LENGTH,
  type EnvironmentName,
  PROTECTION_LEVELS,
  type ProtectionLevel,
  type EnvironmentConfig,
  type KeelConfig,
  type PlatformConfig,
  type ServiceConfig,
  type TeamConfig,
} from './model';

/** Where config values that vary by machine come from: CDK context and environment variables. */
export interface ConfigSource {
  /** Reads a CDK context value (`cdk.json` or `-c`). */
  readonly context: (key: string) => unknown;
  /** Environment variables; they override context. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The parts of the configuration written as code; tests pass their own. */
export interface ConfigDefinition {
  readonly platform: PlatformConfig;
  readonly teams: readonly TeamConfig[];
  /**
   * Every service's config, each taken from its definition in `lib/services/<name>/index.ts` (listed in
   * lib/services/index.ts), where the service's stack is defined beside it.
   */
  readonly services: readonly ServiceConfig[];
  /** What each environment is, apart from where it lives. */
  readonly environments: Readonly<Record<EnvironmentName, EnvironmentDefaults>>;
}

/**
 * This repository's platform, environments and teams, as lib/config defines them. Its services are not here:
 * lib/services defines each one with its stack, and the synth (lib/synth.ts) adds their configs.
 */
export const repositoryDefinition: Omit<ConfigDefinition, 'services'> = {
  platform: platformConfig,
  environments: environmentDefaults,
  teams: teamRegistry,
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Validates the platform configuration and resolves each environment's account and region.
 *
 * Collects every problem before failing, so one synth shows all of them.
 *
 * @throws KeelValidationError listing each bad field, its value, what is allowed and how to fix it.
 */
export function loadConfig(source: ConfigSource, definition: ConfigDefinition): KeelConfig {
  const problems: Problem[] = [];
  const teamIds = definition.teams.map((t) => t.id);

  problems.push(...checkPlatform(definition.platform, teamIds));
  const protection = Object.fromEntries(
    ENVIRONMENT_NAMES.map((name) => [name, definition.environments[name].protection]),
  ) as Record<EnvironmentName, ProtectionLevel>;
  problems.push(...checkTeams(definition.teams, protection));
  problems.push(...checkServices(definition.services, definition.teams));
  const environments = ENVIRONMENT_NAMES.map((name) =>
    resolveEnvironment(name, definition.environments[name], source, problems),
  );
  const where = resolveLocation('delivery', source, problems);

  if (problems.length > 0) {
    throw new KeelValidationError(`Keel configuration is invalid (${problems.length} problem(s)):`, problems);
  }
  return {
    platform: definition.platform,
    environments,
    delivery: { ...definition.platform.delivery, ...where },
    teams: definition.teams,
    services: definition.services,
  };
}

function checkPlatform(platform: PlatformConfig, teamIds: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  if (!/^https:\/\/\S+[^/]$/.test(platform.repositoryUrl ?? '')) {
    problems.push({
      where: 'platform.repositoryUrl (lib/config/platform.ts)',
      what: `${JSON.stringify(platform.repositoryUrl)} is not an https URL without a trailing slash`,
      fix: "set it to the repository's web address, e.g. 'https://github.com/my-org/keel'",
    });
  }
  if (!teamIds.includes(platform.platformTeam)) {
    problems.push(unknownTeam('platform.platformTeam (lib/config/platform.ts)', platform.platformTeam, teamIds));
  }
  const days = platform.maxAcknowledgmentDays;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    problems.push({
      where: 'platform.maxAcknowledgmentDays (lib/config/platform.ts)',
      what: `${JSON.stringify(days)} is not a whole number of days from 1 to 365`,
      fix: 'use 180, the platform default, unless the security team agreed another window',
    });
  }
  problems.push(...licenceProblems(platform.licences?.allowed));
  return problems;
}

/** Each entry of platform.licences.allowed that is not one SPDX licence id, with the id it probably means. */
function licenceProblems(allowed: readonly string[] | undefined): Problem[] {
  const where = 'platform.licences.allowed (lib/config/platform.ts)';
  if (!Array.isArray(allowed) || allowed.length === 0) {
    return [
      {
        where,
        what: `${JSON.stringify(allowed)} is not a list of SPDX licence ids`,
        fix: "list the licences production dependencies may have, e.g. ['MIT', 'Apache-2.0']",
      },
    ];
  }
  const ids = spdxLicenceIds();
  const plain = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return allowed.flatMap((value) => {
    if (typeof value === 'string' && ids.includes(value)) return [];
    const text = String(value);
    const meant =
      ids.find((id) => plain(id) === plain(text)) ??
      ids.reduce((best, id) => (editDistance(text, id) < editDistance(text, best) ? id : best));
    return [
      { where, what: `${JSON.stringify(value)} is not an SPDX licence id`, fix: `write '${meant}' if you mean it` },
    ];
  });
}

/** The SPDX licence ids, current and deprecated, as spdx-expression-parse (the licences gate's parser) reads them. */
function spdxLicenceIds(): string[] {
  const from = { paths: [path.dirname(require.resolve('spdx-expression-parse'))] };
  return ['spdx-license-ids', 'spdx-license-ids/deprecated'].flatMap(
    (list) => JSON.parse(fs.readFileSync(require.resolve(list, from), 'utf8')) as string[],
  );
}

/** How many letters, case aside, to add, drop or change to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + change));
    }
    row = next;
  }
  return row[b.length];
}

function checkTeams(
  teams: readonly TeamConfig[],
  protection: Readonly<Record<EnvironmentName, ProtectionLevel>>,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const teamIds = teams.map((team) => team.id);
  teams.forEach((team, i) => {
    const name = entryName('teams', team.id, KEBAB_CASE.test(team.id ?? ''), teamIds, i);
    const where = (field: string) => `${name}.${field} (lib/config/teams.ts)`;
    if (!KEBAB_CASE.test(team.id ?? '')) {
      problems.push({
        where: where('id'),
        what: `${JSON.stringify(team.id)} is not kebab-case`,
        fix: "use lower-case words joined by '-', e.g. 'payments' or 'order-fulfilment'",
      });
    } else if (seen.has(team.id)) {
      problems.push({
        where: where('id'),
        what: `team id ${JSON.stringify(team.id)} is used twice`,
        fix: 'give each team its own id, or merge the two entries',
      });
    }
    seen.add(team.id);
    if (!team.displayName?.trim()) {
      problems.push({ where: where('displayName'), what: 'is empty', fix: "set the team's name as people say it" });
    }
    const costCenterProblem = tagValueProblem(team.costCenter);
    if (costCenterProblem) {
      problems.push({
        where: where('costCenter'),
        what: `${JSON.stringify(team.costCenter)} ${costCenterProblem}`,
        fix: "set the finance cost center the team's resources are billed to, e.g. 'CC-2040'",
      });
    }
    for (const field of ['onCallEndpoint', 'ticketEndpoint'] as const) {
      const value = team[field];
      if (!EMAIL.test(value ?? '') && !/^https:\/\/\S+$/.test(value ?? '')) {
        problems.push({
          where: where(field),
          what: `${JSON.stringify(value)} is neither an e-mail address nor an https URL`,
          fix: "use the team's alerting address, e.g. 'team-oncall@example.com' or an https webhook",
        });
      }
    }
    if (team.profile !== undefined) {
      problems.push(...profileProblems(team.profile, team.id, protection, (setting) => where(`profile.${setting}`)));
    }
  });
  return problems;
}

/** What is wrong with a service name, or `undefined`: it must be kebab-case and short enough for derived names. */
export function serviceNameProblem(name: string | undefined): Omit<Problem, 'where'> | undefined {
  if (!KEBAB_CASE.test(name ?? '')) {
    return {
      what: `${JSON.stringify(name)} is not kebab-case`,
      fix: "use lower-case words joined by '-', starting with a letter, e.g. 'orders' or 'order-history'",
    };
  }
  if (name && name.length > MAX_SERVICE_NAME_LENGTH) {
    return {
      what: `${JSON.stringify(name)} is ${name.length} characters long; at most ${MAX_SERVICE_NAME_LENGTH} fit the names Keel derives from it`,
      fix: 'shorten it, e.g. drop words like service or api',
    };
  }
  return undefined;
}

function checkServices(services: readonly ServiceConfig[], teams: readonly TeamConfig[]): Problem[] {
  const problems: Problem[] = [];
  const teamIds = teams.map((team) => team.id);
  const seen = new Set<string>();
  const names = services.map((service) => service.name);
  services.forEach((service, i) => {
    const name = entryName('services', service.name, !serviceNameProblem(service.name), names, i);
    const where = (field: string) => `${name}.config.${field} (${definitionFile(service.name)})`;
    const nameProblem = serviceNameProblem(service.name);
    if (nameProblem) {
      problems.push({ where: where('name'), ...nameProblem });
    } else if (seen.has(service.name)) {
      problems.push({
        where: where('name'),
        what: `service name ${JSON.stringify(service.name)} is used twice; stack names would collide`,
        fix: 'rename one of the services, or remove the duplicate entry',
      });
    }
    seen.add(service.name);
    const team = teams.find((t) => t.id === service.owner);
    if (!team) {
      problems.push(unknownTeam(where('owner'), service.owner, teamIds));
    } else {
      const problem = missingTeamTags(service, team, where('tags'));
      if (problem) problems.push(problem);
    }
    const classificationProblem = dataClassificationProblem(service.dataClassification);
    if (classificationProblem) problems.push({ where: where('dataClassification'), ...classificationProblem });
    for (const [key, value] of Object.entries(service.tags ?? {})) {
      const problem = tagValueProblem(value);
      if (problem) {
        problems.push({
          where: where(`tags.${key}`),
          what: `${JSON.stringify(value)} ${problem}`,
          fix: 'give the tag a real value, or remove it',
        });
      }
    }
  });
  return problems;
}

/**
 * The team's required tag keys the service gives no value for, as one problem at the service's definition: checked
 * here, once, and not as a finding on each of the service's resources. An empty value is `tagValueProblem`'s.
 */
function missingTeamTags(service: ServiceConfig, team: TeamConfig, where: string): Problem | undefined {
  const required = team.profile?.extraRequiredTagKeys ?? [];
  const missing = required.filter((key) => !Object.hasOwn(service.tags ?? {}, key));
  if (missing.length === 0) return undefined;
  const example = missing.map((key) => `${key}: <value>`).join(', ');
  return {
    where,
    what: `service '${service.name}' lacks the tag(s) ${missing.join(', ')} that its team '${team.id}' requires on every resource`,
    fix: `add tags: { ${example} } to the service's config (${TAG_VALUE_CHARACTERS}), or remove the key(s) from extraRequiredTagKeys of team '${team.id}' in lib/config/teams.ts`,
  };
}

/**
 * How an error names an entry of `list`: by its id (`teams['payments']`) when the id is usable and unique, otherwise
 * by its position (`teams[3]`), as only the position tells two entries with one id apart.
 */
function entryName(
  list: string,
  id: string | undefined,
  usable: boolean,
  ids: readonly (string | undefined)[],
  i: number,
) {
  return usable && ids.filter((other) => other === id).length === 1 ? `${list}['${id}']` : `${list}[${i}]`;
}

/** Where a service's config is written: its definition, or the list of definitions when its name is unusable. */
function definitionFile(name: string | undefined): string {
  return serviceNameProblem(name) ? 'lib/services/index.ts' : `lib/services/${name}/index.ts`;
}

function unknownTeam(where: string, value: string | undefined, teamIds: readonly string[]): Problem {
  return {
    where,
    what: value ? `team ${JSON.stringify(value)} is not in the team registry` : 'no owner team is set',
    fix: `use one of the known teams (${teamIds.join(', ')}), or add the team to lib/config/teams.ts`,
  };
}

/** An account and region from `keel:<name>:account` / `keel:<name>:region`, overridden by `KEEL_<NAME>_...`. */
function resolveLocation(
  name: string,
  source: ConfigSource,
  problems: Problem[],
): { readonly account: string; readonly region: string } {
  const read = (field: 'account' | 'region'): string => {
    const variable = `KEEL_${name.toUpperCase()}_${field.toUpperCase()}`;
    const fromEnv = source.env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromContext = source.context(`keel:${name}:${field}`);
    return fromContext === undefined ? '' : String(fromContext);
  };
  const account = read('account');
  const region = read('region');
  const origin = (field: string) =>
    `${name === 'delivery' ? 'delivery' : `environment ${name}`} ${field} (context keel:${name}:${field} or $KEEL_${name.toUpperCase()}_${field.toUpperCase()})`;
  if (!AWS_ACCOUNT_ID.test(account)) {
    problems.push({
      where: origin('account'),
      what: `${JSON.stringify(account)} is not a 12-digit AWS account id`,
      fix: `set "keel:${name}:account" in cdk.json, pass -c keel:${name}:account=123456789012, or export KEEL_${name.toUpperCase()}_ACCOUNT`,
    });
  }
  if (!AWS_REGION.test(region)) {
    problems.push({
      where: origin('region'),
      what: `${JSON.stringify(region)} is not an AWS region`,
      fix: `set "keel:${name}:region" in cdk.json to a region such as eu-west-1, or export KEEL_${name.toUpperCase()}_REGION`,
    });
  }
  return { account, region };
}

function resolveEnvironment(
  name: EnvironmentName,
  defaults: EnvironmentDefaults,
  source: ConfigSource,
  problems: Problem[],
): EnvironmentConfig {
  const { account, region } = resolveLocation(name, source, problems);
  const bake = defaults.bakeMinutes;
  if (bake !== undefined && (!Number.isInteger(bake) || bake <= 0 || bake > 1440)) {
    problems.push({
      where: `environmentDefaults.${name}.bakeMinutes (lib/config/environments.ts)`,
      what: `${JSON.stringify(bake)} is not a whole number of minutes from 1 to 1440 (a day)`,
      fix: 'bake for a few minutes, e.g. 10, or leave it out for the default (10 in prod, 3 in staging, none in dev)',
    });
  }
  if (!(PROTECTION_LEVELS as readonly string[]).includes(defaults.protection)) {
    problems.push({
      where: `environmentDefaults.${name}.protection (lib/config/environments.ts)`,
      what: `${JSON.stringify(defaults.protection)} is not a protection level`,
      fix: `use one of ${PROTECTION_LEVELS.join(' | ')}`,
    });
  }
  problems.push(
    ...extraRulePackProblems(
      defaults.extraRulePacks,
      (i) => `environmentDefaults.${name}.extraRulePacks[${i}] (lib/config/environments.ts)`,
    ),
  );
  const certificateArn = resolveCertificate(name, account, region, source, problems);
  return { ...defaults, name, account, region, ...(certificateArn ? { certificateArn } : {}) };
}

/**
 * The environment's load-balancer certificate from `keel:<env>:certificateArn`, overridden by
 * `KEEL_<ENV>_CERTIFICATE_ARN`: an ACM certificate in the environment's own account and region, which is where an
 * Application Load Balancer must find it.
 */
function resolveCertificate(
  name: EnvironmentName,
  account: string,
  region: string,
  source: ConfigSource,
  problems: Problem[],
): string | undefined {
  const variable = `KEEL_${name.toUpperCase()}_CERTIFICATE_ARN`;
  const raw = source.env[variable] || source.context(`keel:${name}:certificateArn`);
  if (raw === undefined || raw === '') return undefined;
  const arn = String(raw);
  const match = /^arn:aws(?:-[a-z]+)*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/.exec(arn);
  if (!match || match[1] !== region || match[2] !== account) {
    problems.push({
      where: `environment ${name} certificateArn (context keel:${name}:certificateArn or $${variable})`,
      what: match
        ? `${arn} is in ${match[2]}/${match[1]}, not in the environment's account and region ${account}/${region}`
        : `${JSON.stringify(arn)} is not an ACM certificate ARN`,
      fix: `use a certificate of ${account} in ${region}: arn:aws:acm:${region}:${account}:certificate/<id> (aws acm list-certificates --region ${region})`,
    });
    return undefined;
  }
  return arn;
}
