import { Token } from 'aws-cdk-lib';
import type { Problem } from '../errors';

/**
 * API Gateway's token bucket for the whole stage: `rateLimit` tokens a second refill a bucket of `burstLimit`.
 * A burst below the rate is allowed (AWS's own account defaults are 10,000 a second with bursts of 5,000).
 */
export interface ApiThrottling {
  /** Steady requests per second for the whole stage: a number above 0 (0 would refuse every request). */
  readonly rateLimit: number;
  /** Requests allowed in a burst: a whole number, 1 or more (0 would refuse every request). */
  readonly burstLimit: number;
}

/** Keel's stage throttling when a service sets none. */
export const DEFAULT_THROTTLING: ApiThrottling = { rateLimit: 100, burstLimit: 200 };

/** What is wrong with a stage's throttling, by field: Keel's own check, before CloudFormation's schema sees it. */
export function throttlingProblems(where: string, { rateLimit, burstLimit }: ApiThrottling): Problem[] {
  const problems: Problem[] = [];
  const leaveOut = `or leave throttling out for ${DEFAULT_THROTTLING.rateLimit} a second in bursts of ${DEFAULT_THROTTLING.burstLimit}`;
  if (
    !Token.isUnresolved(rateLimit) &&
    !(typeof rateLimit === 'number' && Number.isFinite(rateLimit) && rateLimit > 0)
  ) {
    problems.push({
      where: `${where}.rateLimit`,
      what: `${JSON.stringify(rateLimit)} is not a number of requests per second above 0`,
      fix: `use a number above 0, e.g. ${DEFAULT_THROTTLING.rateLimit}, ${leaveOut}`,
    });
  }
  if (!Token.isUnresolved(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit >= 1)) {
    problems.push({
      where: `${where}.burstLimit`,
      what: `${JSON.stringify(burstLimit)} is not a whole number of requests of 1 or more`,
      fix: `use a whole number of 1 or more, e.g. ${DEFAULT_THROTTLING.burstLimit}, ${leaveOut}`,
    });
  }
  return problems;
}
