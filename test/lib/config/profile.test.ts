import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from '../../../constructs';
import { DeploymentStrategy, type KeelRule } from '../../../constructs';
import { repositoryDefinition } from '../../../lib/config/load';
import type { TeamConfig, TeamProfile } from '../../../lib/config/model';
import { resolveProfile } from '../../../lib/config/profile';
import { loadRepositoryConfig } from '../../../lib/synth';
import { repositoryContext } from '../../helpers/app';
import { refusal as refusalOf } from '../../helpers/refusal';

const source = { context: (key: string) => repositoryContext[key], env: {} };

/** The message loadConfig refuses the repository's config with when commerce has `profile`. */
function refusal(profile: unknown): string {
  const teams: TeamConfig[] = repositoryDefinition.teams.map((team) =>
    team.id === 'commerce' ? { ...team, profile: profile as TeamProfile } : team,
  );
  return refusalOf(() => loadRepositoryConfig(source, { ...repositoryDefinition, teams }));
}

const rule = (name: string): KeelRule => ({
  name,
  info: 'Something is off.',
  explanation: 'Why it matters.',
  check: () => NagRuleCompliance.COMPLIANT,
});

test("the payments team's profile is valid and resolves per environment", () => {
  const payments = loadRepositoryConfig(source).teams.find((team) => team.id === 'payments');
  const prod = resolveProfile(payments?.profile, 'prod');
  expect(prod.logRetention).toBe(RetentionDays.TWO_YEARS);
  expect(prod.deployment?.describe()).toBe('canary 5% for 15 minutes');
  expect(prod.extraRulePacks).toEqual(['PCI.DSS.321']);
  expect(prod.extraRules.map((r) => r.name)).toEqual(['PaymentsTableDeletionProtection']);
  const dev = resolveProfile(payments?.profile, 'dev');
  expect(dev.logRetention).toBeUndefined();
  expect(dev.deployment).toBeUndefined();
});

test('a team without a profile resolves to the platform defaults', () => {
  expect(resolveProfile(undefined, 'prod')).toEqual({
    logRetention: undefined,
    standardAlarms: undefined,
    deployment: undefined,
    extraRequiredTagKeys: [],
    extraRulePacks: [],
    extraRules: [],
  });
});

describe.each([
  ['encryption', "every Keel resource is encrypted with the service's KMS key"],
  ['ownershipTags', 'every resource carries Owner, Service, Environment, CostCenter and DataClassification'],
  ['rollbackAlarms', 'critical alarms and the health composite roll deployments back'],
  [
    'compliancePacks',
    "AwsSolutions, Serverless, KeelChecks, AWS Control Tower's controls and aws-cdk-lib's validator check every stack",
  ],
])('the floor setting %s', (setting, floor) => {
  test(`fails when a profile turns off ${setting}, naming the setting, the floor and the way out`, () => {
    const message = refusal({ [setting]: false });
    expect(message).toContain(`teams['commerce'].profile.${setting} (lib/config/teams.ts)`);
    expect(message).toContain(`${setting}: false tries to change the platform's floor, which no profile can`);
    expect(message).toContain(floor);
    expect(message).toContain(`remove '${setting}' from the profile`);
  });
});

test('fails when a profile restates a floor setting as on, saying it is always on', () => {
  expect(refusal({ encryption: true })).toContain(
    "teams['commerce'].profile.encryption (lib/config/teams.ts): encryption is the platform's floor, always on, and not a profile setting",
  );
  expect(refusal({ constructor: false })).toContain(
    'profile.constructor (lib/config/teams.ts): is not a profile setting',
  );
});

test('fails when a profile names a setting that does not exist, listing those that do and the floor', () => {
  const message = refusal({ logRetentionDays: 7 });
  expect(message).toContain(
    "teams['commerce'].profile.logRetentionDays (lib/config/teams.ts): is not a profile setting",
  );
  expect(message).toContain(
    'standardAlarms, deployment, logRetention, containerSize, extraRequiredTagKeys, extraRulePacks',
  );
  expect(message).toContain('the floor (encryption, ownershipTags, rollbackAlarms, compliancePacks) cannot be changed');
});

test('fails when a profile loosens a rollback alarm until it would not catch a broken release', () => {
  const message = refusal({ standardAlarms: { api5xxPercent: 60, functionErrors: 5000 } });
  expect(message).toContain("teams['commerce'].profile.standardAlarms.api5xxPercent");
  expect(message).toContain("60 is above the floor's ceiling of 25: this critical alarm rolls back broken releases");
  expect(message).toContain("teams['commerce'].profile.standardAlarms.functionErrors");
  expect(message).toContain("5000 is above the floor's ceiling of 100");
});

test('fails when a profile sets an alarm that could never fire', () => {
  const message = refusal({
    standardAlarms: { apiP99Latency: Duration.seconds(30), durationPercentOfTimeout: 100 },
  });
  expect(message).toContain('standardAlarms.apiP99Latency');
  expect(message).toContain('API Gateway gives up after 29 seconds, so the alarm could never fire');
  expect(message).toContain('standardAlarms.durationPercentOfTimeout');
});

test('fails when a profile threshold is not a number the alarm can use', () => {
  const message = refusal({ standardAlarms: { api5xxPercent: -1, functionThrottles: 1.5 } });
  expect(message).toContain('standardAlarms.api5xxPercent (lib/config/teams.ts): -1 is not a percentage in (0, 100]');
  expect(message).toContain('standardAlarms.functionThrottles (lib/config/teams.ts): 1.5 is not a whole number');
});

test('fails when a profile keeps prod logs for less than a year or forever', () => {
  expect(refusal({ logRetention: { prod: RetentionDays.ONE_MONTH } })).toContain(
    'profile.logRetention.prod (lib/config/teams.ts): 30 days is below the floor of 365 days for prod (maximum protection)',
  );
  expect(refusal({ logRetention: { dev: RetentionDays.INFINITE } })).toContain(
    'profile.logRetention.dev (lib/config/teams.ts): 9999 is not a finite CloudWatch Logs retention',
  );
  expect(refusal({ logRetention: { dev: 12 } })).toContain('12 is not a finite CloudWatch Logs retention');
});

test('fails when a profile deploys prod all at once, or names an environment that does not exist', () => {
  const message = refusal({ deployment: { prod: DeploymentStrategy.allAtOnce(), qa: DeploymentStrategy.allAtOnce() } });
  expect(message).toContain(
    'profile.deployment.prod (lib/config/teams.ts): all at once is refused at maximum protection',
  );
  expect(message).toContain('DeploymentStrategy.canary(10, Duration.minutes(5))');
  expect(message).toContain('profile.deployment.qa (lib/config/teams.ts): "qa" is not an environment');
});

test("a profile's container size reaches the container services of its team in that environment", () => {
  const profile: TeamProfile = { containerSize: { prod: { cpu: 2048, memoryMiB: 8192 } } };
  expect(resolveProfile(profile, 'prod').containerSize).toEqual({ cpu: 2048, memoryMiB: 8192 });
  expect(resolveProfile(profile, 'dev').containerSize).toBeUndefined();
});

test('fails when a profile sizes containers as Fargate does not, naming the sizes it accepts', () => {
  const message = refusal({ containerSize: { prod: { cpu: 1024, memoryMiB: 512 }, qa: { cpu: 256, memoryMiB: 512 } } });
  expect(message).toContain('profile.containerSize.prod (lib/config/teams.ts)');
  expect(message).toContain('2048, 3072, 4096, 5120, 6144, 7168, 8192');
  expect(message).toContain('profile.containerSize.qa (lib/config/teams.ts): "qa" is not an environment');
});

test('fails when a profile canary shifts an impossible percentage', () => {
  const message = refusal({ deployment: { staging: DeploymentStrategy.canary(0, Duration.seconds(30)) } });
  expect(message).toContain('profile.deployment.staging (lib/config/teams.ts): 0% is outside 1-99');
  expect(message).toContain('an interval of 30 seconds is not whole minutes from 1 to 2880');
});

test('fails when a profile adds an unknown rule pack or one that already runs everywhere', () => {
  const message = refusal({ extraRulePacks: ['PCI', 'KeelChecks'] });
  expect(message).toContain('profile.extraRulePacks[0] (lib/config/teams.ts): "PCI" is not a rule pack Keel knows');
  expect(message).toContain('PCI.DSS.321');
  expect(message).toContain('profile.extraRulePacks[1] (lib/config/teams.ts): KeelChecks already checks every stack');
});

test('fails when a required tag key is a standard one or not a tag key', () => {
  const message = refusal({ extraRequiredTagKeys: ['Owner', 'aws:cost'] });
  expect(message).toContain('profile.extraRequiredTagKeys[0] (lib/config/teams.ts): "Owner" is already one of');
  expect(message).toContain('profile.extraRequiredTagKeys[1] (lib/config/teams.ts): "aws:cost" is not a valid tag key');
});

test("fails when a team rule is not named after the team, is incomplete, or takes another rule's name", () => {
  const message = refusal({
    extraRules: [rule('TableBackups'), { name: 'CommerceHalf' }, rule('CommerceNoQueues'), rule('CommerceNoQueues')],
  });
  expect(message).toContain(
    `profile.extraRules[0] (lib/config/teams.ts): "TableBackups" does not start with the team's name, Commerce`,
  );
  expect(message).toContain("rename it, e.g. 'CommerceTableBackups'");
  expect(message).toContain('profile.extraRules[1] (lib/config/teams.ts): "CommerceHalf" is not a complete rule');
  expect(message).toContain(
    'profile.extraRules[3] (lib/config/teams.ts): KeelChecks-CommerceNoQueues is already a rule',
  );
  expect(message).not.toContain('extraRules[2]');
});
