import { KeelValidationError } from '../../constructs';
import { KeelCliError } from '../../lib/ops/errors';

/** The KeelValidationError `build` throws; fails the test when it throws nothing or something else. */
export function keelRefusal(build: () => unknown): KeelValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof KeelValidationError) return error;
    throw error;
  }
  throw new Error('expected a KeelValidationError');
}

/** The message of the KeelValidationError `build` throws. */
export function refusal(build: () => unknown): string {
  return keelRefusal(build).message;
}

/** The KeelCliError `promise` rejects with; fails the test when it resolves or rejects with something else. */
export async function cliFailure(promise: Promise<unknown>): Promise<KeelCliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeelCliError) return error;
    throw error;
  }
  throw new Error('expected a KeelCliError');
}
