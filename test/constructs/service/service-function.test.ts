import { type CfnElement, Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { KeelValidationError } from '../../../constructs/errors';
import { ServiceFunction } from '../../../constructs/service/service-function';
import { SecretRotation, ServiceSecret } from '../../../constructs/service/service-secret';
import { ECHO_HANDLER, testApp, testStack } from '../../helpers/app';
import { keelRefusal, refusal } from '../../helpers/refusal';
import {
  type KeyedStack,
  SERVICE_KEY_ARN,
  actionsOf,
  functionPolicyStatements,
  keyedStack,
  onlyResource,
  ordersContext,
  ordersService,
  routedOrdersService,
  withHealthRoute,
} from '../../helpers/service';

function serviceSecret({ stack, key }: KeyedStack): ServiceSecret {
  return new ServiceSecret(stack, 'ApiKey', { service: ordersContext(key), rotation: SecretRotation.randomValue() });
}

describe('by default', () => {
  const { stack, fn, template } = routedOrdersService();

  test('runs functions on the latest Node.js, arm64, with X-Ray, JSON logs at INFO, explicit memory and timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' }),
      MemorySize: 256,
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orders', POWERTOOLS_METRICS_NAMESPACE: 'Keel/Orders' }),
      },
    });
  });

  test('keeps every permission in one managed policy per function, and no inline policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('starts its policy with only its own log group, X-Ray and its dead-letter queue, through the queue only', () => {
    const logGroup = stack.getLogicalId(fn.logGroup.node.defaultChild as CfnElement);
    expect(functionPolicyStatements(stack, template, fn)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
      },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::SQS::Queue'), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key'), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  test('logs into its own log group and encrypts its environment variables, both with the service key', () => {
    const logGroup = stack.getLogicalId(fn.logGroup.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::Lambda::Function', {
      KmsKeyArn: SERVICE_KEY_ARN,
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: logGroup }, SystemLogLevel: 'WARN' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: SERVICE_KEY_ARN });
  });
});

describe('bad input', () => {
  test('fails when memory is outside 128-10240 MB', () => {
    const { svc } = ordersService();
    expect(refusal(() => svc.addFunction('Small', { entry: ECHO_HANDLER, memorySize: 64 }))).toContain(
      'Test/Service/Small memorySize: 64 MB is outside what Lambda allows',
    );
    expect(refusal(() => svc.addFunction('Big', { entry: ECHO_HANDLER, memorySize: 20480 }))).toContain(
      'use a whole number of MB from 128 to 10240',
    );
  });

  test('fails when reserved concurrency is negative', () => {
    const { svc } = ordersService();
    expect(refusal(() => svc.addFunction('Fn', { entry: ECHO_HANDLER, reservedConcurrency: -1 }))).toContain(
      'reservedConcurrency: -1 is not a whole number of 0 or more',
    );
  });

  test("fails when the handler entry file doesn't exist", () => {
    const { svc } = ordersService();
    expect(refusal(() => svc.addFunction('Fn', { entry: 'lib/services/nowhere/handler.ts' }))).toMatch(
      /Test\/Service\/Fn entry: handler file "lib\/services\/nowhere\/handler.ts" does not exist/,
    );
  });

  test('fails the synth when the timeout is outside 1 second to 15 minutes and no route calls the function', () => {
    const { stack, svc } = ordersService();
    svc.addFunction('Fn', { entry: ECHO_HANDLER, timeout: Duration.minutes(16) });
    withHealthRoute(svc);
    expect(() => Template.fromStack(stack)).toThrow(
      /Test\/Service\/Fn timeout: 16 minutes is outside what Lambda allows[\s\S]*use 1 second to 15 minutes/,
    );
  });

  test('a function no route calls may run 15 minutes, as the timeout advice says', () => {
    const { stack, svc } = ordersService();
    svc.addFunction('Fn', { entry: ECHO_HANDLER, timeout: Duration.minutes(15) });
    withHealthRoute(svc);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails the synth, naming the route, when a routed function gets a longer timeout through the escape hatch', () => {
    const { stack, svc } = ordersService();
    const fn = svc.addFunction('Handler', { entry: ECHO_HANDLER });
    svc.addRoute('GET', '/orders/{orderId}', fn);
    (fn.function.node.defaultChild as lambda.CfnFunction).timeout = 60;
    expect(() => Template.fromStack(stack)).toThrow(
      /Test\/Service\/Handler timeout: 1 minute is longer than API Gateway waits for route\(s\) GET \/orders\/\{orderId\} \(29 seconds\)[\s\S]*fix: set the timeout to 1 to 29 seconds, or hand long work to a queue/,
    );
  });

  test('fails at once when the timeout is not a whole number of seconds of 1 or more, whatever calls it', () => {
    const { svc } = ordersService();
    expect(refusal(() => svc.addFunction('Fn', { entry: ECHO_HANDLER, timeout: Duration.millis(500) }))).toContain(
      'Test/Service/Fn timeout: 500 millis is not a whole number of seconds of 1 or more, as Lambda requires',
    );
    expect(refusal(() => svc.addFunction('Zero', { entry: ECHO_HANDLER, timeout: Duration.seconds(0) }))).toContain(
      'fix: use whole seconds, at least Duration.seconds(1)',
    );
  });

  test('reports every problem at once, each with its field', () => {
    const { svc } = ordersService();
    const error = keelRefusal(() =>
      svc.addFunction('Fn', { entry: 'nowhere.ts', memorySize: 64, reservedConcurrency: -1 }),
    );
    expect(error).toBeInstanceOf(KeelValidationError);
    expect(error.problems.map((problem) => problem.where)).toEqual([
      'Test/Service/Fn entry',
      'Test/Service/Fn memorySize',
      'Test/Service/Fn reservedConcurrency',
    ]);
  });
});

describe('grants', () => {
  test('grants a function an existing table, through its key only via DynamoDB', () => {
    const { stack, svc } = ordersService();
    const key = kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:eu-west-1:111111111111:key/their-key');
    const theirs = dynamodb.Table.fromTableAttributes(stack, 'Theirs', {
      tableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/theirs',
      encryptionKey: key,
    });
    const fn = svc.addFunction('Reader', { entry: ECHO_HANDLER });
    fn.grantTableRead(theirs);
    svc.addRoute('GET', '/theirs', fn);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/theirs' }),
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: 'arn:aws:kms:eu-west-1:111111111111:key/their-key',
            Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  test('lets a function read and write a table of the service, and use the service key only through DynamoDB', () => {
    const { stack, svc } = ordersService();
    const orders = svc.addTable('Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const fn = svc.addFunction('Writer', { entry: ECHO_HANDLER });
    fn.grantTableReadWrite(orders);
    svc.addRoute('POST', '/orders', fn);
    const template = Template.fromStack(stack);
    expect(functionPolicyStatements(stack, template, fn)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:BatchGetItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::DynamoDB::Table'), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key'), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
        },
      ]),
    );
  });

  test('adds any other permission to the same managed policy, never an inline one', () => {
    const { stack, svc } = ordersService();
    const fn = svc.addFunction('Reader', { entry: ECHO_HANDLER });
    fn.allow(['s3:GetObject'], ['arn:aws:s3:::receipts/*']);
    svc.addRoute('GET', '/receipts', fn);
    const template = Template.fromStack(stack);
    expect(functionPolicyStatements(stack, template, fn)).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::receipts/*',
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('ServiceFunction.readSecret', () => {
  function readingFunction(f: KeyedStack, secret: ServiceSecret): ServiceFunction {
    const fn = new ServiceFunction(f.stack, 'Orders', {
      entry: 'lib/services/orders/handler.ts',
      service: ordersContext(f.key),
    });
    fn.readSecret(secret.secret, 'KEY_NAME');
    return fn;
  }

  test("gives the function the secret's name, not its value", () => {
    const f = keyedStack();
    const secret = serviceSecret(f);
    const fn = readingFunction(f, secret);
    const template = Template.fromStack(f.stack);

    const functionId = f.stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
    const variables = template.toJSON().Resources[functionId].Properties.Environment.Variables as Record<
      string,
      unknown
    >;
    expect(variables.KEY_NAME).toEqual(f.stack.resolve(secret.secret.secretName));
    expect(typeof variables.KEY_NAME).not.toBe('string');
  });

  test('lets the function read that one secret and decrypt it through Secrets Manager', () => {
    const f = keyedStack();
    const secret = serviceSecret(f);
    const fn = readingFunction(f, secret);
    const template = Template.fromStack(f.stack);

    const statements = functionPolicyStatements(f.stack, template, fn);
    const secretId = onlyResource(template, 'AWS::SecretsManager::Secret');

    const reads = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(reads).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secretId },
      },
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key'), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('never puts the secret value in the template', () => {
    const f = keyedStack();
    const secret = serviceSecret(f);
    readingFunction(f, secret);
    const template = Template.fromStack(f.stack);

    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('{{resolve:secretsmanager');
    for (const resource of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(resource.Properties.SecretString).toBeUndefined();
    }
  });
});

describe('built on its own', () => {
  test('sends failed asynchronous invocations to the dead-letter queue it is given, and creates none', () => {
    const f = keyedStack();
    const queue = new sqs.Queue(f.stack, 'Failures', { encryptionMasterKey: f.key });
    new ServiceFunction(f.stack, 'Fn', { service: ordersContext(f.key), entry: ECHO_HANDLER, deadLetterQueue: queue });
    const template = Template.fromStack(f.stack);
    const failures = onlyResource(template, 'AWS::SQS::Queue');
    expect(failures).toMatch(/^Failures/);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
    });
  });

  test("passes the environment variables it is given beside Keel's Powertools settings", () => {
    const f = keyedStack();
    new ServiceFunction(f.stack, 'Fn', {
      service: ordersContext(f.key),
      entry: ECHO_HANDLER,
      environment: { TABLE_NAME: 'orders' },
    });
    Template.fromStack(f.stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          TABLE_NAME: 'orders',
          POWERTOOLS_SERVICE_NAME: 'orders',
          POWERTOOLS_METRICS_NAMESPACE: 'Keel/Orders',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });
});

describe('bundling', () => {
  function s3KeyOf(stack: Stack): unknown {
    return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Code.S3Key;
  }

  test("bundles its handler in-process into the asset NodejsFunction's own esbuild run gave it, same hash", () => {
    const before = testStack(testApp());
    new NodejsFunction(before, 'Fn', {
      entry: ECHO_HANDLER,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      bundling: { minify: true, sourceMap: true, format: OutputFormat.CJS, target: 'node24' },
    });
    const after = testStack(testApp());
    new ServiceFunction(after, 'Fn', { service: ordersContext(new kms.Key(after, 'Key')), entry: ECHO_HANDLER });
    expect(s3KeyOf(after)).toBe(s3KeyOf(before));
    Template.fromStack(after).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' });
  });

  test('calls the exported function it is given, in the bundle', () => {
    const f = keyedStack();
    new ServiceFunction(f.stack, 'Fn', { service: ordersContext(f.key), entry: ECHO_HANDLER, handler: 'main' });
    Template.fromStack(f.stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.main' });
  });
});
