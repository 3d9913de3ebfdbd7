/** The exit codes of every `keel` command (README.md, Operating a service). */
export const EXIT = {
  /** Healthy, or the gate passed. */
  ok: 0,
  /** Unhealthy, or the gate failed. */
  unhealthy: 1,
  /** Bad usage or configuration: flags, manifest, service or environment. */
  usage: 2,
  /** AWS failed after retries: credentials, region, permissions, throttling, network. */
  aws: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error `keel` reports in one line with its exit code; no stack trace unless `--debug`. */
export class KeelCliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCode,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'KeelCliError';
  }
}

export function usageError(message: string): KeelCliError {
  return new KeelCliError(message, EXIT.usage);
}
