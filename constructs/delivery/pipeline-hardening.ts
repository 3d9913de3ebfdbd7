import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { DECISIONS, DEFAULT_DECISION_OWNER, PERMISSION_REVIEW_FUNCTION_DECISIONS, decide } from '../private/decisions';
import { limitGrantsToAwsServices } from '../private/key-policy';

/*
 * What Keel changes and decides on the resources CDK Pipelines creates. Each function needs a built CodePipeline
 * (after `buildPipeline()`), since that is when CDK Pipelines creates them.
 */

/** How long the pipeline's build and approval logs are kept: a year, as Control Tower's CT.CLOUDWATCH.PR.2 asks. */
export const PIPELINE_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** How long pipeline artifacts are kept: a stage rolls back to an earlier execution's artifacts, so not days. */
export const ARTIFACT_LIFETIME = Duration.days(90);

/**
 * The artifact bucket and key CDK Pipelines creates: its objects expire after ARTIFACT_LIFETIME (long enough for a
 * stage rollback to an earlier execution), and only AWS services may create grants on its key.
 */
export function hardenArtifacts(pipeline: pipelines.CodePipeline): void {
  const bucket = pipeline.pipeline.artifactBucket as s3.Bucket;
  bucket.addLifecycleRule({
    id: 'ExpireArtifacts',
    expiration: ARTIFACT_LIFETIME,
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  limitGrantsToAwsServices(bucket.encryptionKey as kms.Key);
}

/**
 * CDK Pipelines' permission review: its CodeBuild project logs to `buildLogs` like every other, and its auto-approve
 * function's log group is encrypted with `logsKey` and kept a year, its memory is stated rather than defaulted, and
 * X-Ray traces it.
 */
export function hardenPermissionReview(
  pipeline: pipelines.CodePipeline,
  buildLogs: logs.LogGroup,
  logsKey: kms.IKey,
): void {
  const check = pipeline.node.tryFindChild('PipelinesSecurityCheck')?.node.tryFindChild('CDKSecurityCheck');
  if (check instanceof codebuild.Project) {
    // CDK Pipelines builds this project without codeBuildDefaults, so its logs would land unencrypted, forever.
    (check.node.defaultChild as codebuild.CfnProject).logsConfig = {
      cloudWatchLogs: { status: 'ENABLED', groupName: buildLogs.logGroupName },
    };
    buildLogs.grantWrite(check);
  }
  const reviewFunction = permissionReviewFunction(pipeline);
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
  logGroup.kmsKeyId = logsKey.keyArn;
  logGroup.retentionInDays = PIPELINE_LOG_RETENTION;
}

/**
 * The findings on what CDK Pipelines builds, each a platform decision with its reason (see decisions.ts). `roles` are
 * the roles CDK Pipelines grants to: the pipeline's and the gate roles.
 */
export function recordPipelineDecisions(pipeline: pipelines.CodePipeline, roles: readonly iam.Role[]): void {
  const owner = DEFAULT_DECISION_OWNER;
  // What CDK Pipelines grants lands in each role's default policy; Keel's own grants are managed policies.
  for (const scope of [pipeline, ...roles.map((role) => role.node.findChild('DefaultPolicy'))]) {
    decide(scope, DECISIONS.cdkPipelinesStepGrants, owner);
    decide(scope, DECISIONS.cdkPipelinesInlinePolicies, owner);
  }
  const bucket = pipeline.pipeline.artifactBucket;
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
  // Only the project that publishes container images runs privileged (CDK Pipelines' `publishAssetsAction`).
  for (const project of pipeline.node.tryFindChild('Assets')?.node.children ?? []) {
    const environment = (project.node.defaultChild as codebuild.CfnProject | undefined)?.environment as
      codebuild.CfnProject.EnvironmentProperty | undefined;
    if (environment?.privilegedMode === true) decide(project, DECISIONS.dockerAssetsBuildPrivileged, owner);
  }
  const reviewFunction = permissionReviewFunction(pipeline);
  for (const decision of reviewFunction ? PERMISSION_REVIEW_FUNCTION_DECISIONS : []) {
    decide(reviewFunction as Construct, decision, owner);
  }
}

function permissionReviewFunction(pipeline: pipelines.CodePipeline): lambda.Function | undefined {
  return pipeline.node.tryFindChild('PipelinesSecurityCheck')?.node.tryFindChild('CDKPipelinesAutoApprove') as
    lambda.Function | undefined;
}
