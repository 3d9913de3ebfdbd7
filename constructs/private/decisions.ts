import type { IConstruct } from 'constructs';
import { acknowledge } from '../governance/acknowledge';
import { callSite, type Renewal } from '../governance/acknowledgment-lifecycle';

/**
 * A finding Keel's own constructs accept by design, reviewed by the platform team before it expires.
 *
 * Expiries are staggered by family (APIs, function failures, grants, pipeline roles, artifact bucket, observability,
 * data) so that no single day expires more than a quarter of them (test/constructs/private/decisions.test.ts); each
 * is within `platform.maxAcknowledgmentDays` of the day it is set, as every acknowledgment must be at every synth.
 */
export interface PlatformDecision {
  readonly id: string;
  /** The same check in other rule packs a team may add (extraRulePacks), decided for the same reason. */
  readonly equivalents?: readonly string[];
  readonly reason: string;
  readonly expires: string;
  /**
   * Set when the expiry is moved later (constructs/governance/README.md, "Renew an acknowledgment").
   * @default - a first decision
   */
  readonly renewal?: Renewal;
  /**
   * `file:line` of the decision's entry, which errors and the compliance report name.
   * @default - the line `platformDecision()` is called from
   */
  readonly site?: string;
}

/** A platform decision, recorded with the line of its entry here: the line to change when it is renewed. */
function platformDecision(decision: PlatformDecision): PlatformDecision {
  return { site: callSite(1), ...decision };
}

/** The team that owns Keel's construct-level decisions, unless a construct's props name another. */
export const DEFAULT_DECISION_OWNER = 'platform';

export const DECISIONS = {
  xrayWriteAnyResource: platformDecision({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; the statement grants ' +
      'only those two write actions.',
    expires: '2027-04-15',
  }),
  failuresThroughDestination: platformDecision({
    id: 'NIST.800.53.R5-LambdaDLQ',
    equivalents: ['Serverless-LambdaDLQ'],
    reason:
      "Asynchronous failures go to the service's encrypted SQS queue through the live alias's on-failure destination, " +
      'which carries the error and request context; a DeadLetterConfig as well would deliver every failure twice.',
    expires: '2027-03-31',
  }),
  deadLetterQueueHasNoQueue: platformDecision({
    id: 'AwsSolutions-SQS3',
    equivalents: ['Serverless-SQSRedrivePolicy'],
    reason:
      'This queue is itself a dead-letter queue (it declares so in its redrive allow policy); giving it a dead-letter ' +
      'queue of its own would only move the same messages on. It keeps them 14 days; ServiceMonitoring alarms on ' +
      "the service functions' queues and the undelivered-alerts queue as soon as one holds a message.",
    expires: '2027-03-31',
  }),
  lambdaOnlyIntegrations: platformDecision({
    id: 'NIST.800.53.R5-APIGWSSLEnabled',
    equivalents: ['PCI.DSS.321-APIGWSSLEnabled'],
    reason:
      "Client certificates let API Gateway authenticate to HTTP backends; ProductionService's only integrations are " +
      'its own Lambda aliases, invoked through IAM, so no backend could check one.',
    expires: '2027-03-15',
  }),
  iamAuthorization: platformDecision({
    id: 'AwsSolutions-COG4',
    reason:
      "ProductionService's default callers are AWS workloads signing with SigV4 and authorized by IAM; a Cognito " +
      'user pool authorizer is one prop away (ServiceAuthorization.cognito) for APIs that serve people.',
    expires: '2027-03-15',
  }),
  noWafOnBasicProtection: platformDecision({
    id: 'AwsSolutions-APIG3',
    equivalents: ['PCI.DSS.321-APIGWAssociatedWithWAF'],
    reason:
      'At basic protection (dev) the API carries no production traffic and only signed requests; every public API ' +
      'at standard and maximum protection gets the WAF web ACL.',
    expires: '2027-03-15',
  }),
  noResponseCache: platformDecision({
    id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
    equivalents: ['PCI.DSS.321-APIGWCacheEnabledAndEncrypted'],
    reason:
      'Caching is opt-in: service responses are per caller and often confidential, and a cache would serve stale ' +
      'state and keep copies of the data outside the encrypted table.',
    expires: '2027-03-15',
  }),
  functionsOutsideVpc: platformDecision({
    id: 'NIST.800.53.R5-LambdaInsideVPC',
    equivalents: ['PCI.DSS.321-LambdaInsideVPC', 'ControlTower::CT.LAMBDA.PR.3'],
    reason:
      'Service functions reach only AWS APIs (DynamoDB, KMS, SQS, Secrets Manager, X-Ray) through IAM-authorized ' +
      'endpoints; with no private network dependency, a VPC would add NAT or endpoints without reducing reach.',
    expires: '2027-03-31',
  }),
  compositeChildWithoutActions: platformDecision({
    id: 'NIST.800.53.R5-CloudWatchAlarmAction',
    equivalents: ['ControlTower::CT.CLOUDWATCH.PR.1'],
    reason:
      'An SLO window alarm only feeds its burn-rate composite, which notifies the owner; actions on each window ' +
      'would page on single-window blips and twice on real burns.',
    expires: '2027-02-15',
  }),
  codeDeployManagedRole: platformDecision({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    reason:
      "CodeDeploy's role uses AWS's Limited managed policy for Lambda, which allows alias updates and hooks only on " +
      'functions and hook functions named in the deployment; AWS keeps it in step with what CodeDeploy calls.',
    expires: '2027-04-15',
  }),
  hookReportsThroughCdkGrant: platformDecision({
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    equivalents: ['PCI.DSS.321-IAMNoInlinePolicy'],
    reason:
      'aws-cdk-lib grants a CodeDeploy hook its one status-reporting action (PutLifecycleEventHookExecutionStatus on ' +
      'its own deployment group) in an inline policy; every other permission of the hook is in its managed policy.',
    expires: '2027-04-15',
  }),
  pointInTimeRecoveryInsteadOfBackupPlan: platformDecision({
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason:
      'Point-in-time recovery keeps 35 days of continuous backups of every service table; copies to a separate ' +
      'AWS Backup vault are planned with the data-protection review.',
    expires: '2027-02-28',
  }),
  alarmReaderSeesComposites: platformDecision({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "The pipeline's alarm reader may only call cloudwatch:DescribeAlarms, which returns alarm configuration and " +
      'state, never metric data. AWS allows composite alarms (the health composite the gate watches) only with it on ' +
      '*: "You can\'t return information about composite alarms if your cloudwatch:DescribeAlarms permission has a ' +
      'narrower scope." (Amazon CloudWatch API Reference, DescribeAlarms).',
    expires: '2027-05-15',
  }),
  cdkPipelinesStepGrants: platformDecision({
    id: 'AwsSolutions-IAM5[*]',
    reason:
      "CDK Pipelines grants each step's role this pipeline's artifact bucket and key (object and action wildcards), " +
      "its own CodeBuild log group and report groups, and the target accounts' CDK bootstrap roles by tag; every " +
      'wildcard stays inside this pipeline, and the gate and alarm-reader grants Keel adds are exact.',
    expires: '2027-05-15',
  }),
  cdkPipelinesInlinePolicies: platformDecision({
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    reason:
      "CDK Pipelines grants each step's role in that role's default inline policy, one role per step; moving them " +
      'into managed policies would fork CDK Pipelines, and each policy still belongs to one role only.',
    expires: '2027-05-15',
  }),
  artifactBucketAccessLogs: platformDecision({
    id: 'AwsSolutions-S1',
    equivalents: ['ControlTower::CT.S3.PR.2'],
    reason:
      "The artifact bucket is read and written only by this pipeline's roles; CloudTrail records those calls, and " +
      'server access logs would need a log bucket per pipeline that nobody reads.',
    expires: '2027-04-30',
  }),
  artifactBucketAccessLogsNist: platformDecision({
    id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
    reason:
      "The artifact bucket is read and written only by this pipeline's roles; CloudTrail records those calls, and " +
      'server access logs would need a log bucket per pipeline that nobody reads.',
    expires: '2027-04-30',
  }),
  artifactsAreRebuildable: platformDecision({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      'Pipeline artifacts are rebuilt from the commit on every run and are keyed by execution; the repository, not ' +
      'this bucket, is the copy that matters.',
    expires: '2027-04-30',
  }),
  artifactsAreWrittenOnce: platformDecision({
    id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
    equivalents: ['ControlTower::CT.S3.PR.11'],
    reason:
      'Each execution writes its artifacts under new keys and never overwrites them, and they are rebuilt from the ' +
      'commit on any run, so versions would only keep copies.',
    expires: '2027-04-30',
  }),
  artifactsNeedNoEvents: platformDecision({
    id: 'ControlTower::CT.S3.PR.4',
    reason:
      'Only this pipeline reads and writes its artifacts, and CodePipeline tracks every one of them; no process ' +
      'waits for object events, so a notification would have no receiver.',
    expires: '2027-04-30',
  }),
  artifactsExpireByLifecycle: platformDecision({
    id: 'ControlTower::CT.S3.PR.9',
    reason:
      'Artifacts are rebuilt from the commit on every run and expire by the lifecycle rule; Object Lock would keep ' +
      'them past that and cannot be turned off again on this bucket.',
    expires: '2027-04-30',
  }),
  dockerAssetsBuildPrivileged: platformDecision({
    id: 'ControlTower::CT.CODEBUILD.PR.4',
    reason:
      'Building a container image runs the Docker daemon, which CodeBuild allows only in privileged mode; CDK Pipelines ' +
      'turns it on for the image-publishing project alone, which runs cdk-assets on the assembly the synth step ' +
      "checked, never the repository's own commands.",
    expires: '2027-03-22',
  }),
  shortNonProductionLogRetention: platformDecision({
    id: 'ControlTower::CT.CLOUDWATCH.PR.2',
    reason:
      'Below a year only in dev and staging, as the team profile sets within the platform floor (at least a week in ' +
      'dev, a month in staging): they hold no production data or audit evidence. Prod always keeps a year or more.',
    expires: '2027-02-15',
  }),
  ecrAuthorizationAnyResource: platformDecision({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ecr:GetAuthorizationToken, which ECS needs to pull the image, supports no resource-level permissions; the ' +
      "pull itself is granted on the image's own repository only.",
    expires: '2027-05-22',
  }),
  plainContainerSettings: platformDecision({
    id: 'AwsSolutions-ECS2',
    reason:
      "The container's environment holds only plain settings (Powertools' service name and metric namespace, the " +
      'port, Node options, non-secret team settings); a secret-looking name or value is refused at synth, and ' +
      'secrets reach the container as ECS secrets from Secrets Manager.',
    expires: '2027-05-22',
  }),
  ecsLoadBalancerInfrastructureRole: platformDecision({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
    reason:
      "ECS shifts blue/green traffic with this role, which only ecs.amazonaws.com assumes; AWS's managed policy for " +
      'it keeps in step with the load-balancer calls ECS makes, which a hand-written copy would miss.',
    expires: '2027-05-22',
  }),
  publicSubnetsRouteToInternet: platformDecision({
    id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
    reason:
      "A container service's public subnets hold only its internet-facing load balancer, which needs the route to the " +
      'internet gateway to be reached; nothing there gets a public IP on launch, and the tasks run in isolated ' +
      'subnets with no route to the internet at all.',
    expires: '2027-03-07',
  }),
  defaultSecurityGroupHandler: platformDecision({
    id: 'ControlTower::CT.LAMBDA.PR.3',
    reason:
      "aws-cdk-lib's Custom::VpcRestrictDefaultSG function (flag @aws-cdk/aws-ec2:restrictDefaultSecurityGroup) " +
      "only removes the default security group's rules through the EC2 API while the stack deploys, and aws-cdk-lib " +
      'gives its custom resource providers no VPC setting; without it the default group stays open ' +
      '(NIST.800.53.R5-VPCDefaultSecurityGroupClosed).',
    expires: '2027-03-07',
  }),
  publicLoadBalancerOpen: platformDecision({
    id: 'AwsSolutions-EC23',
    reason:
      "An internet-facing load balancer's security group accepts its listener ports (443, and 80, which only " +
      'redirects to 443 when there is a certificate) from anywhere: that is what internet-facing means. The WAF ' +
      'web ACL filters requests at standard and maximum protection, and the tasks accept only the load balancer.',
    expires: '2027-04-07',
  }),
  httpListenerOnlyRedirects: platformDecision({
    id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired',
    reason:
      'The HTTP:80 listener serves nothing: its only action redirects every request to HTTPS:443, which uses the ' +
      "service's ACM certificate (CT.ELASTICLOADBALANCING.PR.1 asks for exactly this redirect).",
    expires: '2027-04-07',
  }),
  noCertificateOnBasicProtection: platformDecision({
    id: 'ControlTower::CT.ELASTICLOADBALANCING.PR.1',
    equivalents: ['NIST.800.53.R5-ALBHttpToHttpsRedirection', 'NIST.800.53.R5-ELBv2ACMCertificateRequired'],
    reason:
      'At basic protection (dev) a container service may run without a certificate, so its load balancer serves ' +
      'plain HTTP:80 to test traffic; standard and maximum protection refuse to build without one.',
    expires: '2027-04-07',
  }),
  noLoadBalancerDeletionProtectionOnBasicProtection: platformDecision({
    id: 'ControlTower::CT.ELASTICLOADBALANCING.PR.5',
    equivalents: ['NIST.800.53.R5-ELBDeletionProtectionEnabled'],
    reason:
      'At basic protection (dev) the load balancer holds no state and carries no production traffic, so its stack ' +
      'may be deleted and rebuilt; standard and maximum protection turn deletion protection on.',
    expires: '2027-04-07',
  }),
  noLoadBalancerWafOnBasicProtection: platformDecision({
    id: 'NIST.800.53.R5-ALBWAFEnabled',
    reason:
      'At basic protection (dev) the load balancer carries no production traffic; at standard and maximum ' +
      'protection the WAF web ACL is on by default.',
    expires: '2027-04-07',
  }),
  accessLogsCannotUseKms: platformDecision({
    id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
    equivalents: ['ControlTower::CT.S3.PR.10'],
    reason:
      'Load balancer access logs can only be written to a bucket encrypted with S3-managed keys (SSE-S3), and ' +
      'aws-cdk-lib refuses a KMS-encrypted one in logAccessLogs; the bucket is SSE-S3, SSL-only and private.',
    expires: '2027-05-07',
  }),
  accessLogBucketUnlogged: platformDecision({
    id: 'AwsSolutions-S1',
    equivalents: ['ControlTower::CT.S3.PR.2', 'NIST.800.53.R5-S3BucketLoggingEnabled'],
    reason:
      'The bucket holds the access logs themselves and only the load balancer writes to it; logging access to it ' +
      'would need a second log bucket, which would need a third. CloudTrail records the calls that manage it.',
    expires: '2027-05-07',
  }),
  accessLogsNotReplicated: platformDecision({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      "Access logs are diagnostics of one region's load balancer, kept only for the log retention; a copy in " +
      'another region would double their storage, and nothing is restored from them.',
    expires: '2027-05-07',
  }),
  accessLogsNeedNoEvents: platformDecision({
    id: 'ControlTower::CT.S3.PR.4',
    reason:
      'No process waits for new access-log objects: people read them on demand when they investigate, so an ' +
      'event notification would have no receiver.',
    expires: '2027-05-07',
  }),
  accessLogsExpireByLifecycle: platformDecision({
    id: 'ControlTower::CT.S3.PR.9',
    reason:
      'Access logs expire by the lifecycle rule after the log retention, and versioning keeps an overwritten or ' +
      'deleted log as long; Object Lock would keep them past that and cannot be turned off again on the bucket.',
    expires: '2027-05-07',
  }),
} as const satisfies Record<string, PlatformDecision>;

/** The findings on CDK Pipelines' auto-approve function behind ConfirmPermissionsBroadening, decided once. */
export const PERMISSION_REVIEW_FUNCTION_DECISIONS: readonly PlatformDecision[] = [
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'NIST.800.53.R5-LambdaConcurrency',
  'NIST.800.53.R5-LambdaDLQ',
  'Serverless-LambdaDLQ',
  'NIST.800.53.R5-LambdaInsideVPC',
  'ControlTower::CT.LAMBDA.PR.3',
].map((id) =>
  platformDecision({
    id,
    reason:
      "CDK Pipelines' own auto-approve function for the permission review: it runs once per prod release, can only " +
      'approve a change that broadens nothing or leave it to a person, and logs approval decisions only.',
    expires: '2027-05-15',
  }),
);

/** Records on `logGroup` that it keeps its events less than a year, when it does (dev and staging only). */
export function decideLogRetention(logGroup: IConstruct, retentionDays: number | undefined, owner: string): void {
  if (retentionDays !== undefined && retentionDays < ONE_YEAR_IN_DAYS) {
    decide(logGroup, DECISIONS.shortNonProductionLogRetention, owner);
  }
}

const ONE_YEAR_IN_DAYS = 365;

/** Records one of Keel's construct-level decisions on `scope`, owned by `owner`. */
export function decide(scope: IConstruct, decision: PlatformDecision, owner: string): void {
  const { equivalents = [], site, ...acknowledgment } = decision;
  for (const id of [acknowledgment.id, ...equivalents]) acknowledge(scope, { ...acknowledgment, id, owner }, site);
}
