import { AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { KeelValidationError, type Problem } from '../errors';
import { allowLogsOfThisAccount, limitGrantsToAwsServices } from '../private/key-policy';
import { concreteLocation } from '../private/location';
import { deliveryRoleNames, keelNames } from '../naming';
import { buildCache, NPM_CACHE_DIRECTORY, PIPELINE_KEEL_CACHE_DIRECTORY } from './build-cache';
import { bakeOf, deliveryEnvironmentProblems, type DeliveryEnvironment } from './delivery-environment';
import { createGateRole, entryStep, gateStep, type GateInputs } from './gate-steps';
import {
  PIPELINE_LOG_RETENTION,
  hardenArtifacts,
  hardenPermissionReview,
  recordPipelineDecisions,
} from './pipeline-hardening';
import { pipelineSourceProblems, type PipelineSource } from './pipeline-source';
import { deploymentWindowRule, setStageConditions, type StageRule } from './stage-conditions';

export { DEFAULT_BAKE, MAX_BAKE, type DeliveryEnvironment, type DeliveryTarget } from './delivery-environment';
export { ENTRY_CHECK_TIMEOUT, gateCommand } from './gate-steps';
export { ARTIFACT_LIFETIME, PIPELINE_LOG_RETENTION } from './pipeline-hardening';
export type { PipelineSource } from './pipeline-source';

/**
 * The commands the synth step of `serviceName`'s pipeline runs by default: the project's own install; the security
 * gates, each its own command and verdict line (secrets, advisories and licences of the production dependencies;
 * static analysis is eslint-plugin-security in `npm test`); every test and check (a full synth of the repository
 * among them); a synth of this service only (`-c keel:services=<service>`, every environment and its pipeline), so
 * that N services' pipelines do not each synthesize all N; cfn-lint; and last the release's CycloneDX SBOM, written
 * into cdk.out, the step's output that CodePipeline keeps for each execution. The synth step precedes every stage,
 * so a failing gate stops the release before anything deploys.
 */
export function defaultSynthCommands(serviceName: string): readonly string[] {
  return [
    'npm ci',
    'npm run --silent keel -- security secrets',
    'npm run --silent keel -- security audit',
    'npm run --silent keel -- security licences',
    'npm test',
    `npx cdk synth -c keel:services=${serviceName}`,
    'npm run --silent keel -- validate cdk.out',
    'npm run --silent keel -- security sbom --out cdk.out/sbom.cdx.json',
  ];
}

export interface ServicePipelineProps {
  /** The service's kebab-case name; the pipeline is `<service>-pipeline`. */
  readonly serviceName: string;
  readonly source: PipelineSource;
  /**
   * The environments in promotion order: dev, then staging, then prod. `addEnvironment()` appends more, until the
   * pipeline is built.
   * @default - none here; add each with `addEnvironment()` (synth fails for a pipeline without environments)
   */
  readonly environments?: readonly DeliveryEnvironment[];
  /**
   * What the synth step runs; it must leave the cloud assembly in `cdk.out`.
   * @default defaultSynthCommands(serviceName)
   */
  readonly synthCommands?: readonly string[];
}

/** What `keel rollback` needs to know about one environment's stage of the pipeline. */
export interface PipelineStageInfo {
  readonly pipelineName: string;
  readonly stageName: string;
  readonly account?: string;
  readonly region?: string;
}

/**
 * A service's release path on CDK Pipelines: a self-mutating CodePipeline V2 with rotating cross-account keys that
 * builds and checks the whole repository, then promotes each environment in turn. Each environment's stage:
 * - is frozen outside its deployment windows (a `DeploymentWindow` rule before entry);
 * - first runs its entry check, `keel gate` with a zero bake (one look) in a CodeBuild step through each target's
 *   alarm reader, which fails the stage while the health composite or a critical alarm of the environment (and, at
 *   maximum protection, of the previous environment) is in ALARM;
 * - at maximum protection, then waits for approval when the change broadens permissions;
 * - bakes under `keel gate` after deploying;
 * - rolls itself back when anything in it fails (CodePipeline V2 `OnFailure: ROLLBACK`).
 *
 * Put it in a stack of its own, in the delivery account. It builds the pipeline just in time, as CDK Pipelines does:
 * at synth (from an aspect), or when `buildPipeline()` is called. So the environments (props or `addEnvironment()`)
 * and the targets' stacks may be completed in any order before then.
 */
const SERVICE_PIPELINE = Symbol.for('keel.ServicePipeline');

export class ServicePipeline extends Construct {
  /** True for a ServicePipeline, also one built by another copy of this library. */
  public static isServicePipeline(x: unknown): x is ServicePipeline {
    return typeof x === 'object' && x !== null && SERVICE_PIPELINE in x;
  }

  public readonly serviceName: string;
  /** The CDK Pipelines pipeline; what it creates (`pipeline.pipeline`) exists once `buildPipeline()` has run. */
  public readonly pipeline: pipelines.CodePipeline;
  /** The pipeline's role. It reads no alarms: the entry checks and gates do, through their own roles. */
  public readonly role: iam.Role;
  /** Encrypts the pipeline's log groups. */
  public readonly logsKey: kms.Key;
  /** Every CodeBuild project of the pipeline logs here, encrypted, for a year. */
  public readonly buildLogs: logs.LogGroup;
  private readonly pipelineName: string;
  private readonly inputs: GateInputs;
  private readonly environments: DeliveryEnvironment[] = [];
  private readonly roles: Record<string, iam.Role> = {};
  private readonly stageInfo: Record<string, PipelineStageInfo> = {};
  private built = false;

  constructor(scope: Construct, id: string, props: ServicePipelineProps) {
    super(scope, id);
    Object.defineProperty(this, SERVICE_PIPELINE, { value: true });
    checkPipeline(this.node.path, props);
    const service = props.serviceName;
    this.serviceName = service;
    this.pipelineName = keelNames.pipeline(service);
    this.role = new iam.Role(this, 'Role', {
      roleName: deliveryRoleNames.pipeline(service),
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      description: `Runs the ${service} pipeline`,
    });
    const source = pipelines.CodePipelineSource.connection(props.source.repository, props.source.branch ?? 'main', {
      connectionArn: props.source.connectionArn,
      codeBuildCloneOutput: false,
    });
    this.logsKey = new kms.Key(this, 'LogsKey', {
      description: `Encrypts the build and approval logs of the ${service} pipeline`,
      enableKeyRotation: true,
    });
    const stack = Stack.of(this);
    allowLogsOfThisAccount(this.logsKey, stack.partition, stack.region, stack.account);
    limitGrantsToAwsServices(this.logsKey);
    this.buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      encryptionKey: this.logsKey,
      retention: PIPELINE_LOG_RETENTION,
    });
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      commands: [...(props.synthCommands ?? defaultSynthCommands(props.serviceName))],
      primaryOutputDirectory: 'cdk.out',
      // npm's downloads and Keel's caches survive between builds on the same host (build-cache.ts).
      // KEEL_BROWSER_CHECK=off: the build image (Ubuntu) has no apt Chromium, and the browser check proves Keel's own
      // audit-report renderer, not the service; `.ci/run` runs it on every change to Keel.
      env: { KEEL_CACHE_DIRECTORY: PIPELINE_KEEL_CACHE_DIRECTORY, KEEL_BROWSER_CHECK: 'off' },
      ...buildCache([NPM_CACHE_DIRECTORY, PIPELINE_KEEL_CACHE_DIRECTORY]),
    });
    this.inputs = { source, synth };
    this.pipeline = this.codePipeline(synth);
    for (const environment of props.environments ?? []) this.register(environment);
    // Builds when synth visits this construct: before its children, CDK Pipelines' own just-in-time build among them.
    Aspects.of(this).add({ visit: () => this.buildPipeline() }, { priority: AspectPriority.MUTATING });
  }

  /**
   * The roles that run `keel gate` for each environment, by environment name: its entry checks and, where it bakes,
   * its gate step. Each may assume only that environment's alarm readers.
   */
  public get gateRoles(): Readonly<Record<string, iam.Role>> {
    return this.roles;
  }

  /** The CodePipeline stage of each environment, by environment name. */
  public get stages(): Readonly<Record<string, PipelineStageInfo>> {
    return this.stageInfo;
  }

  /**
   * Appends an environment to the promotion path, after those in props and those added before.
   * @throws KeelValidationError when the environment is invalid or its name is taken, or the pipeline is built.
   */
  public addEnvironment(environment: DeliveryEnvironment): void {
    const where = this.node.path;
    if (this.built) {
      throw new KeelValidationError(`Cannot add environment ${environment.name} to pipeline ${where}:`, [
        {
          where: `${where} environments.${environment.name}`,
          what: 'is added after the pipeline was built (by buildPipeline(), or by synth)',
          fix:
            'add every environment before synth and before calling buildPipeline(): in props.environments, or with ' +
            'addEnvironment() before anything calls buildPipeline()',
        },
      ]);
    }
    const problems = [
      ...deliveryEnvironmentProblems(where, environment),
      ...duplicateProblems(where, [...this.environments, environment]),
    ];
    if (problems.length > 0) throw new KeelValidationError(`Invalid pipeline ${where}:`, problems);
    this.register(environment);
  }

  /**
   * Builds the pipeline from its environments: their stages, steps, gates, stage conditions, and the changes and
   * decisions on what CDK Pipelines creates. Synth calls it; call it yourself only to reach what CDK Pipelines
   * creates (`pipeline.pipeline`) before synth. It builds once, later calls do nothing, and no environment may be
   * added after it. Call this one, not `pipeline.buildPipeline()`, which would leave the environments out. CDK
   * Pipelines synthesizes each target Stage as it adds it, so after this call the targets' stacks cannot change
   * either (aws-cdk-lib refuses with "construction tree modified after the first synthesis").
   * @throws KeelValidationError when the pipeline has no environments.
   */
  public buildPipeline(): void {
    if (this.built) return;
    if (this.environments.length === 0) {
      throw new KeelValidationError(`Invalid pipeline ${this.node.path}:`, [
        {
          where: `${this.node.path} environments`,
          what: 'is empty',
          fix: 'list the environments in promotion order in props.environments, or add them with addEnvironment()',
        },
      ]);
    }
    this.allowGatesToReadExecutions();
    const conditions = this.environments.map((environment, i) => ({
      stageName: this.stageInfo[environment.name].stageName,
      rules: this.addDeployStage(environment, i > 0 ? this.environments[i - 1] : undefined),
    }));
    this.pipeline.buildPipeline();
    for (const { stageName, rules } of conditions) {
      setStageConditions(this.pipeline.pipeline, stageName, { beforeEntry: rules, onFailure: 'ROLLBACK' });
    }
    hardenArtifacts(this.pipeline);
    hardenPermissionReview(this.pipeline, this.buildLogs, this.logsKey);
    recordPipelineDecisions(this.pipeline, [this.role, ...Object.values(this.roles)]);
    this.built = true;
  }

  private codePipeline(synth: pipelines.CodeBuildStep): pipelines.CodePipeline {
    return new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: this.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      role: this.role,
      synth,
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      publishAssetsInParallel: false,
      // Assets are published on Arm: container services' images are linux/arm64 (Fargate on Graviton), and an x86
      // build host cannot build them without emulation. CodeBuild's Amazon Linux 2023 aarch64 standard 3.0 image offers
      // the nodejs 22 and python 3.11 runtimes the defaults below ask for (al/aarch64/standard/3.0/runtimes.yml in
      // aws/aws-codebuild-docker-images). File assets (Lambda bundles) are plain zip uploads either way.
      assetPublishingCodeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
          computeType: codebuild.ComputeType.SMALL,
        },
      },
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          // Node 22: the AWS SDK for JavaScript v3 requires it for releases after the first week of January 2027
          // (its NodeVersionSupportWarning on Node 20). CodeBuild's Ubuntu standard 7.0 image offers nodejs 22
          // (ubuntu/standard/7.0/runtimes.yml in aws/aws-codebuild-docker-images, the image's own definition).
          phases: { install: { 'runtime-versions': { nodejs: '22', python: '3.11' } } },
        }),
        logging: { cloudWatch: { logGroup: this.buildLogs } },
      },
    });
  }

  /**
   * Records a checked environment: its gate role now (one role per environment runs keel gate there; the alarm reader
   * in the target account trusts it by name), its stage when the pipeline is built.
   */
  private register(environment: DeliveryEnvironment): void {
    this.environments.push(environment);
    this.roles[environment.name] = createGateRole(this, this.serviceName, environment);
    // A wave is named like the environment's stacks, `<Service>-<env>`, as a single target's Stage usually is.
    const stageName =
      environment.targets.length === 1
        ? environment.targets[0].stage.stageName
        : keelNames.stack(this.serviceName, environment.name);
    this.stageInfo[environment.name] = {
      pipelineName: this.pipelineName,
      stageName,
      ...concreteLocation(Stack.of(this)),
    };
  }

  /** The entry checks ask CodePipeline whether they run in a rollback execution (see entryStep), of this pipeline only. */
  private allowGatesToReadExecutions(): void {
    new iam.ManagedPolicy(this, 'GatesReadExecutions', {
      roles: Object.values(this.roles),
      statements: [
        new iam.PolicyStatement({
          actions: ['codepipeline:GetPipelineExecution'],
          resources: [Stack.of(this).formatArn({ service: 'codepipeline', resource: this.pipelineName })],
        }),
      ],
    });
  }

  /** Adds the environment's stage (or wave) with its entry checks, review and gate; returns its before-entry rules. */
  private addDeployStage(environment: DeliveryEnvironment, previous: DeliveryEnvironment | undefined): StageRule[] {
    const service = this.serviceName;
    const bake = bakeOf(environment);
    const gate = bake && gateStep(service, environment, this.roles[environment.name], bake, this.inputs);
    // Refuse to enter while this environment is unhealthy, or (at maximum protection) the one before it is: one
    // look through each environment's own gate role, since each reader trusts only its own environment's.
    const watched = [environment];
    if (environment.protection === 'maximum' && previous) watched.push(previous);
    const entry = watched.map((env) => entryStep(service, this.pipelineName, env, this.roles[env.name], this.inputs));
    const review = permissionReviews(environment);
    // A person reviews only a change that may enter at all.
    for (const step of review) entry.forEach((check) => step.addStepDependency(check));
    const steps = { pre: [...entry, ...review], post: gate ? [gate] : [] };
    if (environment.targets.length === 1) {
      this.pipeline.addStage(environment.targets[0].stage, steps);
    } else {
      const wave = this.pipeline.addWave(this.stageInfo[environment.name].stageName, steps);
      for (const target of environment.targets) wave.addStage(target.stage);
    }
    // Before entry, only the deployment windows: they read nothing in another account.
    return (environment.deploymentWindows ?? []).map((window, w) => deploymentWindowRule(window, w));
  }
}

/** At maximum protection (or when asked), a person confirms a change that broadens permissions, per target. */
function permissionReviews(environment: DeliveryEnvironment): pipelines.ConfirmPermissionsBroadening[] {
  if (!(environment.reviewPermissionBroadening ?? environment.protection === 'maximum')) return [];
  return environment.targets.map(
    (target) =>
      new pipelines.ConfirmPermissionsBroadening(`ReviewPermissions-${target.stage.stageName}`, {
        stage: target.stage,
      }),
  );
}

function checkPipeline(where: string, props: ServicePipelineProps): void {
  const environments = props.environments ?? [];
  const problems: Problem[] = [
    ...pipelineSourceProblems(where, props.source),
    ...environments.flatMap((environment) => deliveryEnvironmentProblems(where, environment)),
    ...duplicateProblems(where, environments),
  ];
  if (problems.length > 0) throw new KeelValidationError(`Invalid pipeline ${where}:`, problems);
}

/** Each environment name that appears more than once: its gate role and its stage would be ambiguous. */
function duplicateProblems(where: string, environments: readonly DeliveryEnvironment[]): Problem[] {
  const names = environments.map((environment) => environment.name);
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))].map((name) => ({
    where: `${where} environments.${name}`,
    what: 'is in the pipeline twice',
    fix: 'give each environment its own name, and add it once',
  }));
}
