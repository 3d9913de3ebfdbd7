import type { IConstruct } from 'constructs';
import { acknowledge } from '../governance/acknowledge';

/** A finding Keel's own constructs accept by design, reviewed by the platform team before it expires. */
export interface PlatformDecision {
  readonly id: string;
  readonly reason: string;
  readonly expires: string;
}

/** The team that owns Keel's construct-level decisions, unless a construct's props name another. */
export const DEFAULT_DECISION_OWNER = 'platform';

export const DECISIONS = {
  xrayWriteAnyResource: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; the statement grants ' +
      'only those two write actions.',
    expires: '2027-05-15',
  },
  failuresThroughDestination: {
    id: 'NIST.800.53.R5-LambdaDLQ',
    reason:
      "Asynchronous failures go to the service's encrypted SQS queue through the live alias's on-failure destination, " +
      'which carries the error and request context; a DeadLetterConfig as well would deliver every failure twice.',
    expires: '2027-05-15',
  },
  deadLetterQueueHasNoQueue: {
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the functions' dead-letter queue; giving a dead-letter queue its own dead-letter queue only moves " +
      'the messages nobody reads.',
    expires: '2027-05-15',
  },
  lambdaOnlyIntegrations: {
    id: 'NIST.800.53.R5-APIGWSSLEnabled',
    reason:
      "Client certificates let API Gateway authenticate to HTTP backends; ProductionService's only integrations are " +
      'its own Lambda aliases, invoked through IAM, so no backend could check one.',
    expires: '2027-05-15',
  },
  iamAuthorization: {
    id: 'AwsSolutions-COG4',
    reason:
      "ProductionService's default callers are AWS workloads signing with SigV4 and authorized by IAM; a Cognito " +
      'user pool authorizer is one prop away (ServiceAuthorization.cognito) for APIs that serve people.',
    expires: '2027-05-15',
  },
  noWafOnBasicProtection: {
    id: 'AwsSolutions-APIG3',
    reason:
      'At basic protection (dev) the API carries no production traffic and only signed requests; every public API ' +
      'at standard and maximum protection gets the WAF web ACL.',
    expires: '2027-05-15',
  },
  noResponseCache: {
    id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
    reason:
      'Caching is opt-in: service responses are per caller and often confidential, and a cache would serve stale ' +
      'state and keep copies of the data outside the encrypted table.',
    expires: '2027-05-15',
  },
  functionsOutsideVpc: {
    id: 'NIST.800.53.R5-LambdaInsideVPC',
    reason:
      'Service functions reach only AWS APIs (DynamoDB, KMS, SQS, Secrets Manager, X-Ray) through IAM-authorized ' +
      'endpoints; with no private network dependency, a VPC would add NAT or endpoints without reducing reach.',
    expires: '2027-05-15',
  },
  compositeChildWithoutActions: {
    id: 'NIST.800.53.R5-CloudWatchAlarmAction',
    reason:
      'An SLO window alarm only feeds its burn-rate composite, which notifies the owner; actions on each window ' +
      'would page on single-window blips and twice on real burns.',
    expires: '2027-05-15',
  },
  codeDeployManagedRole: {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    reason:
      "CodeDeploy's role uses AWS's Limited managed policy for Lambda, which allows alias updates and hooks only on " +
      'functions and hook functions named in the deployment; AWS keeps it in step with what CodeDeploy calls.',
    expires: '2027-05-15',
  },
  hookReportsThroughCdkGrant: {
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    reason:
      'aws-cdk-lib grants a CodeDeploy hook its one status-reporting action (PutLifecycleEventHookExecutionStatus on ' +
      'its own deployment group) in an inline policy; every other permission of the hook is in its managed policy.',
    expires: '2027-05-15',
  },
  pointInTimeRecoveryInsteadOfBackupPlan: {
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason:
      'Point-in-time recovery keeps 35 days of continuous backups of every service table; copies to a separate ' +
      'AWS Backup vault are planned with the data-protection review.',
    expires: '2027-02-28',
  },
} as const satisfies Record<string, PlatformDecision>;

/** Records one of Keel's construct-level decisions on `scope`, owned by `owner`. */
export function decide(scope: IConstruct, decision: PlatformDecision, owner: string): void {
  acknowledge(scope, { ...decision, owner });
}
