import { KeelValidationError } from '../../constructs';

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
