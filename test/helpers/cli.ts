import type { AwsOptions } from '../../lib/ops/aws';
import { runCli, type CliIo } from '../../lib/ops/cli';
import { fakeClock, testCloudWatchClient } from './manifest';

/** The moment every `runKeel` run takes for now. */
export const CLI_NOW = new Date('2025-01-01T12:00:00.000Z');

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** What each AWS client was made with. */
  readonly clients: AwsOptions[];
}

/**
 * Runs one `keel` command line with its output captured, at CLI_NOW on a fake clock. CloudWatch clients are test
 * clients (stub them with `mockClient(CloudWatchClient)`), unless `makeClient` makes them.
 */
export async function runKeel(argv: readonly string[], makeClient?: CliIo['client']): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const clients: AwsOptions[] = [];
  const client = testCloudWatchClient();
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    client:
      makeClient ??
      ((options) => {
        clients.push(options);
        return client;
      }),
    now: () => CLI_NOW,
    clock: fakeClock(CLI_NOW.getTime()),
  });
  return { code, out, err, clients };
}

/** The one error line of a run, checked to be one `keel: ...` line without a stack trace. */
export function oneLine(result: Pick<CliRun, 'err'>): string {
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(/^keel: /);
  expect(result.err[0]).not.toContain('\n');
  expect(result.err.join('\n')).not.toContain('\n    at ');
  return result.err[0];
}

/** A usage error: what is wrong, the command line given the assembly directory, and what the one line says. */
export type UsageErrorCase = [string, (assembly: string) => string[], string];

/**
 * One test per case: exit code 2, one `keel:` line containing the message, nothing on stdout and no AWS call.
 * `assembly` is read when each test runs (a `beforeEach` may make a fresh one).
 */
export function testUsageErrors(
  cases: readonly UsageErrorCase[],
  assembly: () => string,
  awsCalls: () => readonly unknown[],
): void {
  test.each(cases)('fails when %s, with exit code 2 and one line', async (_, argv, message) => {
    const result = await runKeel(argv(assembly()));

    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain(message);
    expect(result.out).toEqual([]);
    expect(awsCalls()).toHaveLength(0);
  });
}
