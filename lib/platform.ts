import { Duration, Stack, Stage, type App } from 'aws-cdk-lib';
import {
  addAlarmNameCheck,
  Compliance,
  DeliveryAccess,
  KeelValidationError,
  OwnershipTags,
  ServiceMonitoring,
  ServicePipeline,
  keelNames,
  type DeliveryEnvironment,
} from '../constructs';
import { unguardedServiceProblems } from '../constructs/delivery/rollback-alarms';
import { addEmittedMetricCheck } from '../constructs/observability/metric-emission';
import {
  ENVIRONMENT_NAMES,
  type EnvironmentConfig,
  type EnvironmentName,
  type KeelConfig,
  type ServiceConfig,
  type TeamConfig,
} from './config/model';
import { resolveProfile, type ResolvedProfile } from './config/profile';
import { services as repositoryServices } from './services';
import type { ServiceDefinition, ServiceStackProps } from './services/service-stack';
import { isUserMistake, StageFailures, synthesizeStages, type StageFailure } from './stages';

/** Switches read from CDK context for one synth. */
export interface SynthOptions {
  /** Which environments to build (`-c keel:environments=dev,staging`); all by default. */
  readonly environments: readonly EnvironmentName[];
  /** False only for measurement (`-c keel:compliance=off`); refused when prod is built. */
  readonly compliance: boolean;
  /**
   * Which services to build, check and write (`-c keel:services=orders,invoices`), with their pipelines; all by
   * default. The checks across services (e.g. alarm names unique in the app) see only these: a full synth runs them.
   */
  readonly services: readonly string[];
}

export interface Platform {
  readonly compliance: Compliance;
  /** Every service stack, each in its own Stage. */
  readonly stacks: readonly Stack[];
  /** Each service's pipeline stack, when every environment is built. */
  readonly pipelines: readonly Stack[];
  /**
   * What a synth of some services (`-c keel:services`) leaves out, said loudly after the compliance summary.
   * @default - undefined when every service is built
   */
  readonly partial?: string;
}

/**
 * Reads and checks `keel:environments`, `keel:services` and `keel:compliance` from CDK context.
 * @throws KeelValidationError for an unknown environment or service, a bad switch value, or compliance off for prod.
 */
export function readSynthOptions(context: (key: string) => unknown, config: KeelConfig): SynthOptions {
  const rawEnvironments = context('keel:environments');
  const environments =
    rawEnvironments === undefined
      ? [...ENVIRONMENT_NAMES]
      : String(rawEnvironments)
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
  const unknown = environments.filter((name) => !(ENVIRONMENT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || environments.length === 0) {
    throw new KeelValidationError('Bad -c keel:environments:', [
      {
        where: 'context keel:environments',
        what: `${JSON.stringify(rawEnvironments)} names ${unknown.length > 0 ? `unknown environment(s) ${unknown.join(', ')}` : 'no environment'}`,
        fix: `list one or more of ${ENVIRONMENT_NAMES.join(', ')}, comma-separated, e.g. -c keel:environments=dev,staging`,
      },
    ]);
  }
  const rawCompliance = context('keel:compliance') ?? 'on';
  if (rawCompliance !== 'on' && rawCompliance !== 'off') {
    throw new KeelValidationError('Bad -c keel:compliance:', [
      {
        where: 'context keel:compliance',
        what: `${JSON.stringify(rawCompliance)} is not on or off`,
        fix: 'leave it out (on), or pass -c keel:compliance=off to measure synth time',
      },
    ]);
  }
  const compliance = rawCompliance === 'on';
  const protectedEnvironments = config.environments
    .filter((env) => (environments as string[]).includes(env.name) && env.protection === 'maximum')
    .map((env) => env.name);
  if (!compliance && protectedEnvironments.length > 0) {
    throw new KeelValidationError('Refusing -c keel:compliance=off:', [
      {
        where: 'context keel:compliance',
        what: `compliance cannot be switched off while building ${protectedEnvironments.join(', ')}`,
        fix: `build only other environments with it, e.g. -c keel:compliance=off -c keel:environments=${environments.filter((e) => !(protectedEnvironments as string[]).includes(e)).join(',') || 'dev'}`,
      },
    ]);
  }
  return { environments: environments as EnvironmentName[], compliance, services: readServices(context, config) };
}

/** The services `keel:services` names (all when it is not given), refusing a name that is not in the repository. */
function readServices(context: (key: string) => unknown, config: KeelConfig): readonly string[] {
  const known = config.services.map((service) => service.name);
  const raw = context('keel:services');
  if (raw === undefined) return known;
  const names = String(raw)
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new KeelValidationError('Bad -c keel:services:', [
      {
        where: 'context keel:services',
        what: `${JSON.stringify(raw)} names ${unknown.length > 0 ? `unknown service(s) ${unknown.join(', ')}` : 'no service'}`,
        fix: `list one or more of ${known.join(', ')}, comma-separated (e.g. -c keel:services=${known[0]}), or leave it out to build every service`,
      },
    ]);
  }
  return [...new Set(names)];
}

/**
 * Builds a stack per selected service and environment, each tagged with its owner and checked by the
 * environment's rule packs. `services` are the definitions whose configs `config` was loaded with
 * (lib/synth.ts, loadRepositoryConfig): each brings its own stack.
 */
export function buildPlatform(
  app: App,
  config: KeelConfig,
  options: SynthOptions,
  services: readonly ServiceDefinition[] = repositoryServices,
): Platform {
  addAlarmNameCheck(app);
  const selected = services.filter((service) => options.services.includes(service.config.name));
  const compliance = new Compliance(app, {
    enabled: options.compliance,
    maxAcknowledgmentDays: config.platform.maxAcknowledgmentDays,
    knownOwners: config.teams.map((team) => team.id),
  });
  const platformTeam = config.teams.find((t) => t.id === config.platform.platformTeam);
  if (!platformTeam) throw new Error(`config was not validated: unknown platform team ${config.platform.platformTeam}`);
  const environments = config.environments.filter((env) => options.environments.includes(env.name));
  const stacks: Stack[] = [];
  const pipelines: Stack[] = [];
  const failures: StageFailure[] = [];
  for (const service of selected) {
    const delivered: DeliveryEnvironment[] = [];
    for (const environment of environments) {
      // A mistake in one Stage is kept and the others are still built, so one synth reports every one of them.
      const stageId = keelNames.stack(service.config.name, environment.name);
      try {
        const built = buildServiceStage(app, config, service, environment, compliance);
        stacks.push(built.stack);
        delivered.push(built.delivered);
      } catch (error) {
        if (!isUserMistake(error)) throw error;
        failures.push({ stage: stageId, message: error.message });
        app.node.tryRemoveChild(stageId);
      }
    }
    // A pipeline promotes through every environment, so it is built only when all of them are.
    if (environments.length === ENVIRONMENT_NAMES.length && delivered.length === environments.length) {
      pipelines.push(buildPipelineStack(app, config, service.config, delivered, platformTeam, compliance));
    }
  }
  if (failures.length > 0) throw new StageFailures([...failures, ...synthesizeStages(app)]);
  const partial =
    selected.length < services.length
      ? `PARTIAL SYNTH: ${selected.length} of ${services.length} services (${selected.map((s) => s.config.name).join(', ')}, -c keel:services); the others were not built or checked`
      : undefined;
  return { compliance, stacks, pipelines, ...(partial ? { partial } : {}) };
}

function teamOf(config: KeelConfig, service: ServiceConfig): TeamConfig {
  const team = config.teams.find((t) => t.id === service.owner);
  if (!team) throw new Error(`config was not validated: unknown owner ${service.owner}`);
  return team;
}

/**
 * The Stage of `service` in `environment`, named like its stack: the pipeline deploys it; people deploy it with
 * `cdk deploy 'Name-env/*'`. Its stack is tagged with its owner and checked by the environment's rule packs.
 */
function buildServiceStage(
  app: App,
  config: KeelConfig,
  { config: service, stack: buildStack }: ServiceDefinition,
  environment: EnvironmentConfig,
  compliance: Compliance,
): { stack: Stack; delivered: DeliveryEnvironment } {
  const team = teamOf(config, service);
  const profile = resolveProfile(team.profile, environment.name);
  const props = serviceStackProps(config, service, environment, team, profile);
  const stage = new Stage(app, props.stackName, { env: props.env });
  const stack = buildStack(stage, 'Service', props);
  const access = new DeliveryAccess(stack, 'DeliveryAccess', {
    serviceName: service.name,
    environment: environment.name,
    deliveryAccount: config.delivery.account,
  });
  new OwnershipTags(stack, 'OwnershipTags', {
    owner: team.id,
    service: service.name,
    environment: environment.name,
    costCenter: team.costCenter,
    dataClassification: service.dataClassification,
    extraTags: service.tags,
    extraRequiredKeys: profile.extraRequiredTagKeys,
    configHint: `lib/services/${service.name}/index.ts (service ${service.name}) or lib/config/teams.ts (team ${team.id})`,
  });
  compliance.addStack(stack, [...environment.extraRulePacks, ...profile.extraRulePacks], profile.extraRules);
  requireDeliverable(stack);
  addEmittedMetricCheck(stack);
  const delivered: DeliveryEnvironment = {
    name: environment.name,
    protection: environment.protection,
    targets: [{ stage, alarmReaderArn: access.alarmReaderArn }],
    ...(environment.bakeMinutes ? { bake: Duration.minutes(environment.bakeMinutes) } : {}),
    ...(environment.deploymentWindows ? { deploymentWindows: environment.deploymentWindows } : {}),
  };
  return { stack, delivered };
}

/**
 * What a service's stack factory gets for one environment: the stack's name and place, the config, and its
 * constructs' props with the owner team's profile applied. `team` and `profile` are the service's owner and its
 * profile in `environment`, looked up when not given.
 */
export function serviceStackProps(
  config: KeelConfig,
  service: ServiceConfig,
  environment: EnvironmentConfig,
  team: TeamConfig = teamOf(config, service),
  profile: ResolvedProfile = resolveProfile(team.profile, environment.name),
): ServiceStackProps {
  const name = keelNames.stack(service.name, environment.name);
  return {
    stackName: name,
    env: { account: environment.account, region: environment.region },
    terminationProtection: environment.protection !== 'basic',
    description: `${service.name} (${environment.name}), owned by ${team.displayName}`,
    service,
    environment,
    team,
    defaults: {
      service: {
        serviceName: service.name,
        environment: environment.name,
        protection: environment.protection,
        ...(profile.logRetention ? { logRetention: profile.logRetention } : {}),
      },
      containerService: {
        serviceName: service.name,
        environment: environment.name,
        protection: environment.protection,
        ...(profile.logRetention ? { logRetention: profile.logRetention } : {}),
        ...(environment.certificateArn ? { certificateArn: environment.certificateArn } : {}),
        ...(profile.deployment ? { deploymentStrategy: profile.deployment } : {}),
        ...(profile.containerSize ? { size: profile.containerSize } : {}),
      },
      monitoring: {
        onCallEndpoint: team.onCallEndpoint,
        ticketEndpoint: team.ticketEndpoint,
        runbooks: { repositoryUrl: config.platform.repositoryUrl, directory: config.platform.runbooksDirectory },
        ...(profile.standardAlarms ? { standardThresholds: profile.standardAlarms } : {}),
      },
      deployment: profile.deployment ? { strategy: profile.deployment } : {},
    },
  };
}

/**
 * Refuses a service stack the pipeline cannot deliver safely: one without a health composite (the pipeline's entry
 * checks and gates, `keel gate`, watch it by the name the manifest gives), or with a service no deployment rolls back
 * on its alarms.
 */
function requireDeliverable(stack: Stack): void {
  const problems = stack.node.findAll().some(ServiceMonitoring.isServiceMonitoring)
    ? unguardedServiceProblems(stack)
    : [
        {
          where: stack.node.path,
          what: 'has no ServiceMonitoring, so no health composite for the pipeline to gate promotions on',
          fix: "add new ServiceMonitoring(this, 'Monitoring', { service, ... }) to the service's stack",
        },
      ];
  if (problems.length > 0) throw new KeelValidationError('A service stack cannot be delivered:', problems);
}

/** The service's pipeline, in its own stack in the delivery account, owned by the platform team. */
function buildPipelineStack(
  app: App,
  config: KeelConfig,
  service: ServiceConfig,
  environments: readonly DeliveryEnvironment[],
  platformTeam: TeamConfig,
  compliance: Compliance,
): Stack {
  const stack = new Stack(app, keelNames.pipelineStack(service.name), {
    env: { account: config.delivery.account, region: config.delivery.region },
    terminationProtection: true,
    description: `Releases ${service.name} through ${environments.map((e) => e.name).join(', ')}; owned by ${platformTeam.displayName}`,
  });
  new ServicePipeline(stack, 'Pipeline', {
    serviceName: service.name,
    source: config.delivery,
    environments,
  });
  new OwnershipTags(stack, 'OwnershipTags', {
    owner: platformTeam.id,
    service: service.name,
    environment: 'delivery',
    costCenter: platformTeam.costCenter,
    dataClassification: 'internal',
    extraRequiredKeys: platformTeam.profile?.extraRequiredTagKeys,
    configHint: `lib/config/teams.ts (team ${platformTeam.id})`,
  });
  compliance.addStack(stack, [...new Set(config.environments.flatMap((e) => e.extraRulePacks))]);
  return stack;
}
