import {
  CodeDeployClient,
  GetDeploymentCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';

/** What CodeDeploy sends a lifecycle hook. */
export interface LifecycleHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** The smoke requests of one routed function, as the hook's SMOKE_REQUESTS variable lists them. */
export interface SmokeRequests {
  /** The function's name. */
  readonly function: string;
  /** One API Gateway proxy event per route of the function. */
  readonly events: readonly Readonly<Record<string, unknown>>[];
}

/** A function version a deployment shifts traffic to, from the deployment's AppSpec. */
export interface DeploymentTarget {
  readonly name: string;
  readonly targetVersion: string;
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
 * The functions and versions a Lambda deployment shifts to, read from its AppSpec. The AppSpec of a Lambda
 * deployment lists each function under `Resources` with `Type: AWS::Lambda::Function` and the properties `Name`,
 * `Alias`, `CurrentVersion` and `TargetVersion` (AWS CodeDeploy User Guide, "AppSpec 'resources' section (AWS Lambda
 * deployments only)"); CloudFormation writes it as JSON for the deployments its `CodeDeployLambdaAliasUpdate` starts.
 * @throws Error when the AppSpec is missing, not JSON, or names no function version.
 */
export function deploymentTargets(appSpec: string | undefined): DeploymentTarget[] {
  if (!appSpec) throw new Error('the deployment has no AppSpec content');
  const parsed = JSON.parse(appSpec) as { Resources?: Record<string, unknown>[] };
  const targets: DeploymentTarget[] = [];
  for (const entry of parsed.Resources ?? []) {
    for (const resource of Object.values(entry)) {
      const { Type, Properties } = resource as { Type?: string; Properties?: Record<string, unknown> };
      const name = Properties?.Name;
      const targetVersion = Properties?.TargetVersion;
      if (Type === 'AWS::Lambda::Function' && typeof name === 'string' && targetVersion !== undefined) {
        targets.push({ name, targetVersion: String(targetVersion) });
      }
    }
  }
  if (targets.length === 0) throw new Error('the AppSpec names no Lambda function version to test');
  return targets;
}

/** The smoke requests for `name` (a function name, or an ARN that ends with it). */
export function requestsFor(name: string, requests: readonly SmokeRequests[]): SmokeRequests | undefined {
  return requests.find((r) => r.function === name || name.endsWith(`:function:${r.function}`));
}

async function smokeTest(target: DeploymentTarget, requests: readonly SmokeRequests[]): Promise<boolean> {
  const own = requestsFor(target.name, requests);
  if (!own || own.events.length === 0) {
    logger.error('no smoke request for a function of the deployment', { target });
    return false;
  }
  for (const event of own.events) {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: target.name,
        Qualifier: target.targetVersion,
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const payload = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    const passed = smokeTestPassed(response.FunctionError, payload);
    logger.info('smoke request answered', {
      target,
      request: `${String(event.httpMethod)} ${String(event.path)}`,
      passed,
      functionError: response.FunctionError,
      payload: payload.slice(0, 500),
    });
    if (!passed) return false;
  }
  return true;
}

/**
 * CodeDeploy's post-traffic hook. It reads from the deployment itself which function versions traffic has moved to,
 * sends each of them every smoke request of its routes (SMOKE_REQUESTS), and fails the deployment (CodeDeploy then
 * rolls back) when any answers with a function error or a 5xx, or when it cannot tell.
 */
export async function handler(event: LifecycleHookEvent): Promise<void> {
  let status: 'Succeeded' | 'Failed' = 'Failed';
  try {
    const requests = JSON.parse(process.env.SMOKE_REQUESTS ?? '[]') as SmokeRequests[];
    const deployment = await codedeploy.send(new GetDeploymentCommand({ deploymentId: event.DeploymentId }));
    const revision = deployment.deploymentInfo?.revision;
    const targets = deploymentTargets(revision?.appSpecContent?.content ?? revision?.string?.content);
    let passed = true;
    for (const target of targets) passed = (await smokeTest(target, requests)) && passed;
    status = passed ? 'Succeeded' : 'Failed';
  } catch (error) {
    logger.error('smoke test could not run', { deploymentId: event.DeploymentId, error: error as Error });
  }
  await codedeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }),
  );
}
