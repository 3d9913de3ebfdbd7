import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';

/** What CodeDeploy sends a lifecycle hook. */
export interface LifecycleHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

const codedeploy = new CodeDeployClient({});
const lambda = new LambdaClient({});
const logger = new Logger();

/**
 * Whether the response of a smoke request says the new version works: it answered without a function error and,
 * for an API Gateway proxy response, with a status below 500.
 */
export function smokeTestPassed(functionError: string | undefined, payload: string): boolean {
  if (functionError) return false;
  try {
    const body = JSON.parse(payload) as { statusCode?: unknown };
    return typeof body.statusCode !== 'number' || body.statusCode < 500;
  } catch {
    return false;
  }
}

/**
 * CodeDeploy's post-traffic hook: calls the function through its `live` alias, which now points at the new version,
 * with the smoke request from SMOKE_EVENT, and fails the deployment (CodeDeploy then rolls back) when it misbehaves.
 */
export async function handler(event: LifecycleHookEvent): Promise<void> {
  const target = process.env.TARGET_FUNCTION;
  let status: 'Succeeded' | 'Failed' = 'Failed';
  try {
    if (!target) throw new Error('TARGET_FUNCTION is not set');
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: target, Payload: Buffer.from(process.env.SMOKE_EVENT ?? '{}') }),
    );
    const payload = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    status = smokeTestPassed(response.FunctionError, payload) ? 'Succeeded' : 'Failed';
    logger.info('smoke request answered', {
      target,
      status,
      functionError: response.FunctionError,
      payload: payload.slice(0, 500),
    });
  } catch (error) {
    logger.error('smoke request failed', { target, error: error as Error });
  }
  await codedeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }),
  );
}
