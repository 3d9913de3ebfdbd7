import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, smokeTestPassed } from '../../../../constructs/delivery/hooks/post-traffic';

const codedeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
const event = { DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'hook-1' };

/** A Lambda response payload as the SDK returns it (a byte array). */
const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];

beforeEach(() => {
  codedeploy.reset();
  lambda.reset();
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  process.env.TARGET_FUNCTION = 'arn:aws:lambda:eu-west-1:111111111111:function:orders:live';
  process.env.SMOKE_EVENT = '{"httpMethod":"GET"}';
  jest.spyOn(Logger.prototype, 'info').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

function reported(): string | undefined {
  return codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input.status;
}

test('passes the deployment when the new version answers below 500', async () => {
  lambda.on(InvokeCommand).resolves({ Payload: payload('{"statusCode":404}') });
  await handler(event);
  expect(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName).toBe(process.env.TARGET_FUNCTION);
  expect(reported()).toBe('Succeeded');
  expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input).toMatchObject({
    deploymentId: 'd-1',
    lifecycleEventHookExecutionId: 'hook-1',
  });
});

test('fails the deployment when the new version answers 5xx', async () => {
  lambda.on(InvokeCommand).resolves({ Payload: payload('{"statusCode":500}') });
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

test('judges smoke responses', () => {
  expect(smokeTestPassed(undefined, '{"statusCode":200}')).toBe(true);
  expect(smokeTestPassed(undefined, '{"ok":true}')).toBe(true);
  expect(smokeTestPassed(undefined, 'not json')).toBe(false);
  expect(smokeTestPassed('Unhandled', '{"statusCode":200}')).toBe(false);
});
