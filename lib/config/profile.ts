import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BASELINE_RULE_PACKS,
  KEEL_RULES,
  containerSizeProblems,
  STANDARD_TAG_KEYS,
  extraRulePackProblems,
  keelRuleProblems,
  standardThresholdProblems,
  strategyProblems,
  type Problem,
  type ProtectionLevel,
} from '../../constructs';
import type { EnvironmentName, TeamProfile } from './model';

/** What a profile may set. */
export const PROFILE_SETTINGS = [
  'standardAlarms',
  'deployment',
  'logRetention',
  'containerSize',
  'extraRequiredTagKeys',
  'extraRulePacks',
  'extraRules',
] as const satisfies readonly (keyof TeamProfile)[];

/** The platform's floor: what no profile can turn off, and why. */
export const PLATFORM_FLOOR: Readonly<Record<string, { readonly what: string; readonly instead: string }>> = {
  encryption: {
    what: "every Keel resource is encrypted with the service's KMS key: tables, logs, queues, topics and secrets",
    instead: 'if one resource truly cannot be encrypted, acknowledge its finding with a reason, owner and expiry',
  },
  ownershipTags: {
    what: 'every resource carries Owner, Service, Environment, CostCenter and DataClassification',
    instead: 'a profile can require more tags (extraRequiredTagKeys), never fewer',
  },
  rollbackAlarms: {
    what: 'critical alarms and the health composite roll deployments back and stop promotions',
    instead: 'tune their thresholds with standardAlarms, within the floor',
  },
  compliancePacks: {
    what: `${BASELINE_RULE_PACKS.join(', ')}, AWS Control Tower's controls and aws-cdk-lib's validator check every stack, and each environment adds its own packs`,
    instead: 'a profile can add packs (extraRulePacks) and rules (extraRules); acknowledge a finding that must stay',
  },
};

/** The shortest log retention a profile may choose, by protection level. */
export const LOG_RETENTION_FLOOR: Readonly<Record<ProtectionLevel, RetentionDays>> = {
  basic: RetentionDays.ONE_WEEK,
  standard: RetentionDays.ONE_MONTH,
  maximum: RetentionDays.ONE_YEAR,
};

/**
 * The most lenient thresholds a profile may set on the standard alarms: above them a rollback alarm would not
 * catch a broken release, or an alarm could never fire at all.
 */
export const STANDARD_ALARM_CEILINGS = {
  /** Critical, a rollback signal: a release that fails a quarter of requests must roll back. */
  api5xxPercent: 25,
  /** Critical, a rollback signal. */
  functionErrors: 100,
  /** API Gateway gives up after 29 seconds: a p99 above it is never measured. */
  apiP99Latency: Duration.seconds(28),
  /** A function cannot run longer than its timeout. */
  durationPercentOfTimeout: 95,
  /** Concurrency cannot exceed the reservation. */
  concurrencyPercentOfReserved: 95,
} as const;

/** What a profile resolves to in one environment. */
export interface ResolvedProfile {
  readonly logRetention?: RetentionDays;
  readonly standardAlarms: TeamProfile['standardAlarms'];
  readonly deployment?: NonNullable<TeamProfile['deployment']>[EnvironmentName];
  readonly containerSize?: NonNullable<TeamProfile['containerSize']>[EnvironmentName];
  readonly extraRequiredTagKeys: readonly string[];
  readonly extraRulePacks: NonNullable<TeamProfile['extraRulePacks']>;
  readonly extraRules: NonNullable<TeamProfile['extraRules']>;
}

/** The team's profile as it applies in `environment`. */
export function resolveProfile(profile: TeamProfile | undefined, environment: EnvironmentName): ResolvedProfile {
  return {
    logRetention: profile?.logRetention?.[environment],
    standardAlarms: profile?.standardAlarms,
    deployment: profile?.deployment?.[environment],
    containerSize: profile?.containerSize?.[environment],
    extraRequiredTagKeys: profile?.extraRequiredTagKeys ?? [],
    extraRulePacks: profile?.extraRulePacks ?? [],
    extraRules: profile?.extraRules ?? [],
  };
}

const RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/**
 * Everything wrong with a team's profile: unknown settings, attempts on the floor, and values outside it.
 * @param where names a setting, e.g. `teams['payments'].profile.logRetention.prod (lib/config/teams.ts)`.
 */
export function profileProblems(
  profile: TeamProfile,
  teamId: string,
  protection: Readonly<Record<EnvironmentName, ProtectionLevel>>,
  where: (setting: string) => string,
): Problem[] {
  const problems: Problem[] = [];
  for (const [setting, value] of Object.entries(profile)) {
    if (Object.hasOwn(PLATFORM_FLOOR, setting)) {
      const floor = PLATFORM_FLOOR[setting];
      problems.push({
        where: where(setting),
        what:
          value === true
            ? `${setting} is the platform's floor, always on, and not a profile setting: ${floor.what}`
            : `${setting}: ${JSON.stringify(value)} tries to change the platform's floor, which no profile can: ${floor.what}`,
        fix: `remove '${setting}' from the profile; ${floor.instead}`,
      });
    } else if (!(PROFILE_SETTINGS as readonly string[]).includes(setting)) {
      problems.push({
        where: where(setting),
        what: 'is not a profile setting',
        fix: `use ${PROFILE_SETTINGS.join(', ')}; the floor (${Object.keys(PLATFORM_FLOOR).join(', ')}) cannot be changed`,
      });
    }
  }
  problems.push(...alarmProblems(profile, where));
  problems.push(...perEnvironmentProblems(profile, protection, where));
  problems.push(...tagKeyProblems(profile.extraRequiredTagKeys ?? [], where));
  problems.push(...extraRulePackProblems(profile.extraRulePacks ?? [], (i) => where(`extraRulePacks[${i}]`)));
  problems.push(
    ...keelRuleProblems(profile.extraRules ?? [], (i) => where(`extraRules[${i}]`), {
      taken: KEEL_RULES.map((rule) => rule.name),
      team: teamId,
    }),
  );
  return problems;
}

function alarmProblems(profile: TeamProfile, where: (setting: string) => string): Problem[] {
  const thresholds = profile.standardAlarms ?? {};
  const field = (name: string) => where(`standardAlarms.${name}`);
  const problems = standardThresholdProblems(thresholds, field);
  const ceiling = STANDARD_ALARM_CEILINGS;
  const above = (name: keyof typeof ceiling, value: number | undefined, limit: number, why: string) => {
    if (value !== undefined && value > limit) {
      problems.push({
        where: field(name),
        what: `${value} is above the floor's ceiling of ${limit}: ${why}`,
        fix: `use ${limit} or less`,
      });
    }
  };
  const rollback = 'this critical alarm rolls back broken releases, and above it would not';
  above('api5xxPercent', thresholds.api5xxPercent, ceiling.api5xxPercent, rollback);
  above('functionErrors', thresholds.functionErrors, ceiling.functionErrors, rollback);
  above(
    'durationPercentOfTimeout',
    thresholds.durationPercentOfTimeout,
    ceiling.durationPercentOfTimeout,
    'a function cannot run longer than its timeout, so the alarm could never fire',
  );
  above(
    'concurrencyPercentOfReserved',
    thresholds.concurrencyPercentOfReserved,
    ceiling.concurrencyPercentOfReserved,
    'concurrency cannot exceed the reservation, so the alarm could never fire',
  );
  const latency = thresholds.apiP99Latency;
  if (latency && latency.toMilliseconds() > ceiling.apiP99Latency.toMilliseconds()) {
    problems.push({
      where: field('apiP99Latency'),
      what: `${latency.toHumanString()} is above the floor's ceiling of ${ceiling.apiP99Latency.toHumanString()}: API Gateway gives up after 29 seconds, so the alarm could never fire`,
      fix: 'use e.g. Duration.seconds(3)',
    });
  }
  return problems;
}

function perEnvironmentProblems(
  profile: TeamProfile,
  protection: Readonly<Record<EnvironmentName, ProtectionLevel>>,
  where: (setting: string) => string,
): Problem[] {
  const problems: Problem[] = [];
  const environments = Object.keys(protection);
  for (const setting of ['logRetention', 'deployment', 'containerSize'] as const) {
    for (const name of Object.keys(profile[setting] ?? {})) {
      if (!environments.includes(name)) {
        problems.push({
          where: where(`${setting}.${name}`),
          what: `${JSON.stringify(name)} is not an environment`,
          fix: `use ${environments.join(', ')}`,
        });
      }
    }
  }
  for (const [name, level] of Object.entries(protection) as [EnvironmentName, ProtectionLevel][]) {
    const retention = profile.logRetention?.[name];
    const floor = LOG_RETENTION_FLOOR[level];
    if (retention !== undefined && (!RETENTION_VALUES.has(retention) || retention === RetentionDays.INFINITE)) {
      problems.push({
        where: where(`logRetention.${name}`),
        what: `${JSON.stringify(retention)} is not a finite CloudWatch Logs retention`,
        fix: `use a RetentionDays value from ${floor} days up, e.g. RetentionDays.ONE_YEAR; logs are never kept forever`,
      });
    } else if (retention !== undefined && retention < floor) {
      problems.push({
        where: where(`logRetention.${name}`),
        what: `${retention} days is below the floor of ${floor} days for ${name} (${level} protection)`,
        fix: `keep logs at least ${floor} days; a profile can lengthen retention, not shorten it below the floor`,
      });
    }
    const size = profile.containerSize?.[name];
    if (size !== undefined) problems.push(...containerSizeProblems(size, where(`containerSize.${name}`)));
    const strategy = profile.deployment?.[name];
    if (strategy === undefined) continue;
    problems.push(...strategyProblems(strategy, where(`deployment.${name}`)));
    if (level === 'maximum' && strategy.kind === 'all-at-once') {
      problems.push({
        where: where(`deployment.${name}`),
        what: `all at once is refused at maximum protection: every user would meet a bad version before a rollback alarm could fire`,
        fix: 'shift gradually, e.g. DeploymentStrategy.canary(10, Duration.minutes(5)) or .linear(10, Duration.minutes(1))',
      });
    }
  }
  return problems;
}

function tagKeyProblems(keys: readonly string[], where: (setting: string) => string): Problem[] {
  const problems: Problem[] = [];
  keys.forEach((key, k) => {
    if ((STANDARD_TAG_KEYS as readonly string[]).includes(key)) {
      problems.push({
        where: where(`extraRequiredTagKeys[${k}]`),
        what: `${JSON.stringify(key)} is already one of the standard required tags (${STANDARD_TAG_KEYS.join(', ')})`,
        fix: 'remove it from the list',
      });
    } else if (!/^[\p{L}\p{N} _.:/=+\-@]{1,128}$/u.test(key) || key.toLowerCase().startsWith('aws:')) {
      problems.push({
        where: where(`extraRequiredTagKeys[${k}]`),
        what: `${JSON.stringify(key)} is not a valid tag key`,
        fix: "use 1-128 letters, digits, spaces or _ . : / = + - @, not starting with 'aws:'",
      });
    }
  });
  return problems;
}
