import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { allowLogsOfThisAccount, limitGrantsToAwsServices } from '../private/key-policy';

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
 * each use, so every function's access is visible in its own policy), plus exactly three service principals, each
 * limited to this account: CloudWatch Logs, to encrypt this account's log groups; CloudWatch alarms, to publish to
 * encrypted alert topics; and SNS, to keep alerts it could not deliver in the encrypted undelivered-alerts queue.
 * A deny statement lets only AWS services create grants on the key (Control Tower's CT.KMS.PR.3).
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
    allowLogsOfThisAccount(this.key, stack.partition, stack.region, stack.account);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlertDeliveryOfThisAccount',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    limitGrantsToAwsServices(this.key);
  }
}
