import * as path from 'node:path';
import { Annotations, AspectPriority, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Alarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import type { ServiceMonitoring } from '../observability/service-monitoring';
import { criticalAlarms, markRollback, rollbackAlarms } from './rollback-alarms';
import { DECISIONS, decide } from '../private/decisions';
import { KeelValidationError, problemsToMessages, type Problem } from '../errors';
import type { ProductionService, ServiceRoute } from '../service/production-service';
import type { ProtectionLevel } from '../service/protection';
import { ServiceFunction } from '../service/service-function';
import { DEFAULT_STRATEGIES, DeploymentStrategy, strategyProblems } from '../service/deployment-strategy';

// The strategy lives in the service room, so the container service can read it at construction; its home was here.
export { DEFAULT_STRATEGIES, DeploymentStrategy, strategyProblems } from '../service/deployment-strategy';

/** An API Gateway proxy event, as a routed function receives it. */
export type SmokeEvent = Readonly<Record<string, unknown>>;

/** What the smoke request puts in every path parameter; a handler answers it with a 4xx, never a 5xx. */
export const SMOKE_PARAMETER = 'keel-smoke-test';
const SMOKE_USER_AGENT = 'keel-post-traffic-hook';

/** Room for the hook's SMOKE_REQUESTS within Lambda's 4 KB of environment variables, beside Keel's own. */
const MAX_SMOKE_REQUESTS_BYTES = 3_500;

/** CodeDeploy watches at most 10 alarms per deployment group. */
export const MAX_DEPLOYMENT_ALARMS = 10;

export interface CanaryDeploymentProps {
  /** The service's monitoring: its critical alarms and health composite stop and roll back deployments. */
  readonly monitoring: ServiceMonitoring;
  /**
   * How new versions take over.
   * @default - DEFAULT_STRATEGIES for the service's protection level
   */
  readonly strategy?: DeploymentStrategy;
  /**
   * Call the API through the new version after the traffic shift, and fail the deployment when it answers 5xx.
   * @default - at maximum protection (prod)
   */
  readonly postTrafficHook?: boolean;
  /**
   * The request the post-traffic hook sends every routed function instead of the default, as the function receives it.
   * @default - for each route of the function, a request shaped like API Gateway's (method, resource, path with
   * placeholder parameters, an empty JSON body for POST, PUT and PATCH)
   */
  readonly smokeEvent?: SmokeEvent;
  /**
   * The alarms that stop and roll back a deployment.
   * @default - every critical metric alarm of the service, then its composites (health, SLO burn) while there is room
   */
  readonly alarms?: readonly IAlarm[];
}

/**
 * Shifts traffic to each new version of the service's routed functions through CodeDeploy on their `live` alias,
 * and rolls back automatically when a deployment fails, is stopped, or trips an alarm.
 *
 * The deployment groups, their alarms and the hook's requests are built just in time, when synth runs, from the
 * service's routes and the monitoring's alarms as they are then: routes and alarms added after the deployment count.
 */
export class CanaryDeployment extends Construct {
  public readonly application: codedeploy.LambdaApplication;
  /** One per routed function; filled when synth builds the deployment (or `buildDeploymentGroups()` is called). */
  public readonly deploymentGroups: codedeploy.LambdaDeploymentGroup[] = [];
  public readonly strategy: DeploymentStrategy;
  /** The post-traffic hook function, when there is one. */
  public readonly hook?: ServiceFunction;
  /** The role CodeDeploy works with. */
  public readonly role: iam.Role;
  private readonly props: CanaryDeploymentProps;
  private readonly config: codedeploy.ILambdaDeploymentConfig;
  /** What the deployment groups were built from, once built: the routes, and the alarms when they are the default. */
  private builtFrom?: { routes: number; alarms?: number };

  constructor(scope: Construct, id: string, props: CanaryDeploymentProps) {
    super(scope, id);
    this.props = props;
    const service = props.monitoring.service;
    markRollback(this, service);
    const qualified = service.qualifiedName;
    this.strategy = props.strategy ?? DEFAULT_STRATEGIES[service.protection];
    checkDeployment(this.node.path, this.strategy, props.alarms, service.protection);

    this.config = deploymentConfig(this, this.strategy);
    this.application = new codedeploy.LambdaApplication(this, 'Application', { applicationName: qualified });

    if (props.postTrafficHook ?? service.protection === 'maximum') {
      this.hook = new ServiceFunction(this, 'PostTrafficHook', {
        entry: path.join(__dirname, 'hooks', 'post-traffic.ts'),
        service,
        timeout: Duration.seconds(60),
        reservedConcurrency: service.protection === 'maximum' ? 2 : undefined,
      });
      decide(this.hook.role, DECISIONS.hookReportsThroughCdkGrant, service.decisionOwner);
    }

    // One role for the service's deployment groups. aws-cdk-lib would grant the hook through an inline policy with
    // a version wildcard; here the grant is one exact statement in a managed policy.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSCodeDeployRoleForLambdaLimited')],
      description: `Shifts traffic of ${qualified} through CodeDeploy`,
    });
    decide(this.role, DECISIONS.codeDeployManagedRole, service.decisionOwner);
    if (this.hook) {
      new iam.ManagedPolicy(this, 'InvokeHook', {
        roles: [this.role],
        statements: [
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.hook.function.functionArn] }),
        ],
      });
    }
    Aspects.of(this).add({ visit: () => this.buildDeploymentGroups() }, { priority: AspectPriority.MUTATING });
    this.node.addValidation({ validate: () => this.lateAdditionProblems() });
  }

  /** Routes and critical alarms added after an early `buildDeploymentGroups()`: they would be left out in silence. */
  private lateAdditionProblems(): string[] {
    const built = this.builtFrom;
    const { monitoring } = this.props;
    if (!built) return [];
    const problems: Problem[] = [];
    if (built.routes !== monitoring.service.routes.length) {
      problems.push({
        where: this.node.path,
        what: `${monitoring.service.node.path} got routes after the deployment groups were built, so CodeDeploy does not shift their functions' traffic and the hook does not call them`,
        fix: 'call buildDeploymentGroups() only after every route is added, or leave it to synth',
      });
    }
    if (built.alarms !== undefined && built.alarms !== criticalAlarms(monitoring).length) {
      problems.push({
        where: this.node.path,
        what: `${monitoring.node.path} got critical alarms after the deployment groups were built, so they do not roll deployments back`,
        fix: 'call buildDeploymentGroups() only after every alarm is added, or leave it to synth',
      });
    }
    return problemsToMessages(problems);
  }

  /**
   * Builds a deployment group for every routed function, watching the rollback alarms, and tells the hook what to
   * send; synth calls it. Call it yourself only to read `deploymentGroups` before synth.
   * @throws KeelValidationError when the default rollback alarms do not fit CodeDeploy's limit.
   */
  public buildDeploymentGroups(): void {
    if (this.builtFrom) return;
    const { monitoring } = this.props;
    const service = monitoring.service;
    monitoring.buildStandardAlarms();
    this.builtFrom = {
      routes: service.routes.length,
      ...(this.props.alarms ? {} : { alarms: criticalAlarms(monitoring).length }),
    };
    const alarms = this.props.alarms ?? defaultAlarms(monitoring, this);
    for (const fn of service.routedFunctions) {
      const group = new codedeploy.LambdaDeploymentGroup(this, `${fn.node.id}Deployment`, {
        application: this.application,
        alias: fn.alias,
        deploymentConfig: this.config,
        alarms: [...alarms],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        role: this.role.withoutPolicyUpdates(),
        ...(this.hook ? { postHook: this.hook.function } : {}),
      });
      this.deploymentGroups.push(group);
    }
    if (this.hook) this.configureHook(this.hook, service, this.props.smokeEvent);
  }

  /**
   * The hook learns from each deployment which function and version it shifts to, so it never refers to an alias:
   * the alias refers to the hook (its update policy names it), and a reference back would be a circular dependency.
   * It may read this service's deployments and invoke exactly the versions this template deploys.
   */
  private configureHook(hook: ServiceFunction, service: ProductionService, smokeEvent?: SmokeEvent): void {
    const requests = [...service.routedFunctions].map((fn) => ({
      function: fn.function.functionName,
      events: smokeEvent
        ? [smokeEvent]
        : service.routes.filter((route) => route.function === fn).map((route) => smokeRequest(route)),
    }));
    // Function names are tokens here; at their longest (64 characters) the list must fit Lambda's 4 KB of variables.
    const longest = JSON.stringify(requests.map((r) => ({ ...r, function: 'f'.repeat(64) }))).length;
    if (longest > MAX_SMOKE_REQUESTS_BYTES) {
      throw new KeelValidationError(`Invalid deployment ${this.node.path}:`, [
        {
          where: `${this.node.path} post-traffic hook`,
          what: `the smoke requests for ${service.routes.length} routes take up to ${longest} bytes; Lambda allows 4 KB of environment variables in all`,
          fix: 'pass smokeEvent: one request that every routed function accepts, sent to each of them',
        },
      ]);
    }
    hook.function.addEnvironment('SMOKE_REQUESTS', Stack.of(this).toJsonString(requests));
    hook.allow(
      ['codedeploy:GetDeployment'],
      this.deploymentGroups.map((group) => group.deploymentGroupArn),
    );
    hook.allow(
      ['lambda:InvokeFunction'],
      [...service.routedFunctions].map((fn) => fn.alias.version.functionArn),
    );
  }
}

/** A request as API Gateway would hand it to the function for `route`, with placeholder path parameters. */
export function smokeRequest(route: ServiceRoute): SmokeEvent {
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => [match[1], SMOKE_PARAMETER]),
  );
  const sendsBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  return {
    httpMethod: route.method,
    resource: route.path,
    path: route.path.replace(/\{[^}]+\}/g, SMOKE_PARAMETER),
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    queryStringParameters: null,
    headers: { 'content-type': 'application/json', 'user-agent': SMOKE_USER_AGENT },
    body: sendsBody ? '{}' : null,
    isBase64Encoded: false,
    requestContext: { requestId: 'keel-post-traffic-hook' },
  };
}

/**
 * The rollback alarms: every critical metric alarm first, then the composites (health, SLO burn rates) while there is
 * room. AWS documents CodeDeploy's alarm configuration for metric alarms and says nothing of composite alarms (see
 * README, "What AWS documents about the rollback signals"), so no critical signal may rest on a composite alone.
 * @throws KeelValidationError when the critical metric alarms alone are more than CodeDeploy watches.
 */
function defaultAlarms(monitoring: ServiceMonitoring, scope: Construct): IAlarm[] {
  const where = scope.node.path;
  const ordered = rollbackAlarms(monitoring);
  const metricAlarms = ordered.filter((a) => a.alarm instanceof Alarm);
  if (metricAlarms.length > MAX_DEPLOYMENT_ALARMS) {
    throw new KeelValidationError(`Invalid deployment ${where}:`, [
      {
        where: `${where} alarms`,
        what: `${metricAlarms.length} critical metric alarms; CodeDeploy watches at most ${MAX_DEPLOYMENT_ALARMS}, and AWS does not document that it evaluates composite alarms`,
        fix: 'make some of them warnings, or pass the alarms that must roll a deployment back as `alarms` (at most 10)',
      },
    ]);
  }
  const dropped = ordered.slice(MAX_DEPLOYMENT_ALARMS);
  if (dropped.length > 0) {
    Annotations.of(scope).addWarningV2(
      '@keel/delivery:rollbackAlarmsDropped',
      `CodeDeploy watches at most ${MAX_DEPLOYMENT_ALARMS} alarms, so the deployment does not watch ${dropped.map((a) => a.name).join(', ')}; every critical metric alarm is watched. Pass \`alarms\` to choose the ${MAX_DEPLOYMENT_ALARMS} yourself.`,
    );
  }
  return ordered.slice(0, MAX_DEPLOYMENT_ALARMS).map((a) => a.alarm);
}

function deploymentConfig(scope: Construct, strategy: DeploymentStrategy): codedeploy.ILambdaDeploymentConfig {
  const minutes = strategy.interval.toMinutes();
  if (strategy.kind === 'all-at-once') return codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE;
  if (strategy.kind === 'canary' && strategy.percent === 10 && minutes === 5) {
    return codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES;
  }
  if (strategy.kind === 'linear' && strategy.percent === 10 && minutes === 1) {
    return codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE;
  }
  return new codedeploy.LambdaDeploymentConfig(scope, 'Config', {
    trafficRouting:
      strategy.kind === 'canary'
        ? codedeploy.TrafficRouting.timeBasedCanary({ interval: strategy.interval, percentage: strategy.percent })
        : codedeploy.TrafficRouting.timeBasedLinear({ interval: strategy.interval, percentage: strategy.percent }),
  });
}

/** Checks the strategy and, when given, the alarms; the default alarms are checked when they are built. */
function checkDeployment(
  where: string,
  strategy: DeploymentStrategy,
  alarms: readonly IAlarm[] | undefined,
  protection: ProtectionLevel,
): void {
  const problems = strategyProblems(strategy, `${where} strategy`);
  if (alarms === undefined) {
    if (problems.length > 0) throw new KeelValidationError(`Invalid deployment ${where}:`, problems);
    return;
  }
  if (protection === 'maximum' && alarms.length === 0) {
    problems.push({
      where: `${where} alarms`,
      what: 'a production deployment without rollback alarms is refused',
      fix: 'leave alarms out (the health composite and critical alarms are used), or pass at least one alarm',
    });
  }
  if (alarms.length > MAX_DEPLOYMENT_ALARMS) {
    problems.push({
      where: `${where} alarms`,
      what: `${alarms.length} alarms; CodeDeploy watches at most ${MAX_DEPLOYMENT_ALARMS}`,
      fix: 'pass at most 10: the critical metric alarms that must roll a deployment back (AWS documents no composite alarms here)',
    });
  }
  if (problems.length > 0) throw new KeelValidationError(`Invalid deployment ${where}:`, problems);
}
