import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DECISIONS, decide, decideLogRetention } from '../private/decisions';
import { KeelValidationError, problemsToMessages, type Problem } from '../errors';
import { keelNames } from '../naming';
import { queueDestination } from '../private/queue-destination';
import { bundledHandlerCode } from './bundling';
import { API_INTEGRATION_TIMEOUT_SECONDS, LAMBDA_MAX_TIMEOUT_SECONDS, LAMBDA_MIN_TIMEOUT_SECONDS } from './limits';
import { protectionDefaults } from './protection';
import type { IServiceContext } from './service-context';

export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** What a function needs from its caller; the service fills in the rest. */
export interface ServiceFunctionOptions {
  /** Path of the TypeScript handler file. */
  readonly entry: string;
  /**
   * Exported handler function.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Memory in MB, 128 to 10240.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout: 1 second to 15 minutes (Lambda's limits); a function an API route calls, at most API Gateway's 29
   * seconds. Checked at synth, when the routes are known.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency, 0 or more.
   * @default - the protection level's (25 at `maximum`, unreserved otherwise)
   */
  readonly reservedConcurrency?: number;
  /**
   * Environment variables. Never secret values: use `readSecret`, which passes the secret's name.
   * @default - only Keel's Powertools settings
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Application log level (JSON logs; Powertools Logger reads it).
   * @default 'INFO'
   */
  readonly logLevel?: ApplicationLogLevel;
  /**
   * Where the package lock is, for bundling.
   * @default - the nearest lock file upwards from the working directory, as NodejsFunction finds it
   */
  readonly depsLockFilePath?: string;
  /**
   * Receives failed asynchronous invocations.
   * @default - a new queue encrypted with the service key
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export interface ServiceFunctionProps extends ServiceFunctionOptions {
  /**
   * The service the function belongs to: its name (Powertools' service name and the metrics namespace
   * `Keel/<Service>`), protection, key (log group, dead-letter queue, environment), log retention and decision owner.
   */
  readonly service: IServiceContext;
}

const DEFAULT_MEMORY = 256;
const DEFAULT_TIMEOUT = Duration.seconds(10);

/**
 * A Lambda function from a TypeScript handler, production-ready: bundled by esbuild in-process, latest Node.js on arm64,
 * X-Ray active, JSON logs at an application log level into its own encrypted log group, explicit memory and
 * timeout, a `live` alias on the current version, failed asynchronous invocations sent to an encrypted queue, and
 * a customer-managed policy that starts with only its logs, traces and queue.
 */
export class ServiceFunction extends Construct {
  public readonly function: NodejsFunction;
  /** The `live` alias: the API and deployments go through it. */
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  /** Every permission of the function, in one reviewable customer-managed policy. */
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  public readonly deadLetterQueue: sqs.IQueue;
  public readonly timeout: Duration;
  private readonly routeList: string[] = [];

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? DEFAULT_MEMORY;
    this.timeout = props.timeout ?? DEFAULT_TIMEOUT;
    const { service } = props;
    const defaults = protectionDefaults(service.protection);
    const reservedConcurrency = props.reservedConcurrency ?? defaults.reservedConcurrency;
    checkFunctionProps(this.node.path, props.entry, memorySize, this.timeout, reservedConcurrency);
    this.node.addValidation({ validate: () => problemsToMessages(this.timeoutProblems()) });

    const retention = service.logRetention;
    this.logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: service.key, retention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${this.node.path}`,
    });
    this.deadLetterQueue =
      props.deadLetterQueue ??
      new sqs.Queue(this, 'DeadLetters', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: service.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        // Says that this queue is a dead-letter queue (Control Tower's CT.SQS.PR.1); allowAll is SQS's default.
        redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Everything ${this.node.path} may do`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    this.allowKeyVia(this.deadLetterQueue.encryptionMasterKey, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs');

    const logLevel = props.logLevel ?? 'INFO';
    const handler = props.handler ?? 'handler';
    this.function = new NodejsFunction(this, 'Function', {
      // Bundled in-process, byte for byte as NodejsFunction's own bundling (minified, source maps, CJS, node24) would.
      code: bundledHandlerCode(this, { entry: props.entry, depsLockFilePath: props.depsLockFilePath }),
      handler: handler.includes('.') ? handler : `index.${handler}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: this.timeout,
      reservedConcurrentExecutions: reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environmentEncryption: service.key,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: service.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: keelNames.metricNamespace(service.serviceName),
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    // X-Ray on the L1: aws-cdk-lib's `tracing` prop would grant through an inline policy instead of this.policy.
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
    this.function.node.addDependency(this.policy);

    this.alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version: this.function.currentVersion });
    this.alias.configureAsyncInvoke({ onFailure: queueDestination(this.deadLetterQueue), retryAttempts: 2 });

    const owner = service.decisionOwner;
    decide(this.policy, DECISIONS.xrayWriteAnyResource, owner);
    decide(this.function, DECISIONS.failuresThroughDestination, owner);
    decide(this.function, DECISIONS.functionsOutsideVpc, owner);
    decideLogRetention(this.logGroup, retention, owner);
    if (!props.deadLetterQueue) decide(this.deadLetterQueue, DECISIONS.deadLetterQueueHasNoQueue, owner);
  }

  /** The API routes that call the function, e.g. `GET /orders/{orderId}`. */
  public get routes(): readonly string[] {
    return this.routeList;
  }

  /**
   * Records that an API route (e.g. `GET /orders`) calls the function, so that its timeout must fit API Gateway's.
   * `ProductionService.addRoute` calls it.
   */
  public calledBy(route: string): void {
    this.routeList.push(route);
  }

  /**
   * The timeout against the limit that applies: API Gateway's when a route calls the function, Lambda's otherwise.
   * Read from the template, so a timeout changed through the escape hatch after a route was added is checked too.
   */
  private timeoutProblems(): Problem[] {
    const rendered = (this.function.node.defaultChild as lambda.CfnFunction).timeout;
    const seconds = rendered ?? this.timeout.toSeconds();
    if (Token.isUnresolved(seconds)) return [];
    const human = Duration.seconds(seconds).toHumanString();
    if (this.routeList.length > 0 && seconds > API_INTEGRATION_TIMEOUT_SECONDS) {
      return [
        {
          where: `${this.node.path} timeout`,
          what: `${human} is longer than API Gateway waits for route(s) ${this.routeList.join(', ')} (${API_INTEGRATION_TIMEOUT_SECONDS} seconds)`,
          fix: `set the timeout to ${LAMBDA_MIN_TIMEOUT_SECONDS} to ${API_INTEGRATION_TIMEOUT_SECONDS} seconds, or hand long work to a queue`,
        },
      ];
    }
    if (seconds < LAMBDA_MIN_TIMEOUT_SECONDS || seconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
      return [
        {
          where: `${this.node.path} timeout`,
          what: `${human} is outside what Lambda allows`,
          fix:
            this.routeList.length > 0
              ? `use ${LAMBDA_MIN_TIMEOUT_SECONDS} to ${API_INTEGRATION_TIMEOUT_SECONDS} seconds: route(s) ${this.routeList.join(', ')} call it`
              : 'use 1 second to 15 minutes',
        },
      ];
    }
    return [];
  }

  /** Allows `actions` on `resources`, in the function's managed policy. */
  public allow(actions: string[], resources: string[]): void {
    this.policy.addStatements(new iam.PolicyStatement({ actions, resources }));
  }

  /** Lets the function read items of `table` (and use its key). */
  public grantTableRead(table: dynamodb.ITable): void {
    this.allow(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [table.tableArn]);
    this.allowKeyVia(table.encryptionKey, ['kms:Decrypt'], 'dynamodb');
  }

  /** Lets the function read and write items of `table` (and use its key). */
  public grantTableReadWrite(table: dynamodb.ITable): void {
    this.allow(
      [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
      ],
      [table.tableArn],
    );
    this.allowKeyVia(table.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey'], 'dynamodb');
  }

  /**
   * Gives the function the name of `secret` in `variable` and a read grant on that one secret; never its value.
   * Handlers read it at runtime through Powertools Parameters, with caching.
   */
  public readSecret(secret: secretsmanager.ISecret, variable: string): void {
    this.function.addEnvironment(variable, secret.secretName);
    this.allow(
      ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      [secret.secretFullArn ?? `${secret.secretArn}-??????`],
    );
    this.allowKeyVia(secret.encryptionKey, ['kms:Decrypt'], 'secretsmanager');
  }

  /**
   * Lets the function use `key` only through `service` (e.g. `dynamodb`), so a grant for one kind of resource
   * cannot decrypt another's data.
   */
  public allowKeyVia(key: kms.IKey | undefined, actions: string[], service: string): void {
    if (!key) return;
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

function checkFunctionProps(
  where: string,
  entry: string,
  memorySize: number,
  timeout: Duration,
  reservedConcurrency: number | undefined,
): void {
  const problems: Problem[] = [];
  if (!fs.existsSync(path.resolve(entry))) {
    problems.push({
      where: `${where} entry`,
      what: `handler file ${JSON.stringify(entry)} does not exist (resolved to ${path.resolve(entry)})`,
      fix: "pass the path of the handler's .ts file, e.g. path.join(__dirname, 'handler.ts')",
    });
  }
  if (!Token.isUnresolved(memorySize) && (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240)) {
    problems.push({
      where: `${where} memorySize`,
      what: `${memorySize} MB is outside what Lambda allows`,
      fix: 'use a whole number of MB from 128 to 10240',
    });
  }
  // Only the lower bound here: the upper one depends on whether a route calls the function, known at synth.
  if (!timeout.isUnresolved() && (timeout.toMilliseconds() < 1000 || timeout.toMilliseconds() % 1000 !== 0)) {
    problems.push({
      where: `${where} timeout`,
      what: `${timeout.toHumanString()} is not a whole number of seconds of 1 or more, as Lambda requires`,
      fix: 'use whole seconds, at least Duration.seconds(1)',
    });
  }
  if (reservedConcurrency !== undefined && !Token.isUnresolved(reservedConcurrency)) {
    if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 0) {
      problems.push({
        where: `${where} reservedConcurrency`,
        what: `${reservedConcurrency} is not a whole number of 0 or more`,
        fix: 'use 0 to stop the function, a positive number to reserve capacity, or leave it out',
      });
    }
  }
  if (problems.length > 0) throw new KeelValidationError(`Invalid function ${where}:`, problems);
}
