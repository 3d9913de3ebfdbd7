import {
  CodeDeployClient,
  GetDeploymentCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { deploymentTargets, handler, smokeTestPassed } from '../../../../constructs/delivery/hooks/post-traffic';

const codedeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
const event = { DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'hook-1' };

/** A Lambda response payload as the SDK returns it (a byte array). */
const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];

/** The AppSpec CloudFormation writes for a CodeDeployLambdaAliasUpdate of one function. */
function appSpec(name: string, currentVersion: string, targetVersion: string): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        [name]: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: name, Alias: 'live', CurrentVersion: currentVersion, TargetVersion: targetVersion },
        },
      },
    ],
  });
}

const getOrder = { httpMethod: 'GET', resource: '/orders/{orderId}', path: '/orders/keel-smoke-test' };
const postOrder = { httpMethod: 'POST', resource: '/orders', path: '/orders', body: '{}' };

beforeEach(() => {
  codedeploy.reset();
  lambda.reset();
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  codedeploy.on(GetDeploymentCommand).resolves({
    deploymentInfo: {
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('orders-handler', '6', '7') } },
    },
  });
  process.env.SMOKE_REQUESTS = JSON.stringify([
    { function: 'orders-handler', events: [getOrder, postOrder] },
    { function: 'orders-reports', events: [getOrder] },
  ]);
  jest.spyOn(Logger.prototype, 'info').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

function reported(): string | undefined {
  return codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input.status;
}

test('sends every route of the function to the version the deployment shifts to, and passes below 500', async () => {
  lambda.on(InvokeCommand).resolves({ Payload: payload('{"statusCode":404}') });
  await handler(event);
  expect(codedeploy.commandCalls(GetDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-1' });
  const calls = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
  expect(calls.map((input) => [input.FunctionName, input.Qualifier])).toEqual([
    ['orders-handler', '7'],
    ['orders-handler', '7'],
  ]);
  expect(calls.map((input) => JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()))).toEqual([
    getOrder,
    postOrder,
  ]);
  expect(reported()).toBe('Succeeded');
  expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input).toMatchObject({
    deploymentId: 'd-1',
    lifecycleEventHookExecutionId: 'hook-1',
  });
});

test('fails the deployment when any route of the new version answers 5xx', async () => {
  lambda
    .on(InvokeCommand)
    .resolvesOnce({ Payload: payload('{"statusCode":200}') })
    .resolves({ Payload: payload('{"statusCode":500}') });
  await handler(event);
  expect(reported()).toBe('Failed');
});

test('fails the deployment when the new version throws', async () => {
  lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: payload('{"errorMessage":"boom"}') });
  await handler(event);
  expect(reported()).toBe('Failed');
});

test('fails the deployment when the invocation itself fails', async () => {
  lambda.on(InvokeCommand).rejects(new Error('AccessDenied'));
  await handler(event);
  expect(reported()).toBe('Failed');
});

test('fails the deployment when it shifts a function the hook has no smoke request for', async () => {
  codedeploy.on(GetDeploymentCommand).resolves({
    deploymentInfo: { revision: { appSpecContent: { content: appSpec('orders-unknown', '1', '2') } } },
  });
  lambda.on(InvokeCommand).resolves({ Payload: payload('{"statusCode":200}') });
  await handler(event);
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  expect(reported()).toBe('Failed');
});

test('fails the deployment when the deployment cannot be read', async () => {
  codedeploy.on(GetDeploymentCommand).rejects(new Error('AccessDenied'));
  await handler(event);
  expect(reported()).toBe('Failed');
});

test('reads the functions and target versions from an AppSpec, and refuses one without them', () => {
  expect(deploymentTargets(appSpec('arn:aws:lambda:eu-west-1:1:function:orders-handler', '6', '7'))).toEqual([
    { name: 'arn:aws:lambda:eu-west-1:1:function:orders-handler', targetVersion: '7' },
  ]);
  expect(() => deploymentTargets(undefined)).toThrow('no AppSpec content');
  expect(() => deploymentTargets('{"Resources":[]}')).toThrow('names no Lambda function version');
});

test('judges smoke responses', () => {
  expect(smokeTestPassed(undefined, '{"statusCode":200}')).toBe(true);
  expect(smokeTestPassed(undefined, '{"ok":true}')).toBe(true);
  expect(smokeTestPassed(undefined, 'not json')).toBe(false);
  expect(smokeTestPassed('Unhandled', '{"statusCode":200}')).toBe(false);
});
