import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { SYNOPSES, USAGE } from '../../../lib/ops/cli';
import { KeelCliError } from '../../../lib/ops/errors';
import { oneLine, runKeel as run, testUsageErrors, type UsageErrorCase } from '../../helpers/cli';
import { assemblyWith, keelManifest, removeTempDirs, sdkError } from '../../helpers/manifest';

const cw = mockClient(CloudWatchClient);

let assembly: string;

beforeEach(() => {
  cw.reset();
  assembly = assemblyWith(keelManifest());
});

afterAll(() => {
  removeTempDirs();
});

describe('usage and configuration errors', () => {
  const cases: UsageErrorCase[] = [
    ['the command is unknown', (dir) => ['deploy', 'shop', '--assembly', dir], 'unknown command "deploy shop"'],
    ['a flag is unknown', () => ['status', 'shop', '--env', 'prod', '--frobnicate'], "Unknown option '--frobnicate'"],
  ];

  testUsageErrors(
    cases,
    () => assembly,
    () => cw.calls(),
  );

  test('fails when a parse error has a flag unknown, pointing at --help', async () => {
    const result = await run(['--frobnicate']);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toMatch(/; run keel --help$/);
  });

  test('adds the stack trace with --debug', async () => {
    const result = await run(['status', 'nope', '--env', 'prod', '--assembly', assembly, '--debug']);

    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('\n    at ');
    expect(result.err.at(-1)).toMatch(/^keel: service "nope" is not in the manifest/);
  });
});

describe('AWS errors', () => {
  test('adds the stack trace of an AWS error with --debug', async () => {
    cw.on(DescribeAlarmsCommand).rejects(sdkError('AccessDeniedException', 'User x is not authorized'));

    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly, '--debug']);

    expect(result.code).toBe(3);
    expect(result.err.join('\n')).toContain('\n    at ');
  });

  test('fails when something unexpected breaks, in one line that asks for a report and points at --debug', async () => {
    const result = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly], () => {
      throw new TypeError('boom');
    });

    expect(result.code).toBe(3);
    expect(oneLine(result)).toBe(
      'keel: internal error: boom (please report this; rerun with --debug for the stack trace)',
    );
  });
});

describe('errors that reach the CLI', () => {
  const argv = () => ['status', 'shop', '--env', 'prod', '--assembly', assembly];

  test('fails when an AWS SDK error reaches it unexplained, as one AWS error line with exit code 3', async () => {
    const denied = await run(argv(), () => {
      throw sdkError('AccessDeniedException', 'User x is not authorized');
    });
    const noCredentials = await run(argv(), () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    });

    expect(denied.code).toBe(3);
    expect(oneLine(denied)).toBe('keel: AWS error: access denied (User x is not authorized)');
    expect(noCredentials.code).toBe(3);
    expect(oneLine(noCredentials)).toMatch(/^keel: AWS error: no AWS credentials; configure a profile/);
  });

  test("keeps a keel error's own exit code and message", async () => {
    const result = await run(argv(), () => {
      throw new KeelCliError('the stage is deploying right now', 1);
    });

    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe('keel: the stage is deploying right now');
  });

  test('prints the stack of an internal error with --debug, then the one line', async () => {
    const result = await run([...argv(), '--debug'], () => {
      throw new TypeError('boom');
    });

    expect(result.code).toBe(3);
    expect(result.err[0]).toMatch(/^TypeError: boom\n {4}at /);
    expect(result.err.at(-1)).toBe(
      'keel: internal error: boom (please report this; rerun with --debug for the stack trace)',
    );
  });
});

describe('dispatch', () => {
  test('fails when the second word of a command group is unknown, with exit code 2', async () => {
    const unknown = await run(['runbooks', 'lint']);
    const alone = await run(['compliance']);

    expect(unknown.code).toBe(2);
    expect(oneLine(unknown)).toBe('keel: unknown command "runbooks lint"; run keel --help');
    expect(alone.code).toBe(2);
    expect(oneLine(alone)).toBe('keel: unknown command "compliance"; run keel --help');
  });

  test("fails when an option is another command's, with exit code 2", async () => {
    const result = await run(['status', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', assembly]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toMatch(/^keel: Unknown option '--bake'.*; run keel --help$/);
    expect(cw.calls()).toHaveLength(0);
  });

  test('takes the global options before the command', async () => {
    const result = await run(['--debug', 'status', 'nope', '--env', 'prod', '--assembly', assembly]);

    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('\n    at ');
    expect(result.err.at(-1)).toMatch(/^keel: service "nope" is not in the manifest/);
  });
});

describe('help', () => {
  test('prints the usage and returns 0 with --help', async () => {
    const result = await run(['--help']);

    expect(result.code).toBe(0);
    expect(result.out).toEqual([USAGE]);
    expect(result.err).toEqual([]);
  });

  test("prints the command's own usage and returns 0 with -h after a command", async () => {
    const result = await run(['status', '-h']);

    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(1);
    expect(result.out[0]).toMatch(
      /^keel status: .*\n\nUsage: keel status <service> --env <env> \[--since 1h\] \[--json\]\n/,
    );
    expect(result.out[0]).toContain('--since <duration>');
  });

  test('fails when there are no arguments, printing the usage with exit code 2', async () => {
    const result = await run([]);

    expect(result.code).toBe(2);
    expect(result.out).toEqual([USAGE]);
  });
});

describe('help of one command', () => {
  test.each(Object.keys(SYNOPSES))(
    'keel %s --help prints its summary, usage and options, and returns 0',
    async (name) => {
      const result = await run([...name.split(' '), '--help']);

      expect(result.code).toBe(0);
      expect(result.err).toEqual([]);
      expect(result.out).toHaveLength(1);
      expect(result.out[0]).toMatch(new RegExp(`^keel ${name}: .+\\n\\nUsage: `));
      expect(result.out[0]).toContain(`Usage: ${SYNOPSES[name]}\n`);
      expect(result.out[0]).toContain('\nOptions:\n');
      expect(result.out[0]).not.toContain('Usage:\n');
    },
  );

  test('prints the help of the command named after --help', async () => {
    const result = await run(['--help', 'gate']);

    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^keel gate: /);
  });
});
