import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ProductionService, type ProtectionLevel, type ServiceFunctionOptions } from '../../../constructs';
import { ECHO_HANDLER, testStack, unbundledTestApp } from '../../helpers/app';
import { SERVICE_KEY_ARN, ordersService, routedOrdersService, withHealthRoute } from '../../helpers/service';
import { refusal } from '../../helpers/refusal';

describe('by default', () => {
  const { template } = routedOrdersService();

  test('creates a rotating service key with the alias alias/<service>-<env>', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-dev' });
  });

  test('logs API access as JSON to an encrypted log group with finite retention, and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'ERROR' }),
      ],
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: SERVICE_KEY_ARN, RetentionInDays: 30 });
  });

  test('requires IAM authorization and validates requests, path parameters included', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      RequestParameters: { 'method.request.path.orderId': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  test('routes the API to the live alias, and sends failed async invocations to an encrypted queue', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        Uri: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ServiceHandlerLive') }])] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      Qualifier: Match.anyValue(),
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: SERVICE_KEY_ARN });
  });

  test('records its own design decisions as acknowledgments owned by the platform team', () => {
    const { svc } = routedOrdersService();
    const acks = svc.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === 'keel:acknowledgment').map((m) => m.data as { owner: string }),
      );
    expect(acks.length).toBeGreaterThan(3);
    expect(new Set(acks.map((a) => a.owner))).toEqual(new Set(['platform']));
  });

  test('has no WAF at basic protection', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});

test('puts a WAF web ACL with AWS managed rule groups and logging in front of public APIs at standard protection', () => {
  const { template } = routedOrdersService('standard');
  template.hasResourceProperties('AWS::WAFv2::WebACL', {
    Scope: 'REGIONAL',
    Rules: Match.arrayWith([
      Match.objectLike({
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
      }),
      Match.objectLike({ Name: 'RateLimitPerIp' }),
    ]),
  });
  template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  template.hasResourceProperties('AWS::Logs::LogGroup', {
    LogGroupName: 'aws-waf-logs-orders-dev',
    KmsKeyId: SERVICE_KEY_ARN,
  });
  template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
});

test('leaves the WAF out of private APIs and when asked to', () => {
  Template.fromStack(routedOrdersService('maximum', { publicApi: false }).stack).resourceCountIs(
    'AWS::WAFv2::WebACL',
    0,
  );
  Template.fromStack(routedOrdersService('maximum', { webAcl: false }).stack).resourceCountIs('AWS::WAFv2::WebACL', 0);
});

test('reserves concurrency and keeps logs for a year at maximum protection', () => {
  const { template } = routedOrdersService('maximum');
  template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 25 });
  template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
});

describe('tables', () => {
  function table(protection: ProtectionLevel, removalPolicy?: RemovalPolicy): Template {
    const { stack, svc } = ordersService(protection);
    withHealthRoute(svc);
    svc.addTable('Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING }, removalPolicy });
    return Template.fromStack(stack);
  }

  test('are encrypted with the service key, recover to any point in time, and are retained', () => {
    const template = table('standard');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: SERVICE_KEY_ARN },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  test('may be destroyed with the stack in dev when asked for explicitly', () => {
    table('basic', RemovalPolicy.DESTROY).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    table('basic').hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  test('fails when DESTROY is asked for at staging or prod protection', () => {
    expect(refusal(() => table('standard', RemovalPolicy.DESTROY))).toMatch(
      /Test\/Service\/Orders removalPolicy: DESTROY is refused at standard protection[\s\S]*fix: leave removalPolicy out/,
    );
  });
});

describe('bad input', () => {
  test('fails when a function behind the API may run longer than API Gateway waits', () => {
    const { svc } = ordersService();
    const slow = svc.addFunction('Slow', { entry: ECHO_HANDLER, timeout: Duration.seconds(60) });
    expect(refusal(() => svc.addRoute('POST', '/reports', slow))).toMatch(
      /route POST \/reports: function Test\/Service\/Slow may run 1 minute, but API Gateway waits at most 29 seconds/,
    );
  });

  test('tells a 20-minute function behind a route to take 29 seconds, not 15 minutes, and 29 seconds passes', () => {
    const { svc } = ordersService();
    const slow = svc.addFunction('Slow', { entry: ECHO_HANDLER, timeout: Duration.minutes(20) });
    const message = refusal(() => svc.addRoute('POST', '/reports', slow));
    expect(message).toContain('may run 20 minutes, but API Gateway waits at most 29 seconds');
    expect(message).toContain("fix: set the function's timeout to 1 to 29 seconds, or hand long work to a queue");
    expect(message).not.toContain('15 minutes');

    const fixed = ordersService();
    const fn = fixed.svc.addFunction('Slow', { entry: ECHO_HANDLER, timeout: Duration.seconds(29) });
    fixed.svc.addRoute('POST', '/reports', fn);
    expect(() => Template.fromStack(fixed.stack)).not.toThrow();
  });

  test.each([
    [{ rateLimit: -5, burstLimit: 200 }, 'throttling.rateLimit: -5 is not a number of requests per second above 0'],
    [{ rateLimit: 0, burstLimit: 200 }, 'throttling.rateLimit: 0 is not a number of requests per second above 0'],
    [{ rateLimit: 100, burstLimit: 2.5 }, 'throttling.burstLimit: 2.5 is not a whole number of requests of 1 or more'],
    [{ rateLimit: 100, burstLimit: 0 }, 'throttling.burstLimit: 0 is not a whole number of requests of 1 or more'],
  ])("fails with Keel's own error, naming the field, when throttling is %j", (throttling, error) => {
    const message = refusal(() => ordersService('basic', { throttling }));
    expect(message).toContain(`Test/Service ${error}`);
    expect(message).toMatch(
      /fix: use (a number above 0, e.g. 100|a whole number of 1 or more, e.g. 200), or leave throttling out/,
    );
  });

  test('reports both throttling fields at once, and their suggested values pass', () => {
    const message = refusal(() => ordersService('basic', { throttling: { rateLimit: Number.NaN, burstLimit: -1 } }));
    expect(message).toContain('throttling.rateLimit: null is not a number');
    expect(message).toContain('throttling.burstLimit: -1 is not a whole number');
    const { stack, svc } = ordersService('basic', { throttling: { rateLimit: 100, burstLimit: 200 } });
    withHealthRoute(svc);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('allows a fractional rate and a burst below the rate, as API Gateway does', () => {
    const { stack, svc } = ordersService('basic', { throttling: { rateLimit: 10.5, burstLimit: 5 } });
    withHealthRoute(svc);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10.5, ThrottlingBurstLimit: 5 })],
    });
  });

  test('fails when the service has no route, saying how to add one', () => {
    const { stack } = ordersService();
    expect(() => Template.fromStack(stack)).toThrow(/Test\/Service: has no routes.*\n\s+fix: add one with addRoute/);
  });

  test('fails when a route is declared twice', () => {
    const { svc } = ordersService();
    const fn = svc.addFunction('Fn', { entry: ECHO_HANDLER });
    svc.addRoute('GET', '/orders', fn);
    expect(refusal(() => svc.addRoute('get', 'orders/', fn))).toContain('route GET /orders: is declared twice');
  });

  test("fails when a route's function is not one of the service's own, which would leave it without standard alarms", () => {
    const { svc } = ordersService();
    const other = new ProductionService(svc.node.scope as Stack, 'Other', {
      serviceName: 'other',
      environment: 'dev',
      protection: 'basic',
    });
    const foreign = other.addFunction('Fn', { entry: ECHO_HANDLER });
    expect(refusal(() => svc.addRoute('GET', '/orders', foreign))).toContain(
      "Test/Service route GET /orders: function Test/Other/Fn is not one of this service's functions",
    );
  });

  test('takes a dead-letter queue of its own for a function through addFunction', () => {
    const { stack, svc } = ordersService();
    const queue = new sqs.Queue(stack, 'OwnQueue', { encryption: sqs.QueueEncryption.KMS_MANAGED });
    const fn = svc.addFunction('Fn', { entry: ECHO_HANDLER, deadLetterQueue: queue });
    svc.addRoute('GET', '/orders', fn);
    expect(fn.deadLetterQueue).toBe(queue);
    expect(fn.node.tryFindChild('DeadLetters')).toBeUndefined();
  });
});

describe('extension', () => {
  test('uses an existing key instead of creating one', () => {
    const stack: Stack = testStack(unbundledTestApp());
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    const svc = new ProductionService(stack, 'Service', {
      serviceName: 'orders',
      environment: 'dev',
      protection: 'basic',
      key,
    });
    withHealthRoute(svc).addTable('Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedKey'), 'Arn'] },
      }),
    });
  });

  test('grows routes and functions after construction, and grants a function exactly one table', () => {
    const { stack, svc } = ordersService();
    const reader = svc.addFunction('Reader', { entry: ECHO_HANDLER });
    const orders = svc.addTable('Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    reader.grantTableRead(orders);
    svc.addRoute('GET', '/orders/{id}', reader);
    svc.addRoute('GET', '/orders', reader);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceOrders'), 'Arn'] },
          },
        ]),
      },
    });
  });

  test("a team subclass changes its functions' defaults, and options passed in still win", () => {
    class PaymentsService extends ProductionService {
      protected override functionDefaults(): Partial<ServiceFunctionOptions> {
        return { memorySize: 1024, logLevel: 'WARN' };
      }
    }
    const stack = testStack(unbundledTestApp());
    const svc = new PaymentsService(stack, 'Service', {
      serviceName: 'payments',
      environment: 'dev',
      protection: 'basic',
    });
    svc.addFunction('Default', { entry: ECHO_HANDLER });
    svc.addRoute('GET', '/custom', svc.addFunction('Custom', { entry: ECHO_HANDLER, memorySize: 512 }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'WARN' }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512 });
  });

  test('overrides throttling, log retention and who owns its decisions', () => {
    const { svc, template } = routedOrdersService('basic', {
      throttling: { rateLimit: 10, burstLimit: 20 },
      logRetention: logs.RetentionDays.ONE_WEEK,
      decisionOwner: 'commerce',
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    const owners = svc.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === 'keel:acknowledgment').map((m) => (m.data as { owner: string }).owner),
      );
    expect(new Set(owners)).toEqual(new Set(['commerce']));
  });
});
