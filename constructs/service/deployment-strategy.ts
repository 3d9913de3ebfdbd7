import { Duration } from 'aws-cdk-lib';
import type { Problem } from '../errors';
import type { ProtectionLevel } from './protection';

/** How a new version takes over: the `live` alias of a function (CodeDeploy), or a container service (ECS). */
export class DeploymentStrategy {
  /** `percent`% of traffic first, then everything after `interval` if no alarm fired. */
  public static canary(percent: number, interval: Duration): DeploymentStrategy {
    return new DeploymentStrategy('canary', percent, interval);
  }

  /** `percent`% more traffic every `interval`. */
  public static linear(percent: number, interval: Duration): DeploymentStrategy {
    return new DeploymentStrategy('linear', percent, interval);
  }

  /** Everything at once; alarms can still roll it back afterwards. */
  public static allAtOnce(): DeploymentStrategy {
    return new DeploymentStrategy('all-at-once', 100, Duration.minutes(0));
  }

  private constructor(
    public readonly kind: 'canary' | 'linear' | 'all-at-once',
    public readonly percent: number,
    public readonly interval: Duration,
  ) {}

  /** A readable name, e.g. `canary 10% for 5 minutes`. */
  public describe(): string {
    if (this.kind === 'all-at-once') return 'all at once';
    return `${this.kind} ${this.percent}% ${this.kind === 'canary' ? 'for' : 'every'} ${this.interval.toHumanString()}`;
  }
}

/** The default strategy of each protection level: prod canaries, staging goes linear, dev all at once. */
export const DEFAULT_STRATEGIES: Readonly<Record<ProtectionLevel, DeploymentStrategy>> = {
  basic: DeploymentStrategy.allAtOnce(),
  standard: DeploymentStrategy.linear(10, Duration.minutes(1)),
  maximum: DeploymentStrategy.canary(10, Duration.minutes(5)),
};

/** What is wrong with a strategy: a percentage outside 1-99 or an interval that is not whole minutes up to 2 days. */
export function strategyProblems(strategy: DeploymentStrategy, where: string): Problem[] {
  const problems: Problem[] = [];
  if (strategy.kind === 'all-at-once') return problems;
  if (!Number.isInteger(strategy.percent) || strategy.percent < 1 || strategy.percent > 99) {
    problems.push({
      where,
      what: `${strategy.percent}% is outside 1-99`,
      fix: 'shift a whole percentage from 1 to 99 first, e.g. DeploymentStrategy.canary(10, Duration.minutes(5))',
    });
  }
  const ms = strategy.interval.toMilliseconds();
  if (ms < 60_000 || ms % 60_000 !== 0 || ms > 2_880 * 60_000) {
    problems.push({
      where,
      what: `an interval of ${strategy.interval.toHumanString()} is not whole minutes from 1 to 2880`,
      fix: 'use e.g. Duration.minutes(5)',
    });
  }
  return problems;
}
