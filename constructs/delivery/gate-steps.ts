import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { deliveryRoleNames, pascalCase } from '../naming';
import { buildCache, NPM_CACHE_DIRECTORY } from './build-cache';
import type { DeliveryEnvironment, DeliveryTarget } from './delivery-environment';

/** How long an entry check may take: installing the CLI, then one look at the alarms of each target. */
export const ENTRY_CHECK_TIMEOUT = Duration.minutes(20);

/** What every `keel gate` step reads: the repository (for the CLI) and the synthesized assembly (for the manifest). */
export interface GateInputs {
  readonly source: pipelines.IFileSetProducer;
  readonly synth: pipelines.IFileSetProducer;
}

/**
 * The role that runs `keel gate` in one environment (its entry checks and its bake), in `scope` as
 * `<Env>GateRole`: it may assume only that environment's alarm readers (besides what CDK Pipelines grants every
 * step: logs and artifacts).
 */
export function createGateRole(scope: Construct, service: string, environment: DeliveryEnvironment): iam.Role {
  const role = new iam.Role(scope, `${pascalCase(environment.name)}GateRole`, {
    roleName: deliveryRoleNames.gate(service, environment.name),
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: `Runs keel gate for ${service} in ${environment.name}`,
  });
  new iam.ManagedPolicy(scope, `${pascalCase(environment.name)}GateReadAlarms`, {
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
export function entryStep(
  service: string,
  pipelineName: string,
  watched: DeliveryEnvironment,
  role: iam.Role,
  inputs: GateInputs,
): pipelines.CodeBuildStep {
  return keelGateStep(`Healthy-${watched.name}`, role, inputs, {
    // A CodePipeline variable: CDK Pipelines sets it on the action, where CodePipeline resolves it per execution.
    env: { PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}' },
    commands: watched.targets.map((target) =>
      unlessRollback(pipelineName, gateCommand(service, watched.name, target, Duration.seconds(0))),
    ),
    timeout: ENTRY_CHECK_TIMEOUT,
  });
}

/** A CodeBuild step that bakes the environment under `keel gate` after its deployment, on each target. */
export function gateStep(
  service: string,
  environment: DeliveryEnvironment,
  role: iam.Role,
  bake: Duration,
  inputs: GateInputs,
): pipelines.CodeBuildStep {
  return keelGateStep(`Gate-${environment.name}`, role, inputs, {
    commands: environment.targets.map((target) => gateCommand(service, environment.name, target, bake)),
    timeout: bake.plus(Duration.minutes(20)),
  });
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

/**
 * A CodeBuild step that runs `keel gate` commands as `role`: the repository's production dependencies installed, and
 * the synthesized assembly beside it for the manifest that names the alarms.
 */
function keelGateStep(
  id: string,
  role: iam.Role,
  inputs: GateInputs,
  run: { commands: string[]; timeout: Duration; env?: Record<string, string> },
): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep(id, {
    input: inputs.source,
    additionalInputs: { 'cdk.out': inputs.synth },
    installCommands: ['npm ci --omit=dev --ignore-scripts'],
    // npm's downloads survive between builds on the same host (build-cache.ts).
    ...buildCache([NPM_CACHE_DIRECTORY]),
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
