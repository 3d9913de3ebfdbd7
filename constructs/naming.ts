/**
 * Every name Keel gives a deployed thing or reads back, in one place: constructs, the manifest, the delivery roles
 * and the `keel` CLI all call these instead of rebuilding the strings. A name here is part of a deployed resource's
 * identity (an alarm the pipeline reads, a role another account trusts): change one only as a migration.
 *
 * No imports, so the CLI can load it without the synth-time library.
 */

/** Construct metadata that marks an alarm feeding only a composite; KeelChecks lets it have no actions. */
export const COMPOSITE_CHILD_METADATA = 'keel:composite-child';

/** A 12-digit AWS account id. */
export const AWS_ACCOUNT_ID = /^\d{12}$/;

/** An AWS region name, e.g. `eu-west-1`, `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Lower-case words joined by single dashes, starting with a letter: service, team and alarm slug names. */
export const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `order-history` becomes `OrderHistory`: stack names, construct ids and metric namespaces. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** Names of one service's resources in one environment. */
export const keelNames = {
  /** `<service>-<env>`: the API, the dashboard, the topics, the CodeDeploy application, the key alias. */
  qualified: (service: string, environment: string): string => `${service}-${environment}`,
  /** `<Service>-<env>`, e.g. `Orders-prod`. */
  stack: (service: string, environment: string): string => `${pascalCase(service)}-${environment}`,
  /** `<service>-pipeline`: the service's CodePipeline. */
  pipeline: (service: string): string => `${service}-pipeline`,
  /** `<Service>-pipeline`: the service's pipeline stack, in the delivery account. */
  pipelineStack: (service: string): string => `${pascalCase(service)}-pipeline`,
  /** Every alarm of the service starts with it: `DescribeAlarms` by this prefix lists them. */
  alarmPrefix: (service: string, environment: string): string => `${service}-${environment}-`,
  /** `<service>-<env>-<slug>-<severity>`, unique in the app. */
  alarm: (service: string, environment: string, slug: string, severity: string): string =>
    `${service}-${environment}-${slug}-${severity}`,
  /** The composite that is in ALARM whenever any critical alarm is: the rollback signal. */
  healthAlarm: (service: string, environment: string): string => `${service}-${environment}-health-critical`,
  dashboard: (service: string, environment: string): string => `${service}-${environment}`,
  keyAlias: (service: string, environment: string): string => `alias/${service}-${environment}`,
  /** CloudWatch namespace of the service's business metrics. */
  metricNamespace: (service: string): string => `Keel/${pascalCase(service)}`,
};

/**
 * The fixed names of the roles a service's pipeline and its target environments share. They live in different
 * accounts, so each side names the other's roles instead of referencing them.
 */
export const deliveryRoleNames = {
  /** The pipeline's own role, in the delivery account. */
  pipeline: (service: string): string => `keel-${service}-pipeline`,
  /**
   * The CodeBuild role that runs `keel gate` for one environment, in the delivery account: the environment's entry
   * checks (one look before a stage starts) and its bake after the deployment.
   */
  gate: (service: string, environment: string): string => `keel-${service}-${environment}-gate`,
  /** The role in the target account that reads the service's alarms for that environment's gate role. */
  alarmReader: (service: string, environment: string): string => `keel-${service}-${environment}-alarm-reader`,
};
