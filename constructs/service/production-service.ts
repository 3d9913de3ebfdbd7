import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide, decideLogRetention } from '../private/decisions';
import { keelNames } from '../naming';
import { KeelValidationError, problemsToMessages } from '../errors';
import { ServiceKey } from '../secrets/service-key';
import { ServiceSecret, type SecretRotation } from './service-secret';
import { protectionDefaults, type ProtectionDefaults, type ProtectionLevel } from './protection';
import { ServiceAuthorization } from './service-authorization';
import { ServiceFunction, type ServiceFunctionOptions } from './service-function';
import type { IServiceContext } from './service-context';
import { ServiceWebAcl } from './service-web-acl';
import { API_INTEGRATION_TIMEOUT_SECONDS } from './limits';
import { DEFAULT_THROTTLING, throttlingProblems, type ApiThrottling } from './throttling';

export { API_INTEGRATION_TIMEOUT_SECONDS } from './limits';
export type { ApiThrottling } from './throttling';

export interface ProductionServiceProps {
  /** Kebab-case service name. */
  readonly serviceName: string;
  /** Environment name: the API stage name and part of the key alias. */
  readonly environment: string;
  /** Every difference between environments comes from this. */
  readonly protection: ProtectionLevel;
  /**
   * The key that encrypts everything the service stores.
   * @default - a new ServiceKey, alias `alias/<serviceName>-<environment>`
   */
  readonly key?: kms.IKey;
  /**
   * Who may call the API.
   * @default ServiceAuthorization.iam()
   */
  readonly authorization?: ServiceAuthorization;
  /**
   * Whether the API is reachable from the internet (a regional endpoint).
   * @default true
   */
  readonly publicApi?: boolean;
  /**
   * Put a WAF web ACL with AWS managed rule groups in front of a public API.
   * @default - at standard and maximum protection (staging, prod)
   */
  readonly webAcl?: boolean;
  /**
   * Stage-wide throttling.
   * @default - 100 requests per second, bursts of 200
   */
  readonly throttling?: ApiThrottling;
  /**
   * How long API access logs and function logs are kept.
   * @default - the protection level's (1 month, 3 months, 1 year)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The team that owns Keel's construct-level acknowledgments.
   * @default 'platform'
   */
  readonly decisionOwner?: string;
}

/** A method and path of the API and the function behind it. */
export interface ServiceRoute {
  /** Upper case, e.g. `GET`. */
  readonly method: string;
  /** Normalized, e.g. `/orders/{orderId}`. */
  readonly path: string;
  readonly function: ServiceFunction;
}

/** A route's request checks on top of its path parameters. */
export interface RouteOptions {
  /**
   * JSON schema the request body must match.
   * @default - no body check
   */
  readonly requestSchema?: apigateway.JsonSchema;
}

export interface ServiceTableProps {
  readonly partitionKey: dynamodb.Attribute;
  /**
   * @default - no sort key
   */
  readonly sortKey?: dynamodb.Attribute;
  /**
   * Attribute holding each item's expiry time (epoch seconds).
   * @default - items never expire
   */
  readonly timeToLiveAttribute?: string;
  /**
   * `RemovalPolicy.DESTROY` deletes the table with its stack; allowed only at basic protection (dev).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse deletion of the table (DynamoDB deletion protection).
   * @default - at standard and maximum protection
   */
  readonly deletionProtection?: boolean;
}

/**
 * A production-ready serverless API service: an authorized, validated, throttled, logged and (when public)
 * WAF-protected REST API in front of Lambda functions, DynamoDB tables and secrets, all encrypted with the
 * service's own KMS key. Grow it with `addFunction`, `addRoute`, `addTable` and `addSecret`; subclass it and
 * override `functionDefaults()` or `tableDefaults()` to change a team's defaults.
 */
export class ProductionService extends Construct implements IServiceContext {
  public readonly serviceName: string;
  public readonly environment: string;
  public readonly protection: ProtectionLevel;
  private readonly functionList: ServiceFunction[] = [];
  private readonly routedFunctionSet = new Set<ServiceFunction>();
  private readonly tableList: dynamodb.Table[] = [];
  private readonly routeList: ServiceRoute[] = [];
  public readonly key: kms.IKey;
  public readonly api: apigateway.RestApi;
  public readonly accessLogs: logs.LogGroup;
  /** The WAF web ACL, when the API has one. */
  public readonly webAcl?: ServiceWebAcl;
  public readonly authorization: ServiceAuthorization;
  private readonly defaults: ProtectionDefaults;
  /** How long every log group of the service keeps its events. */
  public readonly logRetention: logs.RetentionDays;
  /** The team that owns Keel's construct-level acknowledgments of this service. */
  public readonly decisionOwner: string;
  /** `<service>-<env>`. */
  public readonly qualifiedName: string;
  private readonly requestValidator: apigateway.RequestValidator;

  constructor(scope: Construct, id: string, props: ProductionServiceProps) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.environment = props.environment;
    this.protection = props.protection;
    this.defaults = protectionDefaults(props.protection);
    this.logRetention = props.logRetention ?? this.defaults.logRetention;
    this.decisionOwner = props.decisionOwner ?? DEFAULT_DECISION_OWNER;
    this.qualifiedName = keelNames.qualified(props.serviceName, props.environment);
    this.key =
      props.key ?? new ServiceKey(this, 'Key', { serviceName: props.serviceName, environment: props.environment }).key;
    this.authorization = props.authorization ?? ServiceAuthorization.iam();

    const throttling = props.throttling ?? DEFAULT_THROTTLING;
    const throttlingErrors = throttlingProblems(`${this.node.path} throttling`, throttling);
    if (throttlingErrors.length > 0) {
      throw new KeelValidationError(`Invalid throttling on ${this.node.path}:`, throttlingErrors);
    }
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { encryptionKey: this.key, retention: this.logRetention });
    decideLogRetention(this.accessLogs, this.logRetention, this.decisionOwner);
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: this.qualifiedName,
      description: `${props.serviceName} API (${props.environment})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.environment,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
    });
    this.requestValidator = this.api.addRequestValidator('ValidateRequests', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const publicApi = props.publicApi ?? true;
    if (publicApi && (props.webAcl ?? this.defaults.webAcl)) {
      this.webAcl = new ServiceWebAcl(this, 'WebAcl', {
        stage: this.api.deploymentStage,
        name: this.qualifiedName,
        key: this.key,
        logRetention: this.logRetention,
      });
    } else if (publicApi && props.webAcl === undefined) {
      decide(this.api, DECISIONS.noWafOnBasicProtection, this.decisionOwner);
    }
    this.node.addValidation({
      validate: () =>
        this.routes.length > 0
          ? []
          : problemsToMessages([
              {
                where: this.node.path,
                what: 'has no routes: an API Gateway API without methods cannot deploy',
                fix: 'add one with addRoute(method, path, fn)',
              },
            ]),
    });
    if (this.authorization.kind === 'iam') decide(this.api, DECISIONS.iamAuthorization, this.decisionOwner);
    decide(this.api, DECISIONS.lambdaOnlyIntegrations, this.decisionOwner);
    decide(this.api, DECISIONS.noResponseCache, this.decisionOwner);
  }

  /** Every function of the service, secrets' rotation functions included. */
  public get functions(): readonly ServiceFunction[] {
    return this.functionList;
  }

  /** The functions behind routes: their failures are the users' failures. */
  public get routedFunctions(): ReadonlySet<ServiceFunction> {
    return this.routedFunctionSet;
  }

  public get tables(): readonly dynamodb.Table[] {
    return this.tableList;
  }

  /** Every route of the API, in the order they were added. */
  public get routes(): readonly ServiceRoute[] {
    return this.routeList;
  }

  /**
   * Defaults for every function of this service; a subclass overrides this to change a team's defaults.
   * Options passed to `addFunction` win over these.
   */
  protected functionDefaults(): Partial<ServiceFunctionOptions> {
    return {};
  }

  /**
   * Defaults for every table of this service; a subclass overrides this to change a team's defaults.
   * Props passed to `addTable` win over these.
   */
  protected tableDefaults(): Partial<ServiceTableProps> {
    return {};
  }

  /** Adds a function built from a TypeScript handler, with the service's key, protection and log retention. */
  public addFunction(id: string, options: ServiceFunctionOptions): ServiceFunction {
    const fn = new ServiceFunction(this, id, {
      ...this.functionDefaults(),
      ...options,
      service: this,
    });
    this.functionList.push(fn);
    return fn;
  }

  /**
   * Routes `method path` to `fn`'s live alias, with the service's authorization and request validation. Path
   * parameters (`/orders/{orderId}`) are required.
   * @throws KeelValidationError when the route exists already or the function may run longer than the API waits.
   */
  public addRoute(method: string, path: string, fn: ServiceFunction, options: RouteOptions = {}): apigateway.Method {
    const verb = method.toUpperCase();
    const normalized = `/${path
      .split('/')
      .filter((part) => part !== '')
      .join('/')}`;
    const route = `${verb} ${normalized}`;
    const problems = [];
    if (!this.functionList.includes(fn)) {
      problems.push({
        where: `${this.node.path} route ${route}`,
        what: `function ${fn.node.path} is not one of this service's functions, so it would get no standard alarms`,
        fix: "create it with this service's addFunction(id, options) (options take a deadLetterQueue of your own)",
      });
    }
    if (this.routes.some((r) => r.method === verb && r.path === normalized)) {
      problems.push({
        where: `${this.node.path} route ${route}`,
        what: 'is declared twice',
        fix: 'declare each method and path once; route different work by method or path',
      });
    }
    if (fn.timeout.toSeconds() > API_INTEGRATION_TIMEOUT_SECONDS) {
      problems.push({
        where: `${this.node.path} route ${route}`,
        what: `function ${fn.node.path} may run ${fn.timeout.toHumanString()}, but API Gateway waits at most ${API_INTEGRATION_TIMEOUT_SECONDS} seconds`,
        fix: `set the function's timeout to 1 to ${API_INTEGRATION_TIMEOUT_SECONDS} seconds, or hand long work to a queue`,
      });
    }
    if (problems.length > 0) throw new KeelValidationError(`Invalid route on ${this.node.path}:`, problems);
    this.routeList.push({ method: verb, path: normalized, function: fn });
    this.routedFunctionSet.add(fn);
    fn.calledBy(route);

    const resource = this.api.root.resourceForPath(normalized);
    const pathParameters = [...normalized.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]);
    const modelName = `${verb.charAt(0)}${verb.slice(1).toLowerCase()}${normalized.replace(/[^A-Za-z0-9]/g, '')}Request`;
    // No test-invoke permission: the console's test button is not a caller production needs to allow.
    const apiMethod = resource.addMethod(verb, new apigateway.LambdaIntegration(fn.alias, { allowTestInvoke: false }), {
      ...this.authorization.methodOptions(this),
      requestValidator: this.requestValidator,
      requestParameters: Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
      ...(options.requestSchema
        ? {
            requestModels: {
              'application/json': this.api.addModel(modelName, {
                contentType: 'application/json',
                modelName,
                schema: options.requestSchema,
              }),
            },
          }
        : {}),
    });
    // API Gateway may invoke the function for this account's API only: aws-cdk-lib sets the source ARN as a joined
    // string, which Control Tower's CT.LAMBDA.PR.2 cannot read; the account, a literal, it can.
    for (const permission of apiMethod.node.findAll().filter((c) => c instanceof lambda.CfnPermission)) {
      (permission as lambda.CfnPermission).sourceAccount = Stack.of(this).account;
    }
    return apiMethod;
  }

  /**
   * Adds a DynamoDB table encrypted with the service key, with point-in-time recovery, deletion protection at
   * standard and maximum protection, and RETAIN unless DESTROY is asked for at basic protection.
   */
  public addTable(id: string, tableProps: ServiceTableProps): dynamodb.Table {
    const props = { ...this.tableDefaults(), ...tableProps };
    if (props.removalPolicy === RemovalPolicy.DESTROY && !this.defaults.allowDestroy) {
      throw new KeelValidationError(`Invalid table ${this.node.path}/${id}:`, [
        {
          where: `${this.node.path}/${id} removalPolicy`,
          what: `DESTROY is refused at ${this.protection} protection: deleting the stack would delete the data`,
          fix: 'leave removalPolicy out (RETAIN); DESTROY is allowed only at basic protection (dev)',
        },
      ]);
    }
    const table = new dynamodb.Table(this, id, {
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      timeToLiveAttribute: props.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? this.defaults.deletionProtection,
      removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    decide(table, DECISIONS.pointInTimeRecoveryInsteadOfBackupPlan, this.decisionOwner);
    this.tableList.push(table);
    return table;
  }

  /** Adds a secret encrypted with the service key that rotates as `rotation` says. */
  public addSecret(id: string, rotation: SecretRotation, description?: string): ServiceSecret {
    const secret = new ServiceSecret(this, id, { service: this, rotation, description });
    if (secret.rotationFunction) this.functionList.push(secret.rotationFunction);
    return secret;
  }
}
