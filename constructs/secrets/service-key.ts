import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ServiceKeyProps {
  /** Kebab-case service name. */
  readonly serviceName: string;
  /** Environment name; the alias is `alias/<serviceName>-<environment>`. */
  readonly environment: string;
  /**
   * What happens to the key when its stack is deleted.
   * @default RemovalPolicy.RETAIN - data encrypted with a deleted key is lost for good
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The KMS key that encrypts everything a service stores: tables, queues, logs, secrets, alert topics.
 *
 * Rotation is on. The key policy is aws-cdk-lib's default (the account administers the key and IAM policies grant
 * each use, so every function's access is visible in its own policy), plus exactly two service principals, each
 * limited to this account: CloudWatch Logs, to encrypt this account's log groups, and CloudWatch alarms, to
 * publish to encrypted alert topics.
 */
export class ServiceKey extends Construct {
  public readonly key: kms.Key;
  public readonly alias: kms.IAlias;

  constructor(scope: Construct, id: string, props: ServiceKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the data, logs, queues, secrets and alerts of ${props.serviceName}-${props.environment}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.alias = this.key.addAlias(`alias/${props.serviceName}-${props.environment}`);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
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
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
