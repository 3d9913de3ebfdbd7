import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Denies `kms:CreateGrant` on `key` unless the grant is for an AWS resource or an AWS service asks for it, the
 * statement AWS Control Tower's CT.KMS.PR.3 requires. Services that encrypt with the key on a caller's behalf
 * (Lambda for environment variables, DynamoDB, Secrets Manager) create their grants that way; no person or workload
 * can hand the key's use to anyone else.
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}

/**
 * Lets CloudWatch Logs in this account and region use `key` for log groups of this account only (the key policy
 * the CloudWatch Logs User Guide gives for encrypting log data with AWS KMS).
 */
export function allowLogsOfThisAccount(key: kms.Key, partition: string, region: string, account: string): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:*` },
      },
    }),
  );
}
