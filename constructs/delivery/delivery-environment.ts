import { Duration, Token, type Stage } from 'aws-cdk-lib';
import type { Problem } from '../errors';
import type { ProtectionLevel } from '../service/protection';
import { deploymentWindowProblems, type DeploymentWindow } from './deployment-window';

/** The longest a gate may bake: a stage that needs more wants a person, not a pipeline. */
export const MAX_BAKE = Duration.days(1);

/** How long `keel gate` bakes a stage by default, by protection level; dev (basic) has no bake. */
export const DEFAULT_BAKE: Readonly<Record<ProtectionLevel, Duration | undefined>> = {
  basic: undefined,
  standard: Duration.minutes(3),
  maximum: Duration.minutes(10),
};

/** One place an environment deploys to: a Stage of stacks, and the role through which its alarms are read. */
export interface DeliveryTarget {
  /** The stacks to deploy, in a Stage. */
  readonly stage: Stage;
  /** A role in the stage's account that may read the service's alarms (see DeliveryAccess). */
  readonly alarmReaderArn: string;
}

/** One environment of the promotion path. */
export interface DeliveryEnvironment {
  /** `dev`, `staging`, `prod`: the name `keel gate --env` knows. */
  readonly name: string;
  readonly protection: ProtectionLevel;
  /** Where it deploys; more than one deploys them side by side as a wave, e.g. one per region. */
  readonly targets: readonly DeliveryTarget[];
  /**
   * How long `keel gate` bakes the environment under its alarms after the deployment.
   * @default - DEFAULT_BAKE for the protection level: 10 minutes in prod, 3 in staging, no gate in dev
   */
  readonly bake?: Duration;
  /**
   * When deployments may enter; outside every window the environment is frozen.
   * @default - any time
   */
  readonly deploymentWindows?: readonly DeploymentWindow[];
  /**
   * Stop for a person's approval when the change broadens IAM permissions or security groups.
   * @default - at maximum protection (prod)
   */
  readonly reviewPermissionBroadening?: boolean;
}

/** How long `keel gate` bakes `environment` after its deployment; undefined when it does not bake. */
export function bakeOf(environment: DeliveryEnvironment): Duration | undefined {
  return environment.bake ?? DEFAULT_BAKE[environment.protection];
}

/** What is wrong with one environment of a pipeline; `where` names the pipeline. */
export function deliveryEnvironmentProblems(where: string, environment: DeliveryEnvironment): Problem[] {
  const at = `${where} environments.${environment.name}`;
  const problems: Problem[] = [];
  if (environment.targets.length === 0) {
    problems.push({ where: `${at}.targets`, what: 'is empty', fix: 'give the environment at least one Stage' });
  }
  for (const target of environment.targets) {
    if (!target.stage.region || Token.isUnresolved(target.stage.region)) {
      problems.push({
        where: `${at} stage ${target.stage.node.path}`,
        what: 'has no concrete region; the entry check and the gate look at alarms in it',
        fix: 'create the Stage with env: { account, region }',
      });
    }
  }
  problems.push(...bakeProblems(at, environment.bake));
  (environment.deploymentWindows ?? []).forEach((window, i) =>
    problems.push(...deploymentWindowProblems(`${at}.deploymentWindows[${i}]`, window)),
  );
  return problems;
}

function bakeProblems(at: string, bake: Duration | undefined): Problem[] {
  if (bake === undefined) return [];
  const ms = bake.toMilliseconds();
  if (ms > 0 && ms <= MAX_BAKE.toMilliseconds() && ms % 1000 === 0) return [];
  return [
    {
      where: `${at}.bake`,
      what: `${bake.toHumanString()} is not whole seconds longer than 0 and at most ${MAX_BAKE.toHumanString()}`,
      fix: 'bake for minutes, e.g. Duration.minutes(10); leave it out for the default',
    },
  ];
}
