import type { Duration } from 'aws-cdk-lib';
import type { Problem } from '../errors';
import { strategyProblems, type DeploymentStrategy } from './deployment-strategy';

/**
 * Limits of ECS on Fargate that Keel checks at construction, because aws-cdk-lib does not (or only for some):
 *
 * - CPU and memory: the pairs of `FargateTaskDefinitionProps` (`aws-ecs/lib/fargate/fargate-task-definition.d.ts`);
 *   aws-cdk-lib renders any pair, and the deployment fails.
 * - Traffic shifting: `base-service.js` refuses canary steps outside 0.1-100%, linear steps below 3% and step bake
 *   times that are not whole minutes from 0 to 1440; the service's bake time takes 0 to 1440 minutes too
 *   (`AWS::ECS::Service DeploymentConfiguration`). CloudFormation refuses a canary or linear deployment whose bake
 *   times add up to more than 33 hours ("AWS::ECS::Service CanaryConfiguration", "... LinearConfiguration").
 */

/** A task's size: vCPU units (1024 = 1 vCPU) and memory in MiB, one of the pairs Fargate runs. */
export interface ContainerSize {
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** How many tasks run: auto scaling keeps the count within `min` and `max`. */
export interface TaskCount {
  readonly min: number;
  readonly max: number;
}

function steps(from: number, to: number, by: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += by) values.push(value);
  return values;
}

/** The memory (MiB) Fargate allows for each CPU value. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

/** The most whole minutes ECS waits in one bake (the service's or a step's). */
export const ECS_MAX_BAKE_MINUTES = 1440;
/** The smallest linear step ECS takes, in percent. */
export const ECS_MIN_LINEAR_PERCENT = 3;
/** The longest CloudFormation lets the bake times of one canary or linear deployment add up to, in minutes. */
export const CLOUDFORMATION_MAX_SHIFT_MINUTES = 33 * 60;

/** What is wrong with `size`: a CPU value Fargate does not offer, or memory that CPU value does not take. */
export function containerSizeProblems(size: ContainerSize, where: string): Problem[] {
  const memory = FARGATE_SIZES[size.cpu] as readonly number[] | undefined;
  if (memory === undefined) {
    return [
      {
        where: `${where}.cpu`,
        what: `${size.cpu} is not a Fargate CPU value`,
        fix: `use one of ${Object.keys(FARGATE_SIZES).join(', ')} (1024 = 1 vCPU)`,
      },
    ];
  }
  if (memory.includes(size.memoryMiB)) return [];
  return [
    {
      where: `${where}.memoryMiB`,
      what: `${size.memoryMiB} MiB does not go with ${size.cpu} CPU units on Fargate`,
      fix: `with cpu ${size.cpu}, use one of ${memory.join(', ')} MiB; or pick another cpu`,
    },
  ];
}

/** What is wrong with `count`: not whole numbers, fewer than one task, or a minimum above the maximum. */
export function taskCountProblems(count: TaskCount, where: string): Problem[] {
  const whole = Number.isInteger(count.min) && Number.isInteger(count.max);
  if (whole && count.min >= 1 && count.max >= count.min) return [];
  return [
    {
      where,
      what: `min ${count.min}, max ${count.max} is not a range of whole task counts from 1 up`,
      fix: 'use whole numbers with 1 <= min <= max, e.g. { min: 2, max: 4 }',
    },
  ];
}

/** What is wrong with `port`: not a whole TCP port from 1 to 65535. */
export function portProblems(port: number, where: string): Problem[] {
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return [];
  return [{ where, what: `${port} is not a TCP port`, fix: 'use a whole number from 1 to 65535, e.g. 8080' }];
}

/** What is wrong with `path`: a load balancer health check path starts with `/`, has no spaces, and is short. */
export function healthCheckPathProblems(path: string, where: string): Problem[] {
  if (/^\/[\x21-\x7e]*$/.test(path) && path.length <= 1024) return [];
  return [
    {
      where,
      what: `${JSON.stringify(path)} is not a URL path`,
      fix: "use a path that starts with '/', without spaces, at most 1024 characters, e.g. '/health'",
    },
  ];
}

/** Problems of a bake time: whole minutes from 0 to 1440. */
function bakeTimeProblems(bakeTime: Duration, where: string): Problem[] {
  const minutes = bakeTime.toMinutes({ integral: false });
  if (Number.isInteger(minutes) && minutes >= 0 && minutes <= ECS_MAX_BAKE_MINUTES) return [];
  return [
    {
      where,
      what: `${bakeTime.toHumanString()} is not whole minutes from 0 to ${ECS_MAX_BAKE_MINUTES}, as ECS requires`,
      fix: 'use e.g. Duration.minutes(10), at most Duration.minutes(1440)',
    },
  ];
}

/** How many steps CloudFormation counts for a linear deployment ("AWS::ECS::Service LinearConfiguration"). */
function linearSteps(percent: number): number {
  return 100 % percent === 0 ? 100 / percent - 1 : Math.floor(100 / percent);
}

/** What is wrong with rendering `strategy` and `bakeTime` onto ECS: Keel's own limits, then ECS's and CloudFormation's. */
export function containerStrategyProblems(strategy: DeploymentStrategy, bakeTime: Duration, where: string): Problem[] {
  const problems = strategyProblems(strategy, `${where} deploymentStrategy`);
  problems.push(...bakeTimeProblems(bakeTime, `${where} bakeTime`));
  if (strategy.kind === 'all-at-once' || problems.length > 0) return problems;
  if (strategy.kind === 'linear' && strategy.percent < ECS_MIN_LINEAR_PERCENT) {
    problems.push({
      where: `${where} deploymentStrategy`,
      what: `linear steps of ${strategy.percent}% are below the ${ECS_MIN_LINEAR_PERCENT}% ECS shifts at least`,
      fix: `use DeploymentStrategy.linear(p, interval) with p from ${ECS_MIN_LINEAR_PERCENT} to 99, e.g. 10`,
    });
  }
  const stepMinutes = strategy.interval.toMinutes();
  if (stepMinutes > ECS_MAX_BAKE_MINUTES) {
    problems.push({
      where: `${where} deploymentStrategy`,
      what: `an interval of ${stepMinutes} minutes is longer than the ${ECS_MAX_BAKE_MINUTES} minutes ECS waits per step`,
      fix: `use an interval of 1 to ${ECS_MAX_BAKE_MINUTES} minutes`,
    });
  }
  const total = bakeTime.toMinutes() + stepMinutes * (strategy.kind === 'canary' ? 1 : linearSteps(strategy.percent));
  if (problems.length === 0 && total > CLOUDFORMATION_MAX_SHIFT_MINUTES) {
    problems.push({
      where: `${where} deploymentStrategy`,
      what: `${strategy.describe()} with a bake time of ${bakeTime.toHumanString()} takes ${total} minutes, more than the ${CLOUDFORMATION_MAX_SHIFT_MINUTES} CloudFormation allows`,
      fix: 'shorten the interval or the bake time, or shift larger steps',
    });
  }
  return problems;
}
