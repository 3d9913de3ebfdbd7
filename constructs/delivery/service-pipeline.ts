import { Duration, Stack, Token, type Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { DECISIONS, DEFAULT_DECISION_OWNER, PERMISSION_REVIEW_FUNCTION_DECISIONS, decide } from '../private/decisions';
import { KeelValidationError, type Problem } from '../private/errors';
import { allowLogsOfThisAccount, limitGrantsToAwsServices } from '../private/key-policy';
import { concreteLocation } from '../private/location';
import { pascalCase } from '../private/names';
import type { ProtectionLevel } from '../service/protection';
import { deliveryRoleNames } from './delivery-access';
import { deploymentWindowProblems, type DeploymentWindow } from './deployment-window';
import { deploymentWindowRule, setStageConditions, type StageRule } from './stage-conditions';

/** The longest a gate may bake: a stage that needs more wants a person, not a pipeline. */
export const MAX_BAKE = Duration.days(1);

/** How long `keel gate` bakes a stage by default, by protection level; dev (basic) has no bake. */
export const DEFAULT_BAKE: Readonly<Record<ProtectionLevel, Duration | undefined>> = {
  basic: undefined,
  standard: Duration.minutes(3),
  maximum: Duration.minutes(10),
};

/** How long the pipeline's build and approval logs are kept: a year, as Control Tower's CT.CLOUDWATCH.PR.2 asks. */
export const PIPELINE_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** How long pipeline artifacts are kept: a stage rolls back to an earlier execution's artifacts, so not days. */
export const ARTIFACT_LIFETIME = Duration.days(90);

/** How long an entry check may take: installing the CLI, then one look at the alarms of each target. */
export const ENTRY_CHECK_TIMEOUT = Duration.minutes(20);

/** The commands the synth step runs by default: the project's own install, every test and check, then synth. */
export const DEFAULT_SYNTH_COMMANDS: readonly string[] = [
  'npm ci',
  'npm test',
  'npx cdk synth',
  'npm run --silent keel -- validate cdk.out',
];

const CONNECTION_ARN =
  /^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the pipeline's source comes from: a CodeConnections (CodeStar) connection to a Git repository. */
export interface PipelineSource {
  /** `arn:aws:codeconnections:<region>:<account>:connection/<uuid>` (or the older `codestar-connections`). */
  readonly connectionArn: string;
  /** `owner/name` on the connected host, e.g. `example-org/keel`. */
  readonly repository: string;
  /**
   * The branch that releases.
   * @default 'main'
   */
  readonly branch?: string;
}

/** One place an environment deploys to: a Stage of stacks, and the role through which its alarms are read. */
export interface DeliveryTarget {
  /** The stacks to deploy, in a Stage. */
  readonly stage: Stage;
  /** A role in the stage's account that may read the service's alarms (see DeliveryAccess). */
  readonly alarmReaderArn: string;
}

/** One environment of the promotion path. */
export interface DeliveryEnvironment {
  /** `dev`, `staging`, `prod`: the name `keel gate --env` knows. */
  readonly name: string;
  readonly protection: ProtectionLevel;
  /** Where it deploys; more than one deploys them side by side as a wave, e.g. one per region. */
  readonly targets: readonly DeliveryTarget[];
  /**
   * How long `keel gate` bakes the environment under its alarms after the deployment.
   * @default - DEFAULT_BAKE for the protection level: 10 minutes in prod, 3 in staging, no gate in dev
   */
  readonly bake?: Duration;
  /**
   * When deployments may enter; outside every window the environment is frozen.
   * @default - any time
   */
  readonly deploymentWindows?: readonly DeploymentWindow[];
  /**
   * Stop for a person's approval when the change broadens IAM permissions or security groups.
   * @default - at maximum protection (prod)
   */
  readonly reviewPermissionBroadening?: boolean;
}

export interface ServicePipelineProps {
  /** The service's kebab-case name; the pipeline is `<service>-pipeline`. */
  readonly serviceName: string;
  readonly source: PipelineSource;
  /** The environments in promotion order: dev, then staging, then prod. */
  readonly environments: readonly DeliveryEnvironment[];
  /**
   * What the synth step runs; it must leave the cloud assembly in `cdk.out`.
   * @default DEFAULT_SYNTH_COMMANDS
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
 * Put it in a stack of its own, in the delivery account; the targets' stacks must be complete (tags, checks)
 * before it is constructed, because it builds the pipeline, and synthesizes the stages, right away.
 */
export class ServicePipeline extends Construct {
  public readonly serviceName: string;
  public readonly pipeline: pipelines.CodePipeline;
  /** The pipeline's role. It reads no alarms: the entry checks and gates do, through their own roles. */
  public readonly role: iam.Role;
  /**
   * The roles that run `keel gate` for each environment, by environment name: its entry checks and, where it bakes,
   * its gate step. Each may assume only that environment's alarm readers.
   */
  public readonly gateRoles: Readonly<Record<string, iam.Role>>;
  /** The CodePipeline stage of each environment, by environment name. */
  public readonly stages: Readonly<Record<string, PipelineStageInfo>>;
  /** Encrypts the pipeline's log groups. */
  public readonly logsKey: kms.Key;
  /** Every CodeBuild project of the pipeline logs here, encrypted, for a year. */
  public readonly buildLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServicePipelineProps) {
    super(scope, id);
    checkPipeline(this.node.path, props);
    const stack = Stack.of(this);
    const service = props.serviceName;
    this.serviceName = service;
    const pipelineName = `${service}-pipeline`;

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
    allowLogsOfThisAccount(this.logsKey, stack.partition, stack.region, stack.account);
    limitGrantsToAwsServices(this.logsKey);
    this.buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      encryptionKey: this.logsKey,
      retention: PIPELINE_LOG_RETENTION,
    });
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      commands: [...(props.synthCommands ?? DEFAULT_SYNTH_COMMANDS)],
      primaryOutputDirectory: 'cdk.out',
    });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      role: this.role,
      synth,
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      publishAssetsInParallel: false,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: '20', python: '3.11' } } },
        }),
        logging: { cloudWatch: { logGroup: this.buildLogs } },
      },
    });

    // One role per environment runs keel gate there: the alarm reader in the target account trusts it by name.
    const gateRoles: Record<string, iam.Role> = {};
    for (const environment of props.environments) {
      gateRoles[environment.name] = this.gateRole(service, environment);
    }
    // The entry checks ask CodePipeline whether they run in a rollback execution (see entryStep), of this pipeline only.
    new iam.ManagedPolicy(this, 'GatesReadExecutions', {
      roles: Object.values(gateRoles),
      statements: [
        new iam.PolicyStatement({
          actions: ['codepipeline:GetPipelineExecution'],
          resources: [stack.formatArn({ service: 'codepipeline', resource: pipelineName })],
        }),
      ],
    });
    const stages: Record<string, PipelineStageInfo> = {};
    const conditions: { stageName: string; rules: StageRule[] }[] = [];
    props.environments.forEach((environment, i) => {
      const previous = i > 0 ? props.environments[i - 1] : undefined;
      const bake = environment.bake ?? DEFAULT_BAKE[environment.protection];
      const gate = bake && gateStep(service, environment, gateRoles[environment.name], bake, source, synth);
      // Refuse to enter while this environment is unhealthy, or (at maximum protection) the one before it is: one
      // look through each environment's own gate role, since each reader trusts only its own environment's.
      const watched = [environment];
      if (environment.protection === 'maximum' && previous) watched.push(previous);
      const entry = watched.map((env) => entryStep(service, pipelineName, env, gateRoles[env.name], source, synth));
      const review =
        (environment.reviewPermissionBroadening ?? environment.protection === 'maximum')
          ? environment.targets.map(
              (target) =>
                new pipelines.ConfirmPermissionsBroadening(`ReviewPermissions-${target.stage.stageName}`, {
                  stage: target.stage,
                }),
            )
          : [];
      // A person reviews only a change that may enter at all.
      for (const step of review) entry.forEach((check) => step.addStepDependency(check));
      const pre = [...entry, ...review];
      let stageName: string;
      if (environment.targets.length === 1) {
        const [target] = environment.targets;
        this.pipeline.addStage(target.stage, { pre, post: gate ? [gate] : [] });
        stageName = target.stage.stageName;
      } else {
        const wave = this.pipeline.addWave(`${pascalCase(service)}-${environment.name}`, {
          pre,
          post: gate ? [gate] : [],
        });
        for (const target of environment.targets) wave.addStage(target.stage);
        stageName = wave.id;
      }
      stages[environment.name] = {
        pipelineName,
        stageName,
        ...concreteLocation(stack),
      };

      // Before entry, only the deployment windows: they read nothing in another account.
      const rules = (environment.deploymentWindows ?? []).map((window, w) => deploymentWindowRule(window, w));
      conditions.push({ stageName, rules });
    });
    this.gateRoles = gateRoles;
    this.stages = stages;

    this.pipeline.buildPipeline();
    for (const { stageName, rules } of conditions) {
      setStageConditions(this.pipeline.pipeline, stageName, { beforeEntry: rules, onFailure: 'ROLLBACK' });
    }
    this.hardenArtifacts();
    this.hardenPermissionReview();
    this.recordDecisions();
  }

  /**
   * The artifact bucket and key CDK Pipelines creates: its objects expire after ARTIFACT_LIFETIME (long enough for a
   * stage rollback to an earlier execution), and only AWS services may create grants on its key.
   */
  private hardenArtifacts(): void {
    const bucket = this.pipeline.pipeline.artifactBucket as s3.Bucket;
    bucket.addLifecycleRule({
      id: 'ExpireArtifacts',
      expiration: ARTIFACT_LIFETIME,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    });
    limitGrantsToAwsServices(bucket.encryptionKey as kms.Key);
  }

  /**
   * CDK Pipelines' permission review: its CodeBuild project logs to the build logs like every other, and its
   * auto-approve function's log group is encrypted with the pipeline's logs key and kept a year, its memory is stated
   * rather than defaulted, and X-Ray traces it.
   */
  private hardenPermissionReview(): void {
    const check = this.pipeline.node.tryFindChild('PipelinesSecurityCheck')?.node.tryFindChild('CDKSecurityCheck');
    if (check instanceof codebuild.Project) {
      // CDK Pipelines builds this project without codeBuildDefaults, so its logs would land unencrypted, forever.
      (check.node.defaultChild as codebuild.CfnProject).logsConfig = {
        cloudWatchLogs: { status: 'ENABLED', groupName: this.buildLogs.logGroupName },
      };
      this.buildLogs.grantWrite(check);
    }
    const reviewFunction = this.reviewFunction();
    if (!reviewFunction) return;
    const cfnFunction = reviewFunction.node.defaultChild as lambda.CfnFunction;
    cfnFunction.memorySize = 128;
    cfnFunction.tracingConfig = { mode: 'Active' };
    reviewFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    );
    const rolePolicy = reviewFunction.role?.node.tryFindChild('DefaultPolicy');
    if (rolePolicy) decide(rolePolicy, DECISIONS.xrayWriteAnyResource, DEFAULT_DECISION_OWNER);
    const logGroup = reviewFunction.node.findChild('LogGroup').node.defaultChild as logs.CfnLogGroup;
    logGroup.kmsKeyId = this.logsKey.keyArn;
    logGroup.retentionInDays = PIPELINE_LOG_RETENTION;
  }

  private reviewFunction(): lambda.Function | undefined {
    return this.pipeline.node.tryFindChild('PipelinesSecurityCheck')?.node.tryFindChild('CDKPipelinesAutoApprove') as
      lambda.Function | undefined;
  }

  /** The findings on what CDK Pipelines builds, each a platform decision with its reason (see decisions.ts). */
  private recordDecisions(): void {
    const owner = DEFAULT_DECISION_OWNER;
    // What CDK Pipelines grants lands in each role's default policy; Keel's own grants are managed policies.
    const roles = [this.role, ...Object.values(this.gateRoles)];
    for (const scope of [this.pipeline, ...roles.map((role) => role.node.findChild('DefaultPolicy'))]) {
      decide(scope, DECISIONS.cdkPipelinesStepGrants, owner);
      decide(scope, DECISIONS.cdkPipelinesInlinePolicies, owner);
    }
    const bucket = this.pipeline.pipeline.artifactBucket;
    for (const decision of [
      DECISIONS.artifactBucketAccessLogs,
      DECISIONS.artifactBucketAccessLogsNist,
      DECISIONS.artifactsAreRebuildable,
      DECISIONS.artifactsAreWrittenOnce,
      DECISIONS.artifactsNeedNoEvents,
      DECISIONS.artifactsExpireByLifecycle,
    ]) {
      decide(bucket, decision, owner);
    }
    const reviewFunction = this.reviewFunction();
    for (const decision of reviewFunction ? PERMISSION_REVIEW_FUNCTION_DECISIONS : []) {
      decide(reviewFunction as Construct, decision, owner);
    }
  }

  /**
   * The role that runs `keel gate` in one environment (its entry checks and its bake): it may assume only that
   * environment's alarm readers (besides what CDK Pipelines grants every step: logs and artifacts).
   */
  private gateRole(service: string, environment: DeliveryEnvironment): iam.Role {
    const role = new iam.Role(this, `${pascalCase(environment.name)}GateRole`, {
      roleName: deliveryRoleNames.gate(service, environment.name),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: `Runs keel gate for ${service} in ${environment.name}`,
    });
    new iam.ManagedPolicy(this, `${pascalCase(environment.name)}GateReadAlarms`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: environment.targets.map((t) => t.alarmReaderArn),
        }),
      ],
    });
    return role;
  }
}

/**
 * The entry check of `watched` in a stage's `pre`: `keel gate` with a zero bake, one look at the health composite and
 * every critical alarm of each of its targets, through that target's alarm reader, run by `watched`'s gate role. It
 * runs when the stage starts (after its deployment windows let the execution in); a failure fails the stage.
 *
 * A rollback execution (`OnFailure: ROLLBACK` after a failed gate, or `keel rollback`) runs the stage's actions again,
 * this one first, while the environment is still unhealthy; it must not refuse the way back. So each command first
 * asks CodePipeline for the execution's type (GetPipelineExecution, `executionType` STANDARD or ROLLBACK) and looks at
 * the alarms unless it is ROLLBACK; when the question fails, it looks anyway.
 */
function entryStep(
  service: string,
  pipelineName: string,
  watched: DeliveryEnvironment,
  role: iam.Role,
  source: pipelines.IFileSetProducer,
  synth: pipelines.IFileSetProducer,
): pipelines.CodeBuildStep {
  return keelGateStep(`Healthy-${watched.name}`, role, source, synth, {
    // A CodePipeline variable: CDK Pipelines sets it on the action, where CodePipeline resolves it per execution.
    env: { PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}' },
    commands: watched.targets.map((target) =>
      unlessRollback(pipelineName, gateCommand(service, watched.name, target, Duration.seconds(0))),
    ),
    timeout: ENTRY_CHECK_TIMEOUT,
  });
}

/** A CodeBuild step that bakes the environment under `keel gate` after its deployment, on each target. */
function gateStep(
  service: string,
  environment: DeliveryEnvironment,
  role: iam.Role,
  bake: Duration,
  source: pipelines.IFileSetProducer,
  synth: pipelines.IFileSetProducer,
): pipelines.CodeBuildStep {
  return keelGateStep(`Gate-${environment.name}`, role, source, synth, {
    commands: environment.targets.map((target) => gateCommand(service, environment.name, target, bake)),
    timeout: bake.plus(Duration.minutes(20)),
  });
}

/**
 * A CodeBuild step that runs `keel gate` commands as `role`: the repository's production dependencies installed, and
 * the synthesized assembly beside it for the manifest that names the alarms.
 */
function keelGateStep(
  id: string,
  role: iam.Role,
  source: pipelines.IFileSetProducer,
  synth: pipelines.IFileSetProducer,
  run: { commands: string[]; timeout: Duration; env?: Record<string, string> },
): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep(id, {
    input: source,
    additionalInputs: { 'cdk.out': synth },
    installCommands: ['npm ci --omit=dev --ignore-scripts'],
    role,
    ...run,
  });
}

/** `command`, unless this CodeBuild action runs in a rollback execution of `pipelineName`. */
function unlessRollback(pipelineName: string, command: string): string {
  const executionType =
    `aws codepipeline get-pipeline-execution --pipeline-name ${pipelineName} ` +
    '--pipeline-execution-id "$PIPELINE_EXECUTION_ID" --query pipelineExecution.executionType --output text';
  return `[ "$(${executionType})" = ROLLBACK ] && echo 'rollback execution: no entry check' || ${command}`;
}

/** The command a gate step runs for one target; a zero bake (the entry check) looks once. */
export function gateCommand(service: string, environment: string, target: DeliveryTarget, bake: Duration): string {
  return [
    'npm run --silent keel -- gate',
    service,
    `--env ${environment}`,
    `--region ${target.stage.region}`,
    `--bake ${bake.toSeconds()}s`,
    `--role-arn ${target.alarmReaderArn}`,
  ].join(' ');
}

function checkPipeline(where: string, props: ServicePipelineProps): void {
  const problems: Problem[] = [];
  const { connectionArn, repository, branch } = props.source;
  if (!CONNECTION_ARN.test(connectionArn ?? '')) {
    problems.push({
      where: `${where} source.connectionArn`,
      what: `${JSON.stringify(connectionArn)} is not a CodeConnections connection ARN`,
      fix:
        'copy the ARN of an AVAILABLE connection from the console (Developer Tools > Connections), e.g. ' +
        "'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'",
    });
  }
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository ?? '')) {
    problems.push({
      where: `${where} source.repository`,
      what: `${JSON.stringify(repository)} is not owner/name`,
      fix: "use the repository's owner and name on the connected host, e.g. 'example-org/keel'",
    });
  }
  if (branch !== undefined && !/^[^\s~^:?*[\\]+$/.test(branch)) {
    problems.push({
      where: `${where} source.branch`,
      what: `${JSON.stringify(branch)} is not a branch name`,
      fix: "use the branch that releases, e.g. 'main'",
    });
  }
  if (props.environments.length === 0) {
    problems.push({
      where: `${where} environments`,
      what: 'is empty',
      fix: 'list the environments in promotion order',
    });
  }
  for (const environment of props.environments) {
    const at = `${where} environments.${environment.name}`;
    if (environment.targets.length === 0) {
      problems.push({ where: `${at}.targets`, what: 'is empty', fix: 'give the environment at least one Stage' });
    }
    for (const target of environment.targets) {
      if (!target.stage.region || Token.isUnresolved(target.stage.region)) {
        problems.push({
          where: `${at} stage ${target.stage.node.path}`,
          what: 'has no concrete region; the entry check and the gate look at alarms in it',
          fix: 'create the Stage with env: { account, region }',
        });
      }
    }
    const bake = environment.bake;
    if (bake !== undefined) {
      const ms = bake.toMilliseconds();
      if (ms <= 0 || ms > MAX_BAKE.toMilliseconds() || ms % 1000 !== 0) {
        problems.push({
          where: `${at}.bake`,
          what: `${bake.toHumanString()} is not whole seconds longer than 0 and at most ${MAX_BAKE.toHumanString()}`,
          fix: 'bake for minutes, e.g. Duration.minutes(10); leave it out for the default',
        });
      }
    }
    (environment.deploymentWindows ?? []).forEach((window, i) =>
      problems.push(...deploymentWindowProblems(`${at}.deploymentWindows[${i}]`, window)),
    );
  }
  if (problems.length > 0) throw new KeelValidationError(`Invalid pipeline ${where}:`, problems);
}
