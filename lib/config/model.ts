import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type {
  ContainerSize,
  DataClassification,
  DeploymentStrategy,
  DeploymentWindow,
  KeelRule,
  PipelineSource,
  ProtectionLevel,
  RulePackName,
  StandardAlarmThresholds,
} from '../../constructs';
export { PROTECTION_LEVELS, type ProtectionLevel } from '../../constructs';

/** Team ids and service names: lower-case words joined by '-', starting with a letter. */
export const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * The longest service name: role names such as `keel-<service>-staging-alarm-reader` must fit IAM's 64 characters.
 */
export const MAX_SERVICE_NAME_LENGTH = 32;

/** The three environments every service is deployed to, in promotion order. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** 12-digit AWS account id. */
  readonly account: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  readonly protection: ProtectionLevel;
  /** Rule packs run on this environment's stacks on top of the platform's (AwsSolutions and KeelChecks). */
  readonly extraRulePacks: readonly RulePackName[];
  /** Minutes the pipeline bakes this environment under `keel gate`; absent for the protection level's default. */
  readonly bakeMinutes?: number;
  /** When the pipeline may deploy here; absent for any time. */
  readonly deploymentWindows?: readonly DeploymentWindow[];
  /**
   * The ACM certificate of container services' HTTPS load balancers here, from `keel:<env>:certificateArn` (or
   * `KEEL_<ENV>_CERTIFICATE_ARN`); in this environment's account and region. Required where a container service is
   * deployed at standard or maximum protection.
   * @default - none: container services here serve HTTP only, which basic protection (dev) alone allows
   */
  readonly certificateArn?: string;
}

/** Where the platform's pipelines come from: ServicePipeline's source, with the releasing branch always named. */
export type DeliverySource = Required<PipelineSource>;

/** Where the platform's pipelines come from and run. */
export interface DeliveryConfig extends DeliverySource {
  /** The 12-digit account the pipelines run in. */
  readonly account: string;
  /** The region the pipelines run in. */
  readonly region: string;
}

export interface TeamConfig {
  /** Kebab-case id; the value of every `Owner` tag the team's resources carry. */
  readonly id: string;
  readonly displayName: string;
  /** The value of the `CostCenter` tag on the team's resources. */
  readonly costCenter: string;
  /** Where critical alerts page the team: an e-mail address or an https URL. */
  readonly onCallEndpoint: string;
  /** Where warnings open a ticket for the team: an e-mail address or an https URL. */
  readonly ticketEndpoint: string;
  /**
   * The team's own defaults for all its services, above the platform's floor.
   * @default - the platform's defaults
   */
  readonly profile?: TeamProfile;
}

/**
 * A team's defaults for every service it owns. A profile can tune and add, never remove: encryption, the ownership
 * tags, rollback alarms and the compliance packs are the platform's floor, and a profile that tries to turn one of
 * them off (`encryption: false`, say) fails synth with the setting's name.
 */
export interface TeamProfile {
  /**
   * Thresholds of the standard alarms on the team's services.
   * @default DEFAULT_STANDARD_THRESHOLDS
   */
  readonly standardAlarms?: Partial<StandardAlarmThresholds>;
  /**
   * How a new version takes over the `live` alias, by environment; gradual (canary or linear) in prod.
   * @default - DEFAULT_STRATEGIES of the environment's protection level
   */
  readonly deployment?: Partial<Record<EnvironmentName, DeploymentStrategy>>;
  /**
   * How long logs are kept, by environment; finite and at least LOG_RETENTION_FLOOR.
   * @default - the protection level's retention (1 month, 3 months, 1 year)
   */
  readonly logRetention?: Partial<Record<EnvironmentName, RetentionDays>>;
  /**
   * CPU and memory of each task of the team's container services, by environment; a size Fargate accepts.
   * @default - the protection level's (256/512 in dev, 512/1024 in staging, 1024/2048 in prod)
   */
  readonly containerSize?: Partial<Record<EnvironmentName, ContainerSize>>;
  /**
   * Tag keys required on the team's resources on top of the standard five; each service gives their values in
   * its `tags`.
   * @default - none
   */
  readonly extraRequiredTagKeys?: readonly string[];
  /**
   * Rule packs run on the team's service stacks on top of the platform's and the environment's.
   * @default - none
   */
  readonly extraRulePacks?: readonly RulePackName[];
  /**
   * The team's own rules, run as part of KeelChecks on its service stacks; names start with the team's id in
   * PascalCase (`PaymentsTableDeletionProtection`).
   * @default - none
   */
  readonly extraRules?: readonly KeelRule[];
}

export interface ServiceConfig {
  /** Kebab-case name, unique in the platform; stacks are named `<PascalName>-<env>`. */
  readonly name: string;
  /** The id of the owning team in the team registry. */
  readonly owner: string;
  readonly dataClassification: DataClassification;
  /** Extra tags, e.g. values for the owner team's extra required tag keys. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PlatformConfig {
  /** Where this repository lives; runbook links are built from it. */
  readonly repositoryUrl: string;
  /** The runbooks directory on disk; synth checks every alarm's runbook section there. */
  readonly runbooksDirectory: string;
  /** The team that owns the platform itself. */
  readonly platformTeam: string;
  /** How many days ahead an acknowledgment may expire at most. */
  readonly maxAcknowledgmentDays: number;
  /** The licences production dependencies may have (`keel security licences`, in every pipeline before deploying). */
  readonly licences: LicencePolicy;
  /** The pipelines' source; their account and region come from `keel:delivery:account` / `keel:delivery:region`. */
  readonly delivery: DeliverySource;
}

/** What the licences gate allows in production dependencies (the package-lock.json entries not marked `dev`). */
export interface LicencePolicy {
  /**
   * SPDX licence ids (https://spdx.org/licenses/), e.g. `MIT`. A dependency's SPDX expression is allowed when each
   * term of an AND is, or one side of an OR is; anything else fails the release unless acknowledged in
   * security-acknowledgments.json.
   */
  readonly allowed: readonly string[];
}

/** The whole, validated configuration of a Keel platform. */
export interface KeelConfig {
  readonly platform: PlatformConfig;
  readonly environments: readonly EnvironmentConfig[];
  readonly delivery: DeliveryConfig;
  readonly teams: readonly TeamConfig[];
  readonly services: readonly ServiceConfig[];
}
