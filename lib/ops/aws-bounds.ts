import { parseDuration } from './duration';
import { usageError } from './errors';

/** How long one AWS call may take: to connect, to answer, and how many attempts it makes (README, Operating a service). */
export interface AwsBounds {
  readonly connectMs: number;
  readonly answerMs: number;
  readonly attempts: number;
  /** How long a command may spend on AWS beyond its bake (`keel gate`); the whole command for the others. */
  readonly deadlineMs: number;
}

/** The defaults, and the environment variables that change them (tests make them small). */
export const BOUND_VARIABLES = {
  connectMs: { name: 'KEEL_AWS_CONNECT_TIMEOUT', default: '3s' },
  answerMs: { name: 'KEEL_AWS_ANSWER_TIMEOUT', default: '15s' },
  deadlineMs: { name: 'KEEL_DEADLINE', default: '2m' },
} as const;
export const ATTEMPTS_VARIABLE = { name: 'KEEL_AWS_ATTEMPTS', default: 4, max: 10 } as const;

/**
 * The bounds from the environment, or their defaults: 3 s to connect, 15 s to answer, 4 attempts, and 2 minutes for a
 * command (beyond the bake of `keel gate`).
 * @throws KeelCliError (usage) naming the variable, its value and what it takes.
 */
export function awsBounds(env: NodeJS.ProcessEnv = process.env): AwsBounds {
  const duration = (key: keyof typeof BOUND_VARIABLES): number => {
    const { name, default: fallback } = BOUND_VARIABLES[key];
    const ms = parseDuration(name, env[name] ?? fallback);
    if (ms <= 0) throw usageError(`${name} ${JSON.stringify(env[name])} must be longer than 0, e.g. ${fallback}`);
    return ms;
  };
  const { name, default: fallback, max } = ATTEMPTS_VARIABLE;
  const text = env[name] ?? String(fallback);
  const attempts = Number(text);
  if (!/^\d+$/.test(text) || attempts < 1 || attempts > max) {
    throw usageError(
      `${name} ${JSON.stringify(text)} is not a whole number from 1 to ${max}; unset it for ${fallback}`,
    );
  }
  return {
    connectMs: duration('connectMs'),
    answerMs: duration('answerMs'),
    attempts,
    deadlineMs: duration('deadlineMs'),
  };
}

/** The name of the error an AWS call ends in when its command's deadline has passed (aws-errors.ts words it). */
export const DEADLINE_ERROR = 'KeelDeadlineError';

/**
 * When a command must have finished with AWS. `keel rollback` restarts it once a person has confirmed, so time spent
 * reading the plan does not count.
 */
export class Deadline {
  private endsAt: number;

  constructor(
    /** How long from now (and from each restart). */
    readonly ms: number,
    private readonly now: () => number = Date.now,
  ) {
    this.endsAt = now() + ms;
  }

  /** Milliseconds left; 0 or less once it has passed. */
  left(): number {
    return this.endsAt - this.now();
  }

  restart(): void {
    this.endsAt = this.now() + this.ms;
  }

  /** What a call that starts after the deadline ends in: an SDK-shaped error that is not retried. */
  expired(): Error {
    return Object.assign(new Error(`the command's deadline of ${this.ms} ms has passed`), {
      name: DEADLINE_ERROR,
      $metadata: {},
      deadlineMs: this.ms,
    });
  }
}
