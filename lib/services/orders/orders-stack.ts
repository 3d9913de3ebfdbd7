import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../../../constructs';
import type { EnvironmentConfig, ProtectionLevel, ServiceConfig, TeamConfig } from '../../config/model';

export interface OrdersStackProps extends StackProps {
  readonly service: ServiceConfig;
  readonly environment: EnvironmentConfig;
  readonly team: TeamConfig;
}

/** What changes with an environment's protection level, in one place. */
interface ProtectionSettings {
  readonly logRetention: logs.RetentionDays;
  readonly deletionProtection: boolean;
  readonly reservedConcurrency?: number;
}

const PROTECTION: Readonly<Record<ProtectionLevel, ProtectionSettings>> = {
  basic: { logRetention: logs.RetentionDays.ONE_MONTH, deletionProtection: false },
  standard: { logRetention: logs.RetentionDays.THREE_MONTHS, deletionProtection: true },
  maximum: { logRetention: logs.RetentionDays.ONE_YEAR, deletionProtection: true, reservedConcurrency: 50 },
};

const REPOSITORY_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * The orders service, written straight on aws-cdk-lib: a REST API (IAM-authorized) in front of one Lambda
 * function that stores orders in DynamoDB, all encrypted with the service's own KMS key, plus the team's
 * encrypted alert topic.
 */
export class OrdersStack extends Stack {
  public readonly key: kms.Key;
  public readonly table: dynamodb.Table;
  public readonly handler: NodejsFunction;
  public readonly api: apigateway.RestApi;
  public readonly alertTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    const { service, environment, team } = props;
    const settings = PROTECTION[environment.protection];
    const prefix = `${service.name}-${environment.name}`;

    this.key = new kms.Key(this, 'ServiceKey', {
      description: `Encrypts the data, logs, queues and alerts of ${prefix}`,
      alias: `alias/${prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishAlerts',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.table = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: settings.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const logGroup = new logs.LogGroup(this, 'HandlerLogs', {
      encryptionKey: this.key,
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${prefix} handler: its own logs, table, key and dead-letter queue only`,
    });
    // A customer-managed policy rather than an inline one: it is versioned and reviewable on its own.
    new iam.ManagedPolicy(this, 'HandlerPolicy', {
      description: `Least privilege for the ${prefix} handler`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [this.table.tableArn],
        }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }),
      ],
    });

    this.handler = new NodejsFunction(this, 'Handler', {
      entry: path.join(__dirname, 'handler.ts'),
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: path.join(REPOSITORY_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      environment: { ORDERS_TABLE_NAME: this.table.tableName },
      bundling: { minify: true, sourceMap: false, format: OutputFormat.CJS, target: 'node24' },
    });
    // Asynchronous invocations that keep failing land here instead of vanishing.
    const cfnHandler = this.handler.node.defaultChild as lambda.CfnFunction;
    cfnHandler.deadLetterConfig = { targetArn: deadLetters.queueArn };

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      encryptionKey: this.key,
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: prefix,
      description: `Orders API (${environment.name})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: environment.name,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
    });
    const integration = new apigateway.LambdaIntegration(this.handler);
    const orderModel = this.api.addModel('OrderRequest', {
      contentType: 'application/json',
      schema: {
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['customerId', 'items'],
        properties: {
          customerId: { type: apigateway.JsonSchemaType.STRING, maxLength: 64 },
          items: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, maxItems: 100 },
        },
      },
    });
    const orders = this.api.root.addResource('orders');
    const requestValidator = this.api.addRequestValidator('ValidateRequests', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    orders.addMethod('POST', integration, {
      requestValidator,
      requestModels: { 'application/json': orderModel },
    });
    orders.addResource('{orderId}').addMethod('GET', integration, {
      requestValidator,
      requestParameters: { 'method.request.path.orderId': true },
    });

    this.alertTopic = new sns.Topic(this, 'Alerts', {
      displayName: `${prefix} alerts for ${team.displayName}`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.alertTopic.addSubscription(
      team.onCallEndpoint.startsWith('https://')
        ? new subscriptions.UrlSubscription(team.onCallEndpoint)
        : new subscriptions.EmailSubscription(team.onCallEndpoint),
    );

    this.acknowledgeDecisions(team.id, environment);
  }

  /** Findings the owning team has decided to accept for now, each with its reason and expiry. */
  private acknowledgeDecisions(owner: string, environment: EnvironmentConfig): void {
    acknowledge(this.api, {
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are AWS workloads that sign requests with SigV4 and are authorized by IAM; a Cognito user pool ' +
        'would add a second identity system without adding a check.',
      owner,
      expires: '2027-05-15',
    });
    acknowledge(this.api, {
      id: 'AwsSolutions-APIG3',
      reason:
        'The API accepts only SigV4-signed requests and the stage is throttled; the WAF web ACL with AWS managed ' +
        'rule groups comes with ProductionService, which replaces this hand-written stack.',
      owner,
      expires: '2027-02-28',
    });
    if (!environment.extraRulePacks.includes('NIST.800.53.R5')) return;
    acknowledge(this.api, {
      id: 'NIST.800.53.R5-APIGWAssociatedWithWAF',
      reason: 'Same decision as AwsSolutions-APIG3: IAM-only API until ProductionService adds the WAF web ACL.',
      owner,
      expires: '2027-02-28',
    });
    acknowledge(this.api, {
      id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      reason:
        'Responses are writes and reads of single confidential orders; a cache would serve stale order state and ' +
        'keep copies of the data outside the encrypted table.',
      owner,
      expires: '2027-05-15',
    });
    acknowledge(this.api, {
      id: 'NIST.800.53.R5-APIGWSSLEnabled',
      reason:
        'Client certificates let API Gateway authenticate to HTTP backends; the only integration here is Lambda, ' +
        'invoked through IAM, so no backend could check one.',
      owner,
      expires: '2027-05-15',
    });
    acknowledge(this.handler, {
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        'The handler reaches only DynamoDB, KMS and SQS, through AWS endpoints with IAM; it has no private network ' +
        'dependency, and a VPC would add NAT or endpoints without reducing what it can reach.',
      owner,
      expires: '2027-05-15',
    });
    acknowledge(this.table, {
      id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery keeps 35 days of continuous backups; AWS Backup copies to a separate vault come ' +
        'with the data-protection defaults of ProductionService.',
      owner,
      expires: '2027-02-28',
    });
  }
}
