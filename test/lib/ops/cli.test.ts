import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { SYNOPSES, USAGE, runCli, versionLines } from '../../../lib/ops/cli';
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
    [
      'a flag is unknown',
      () => ['status', 'shop', '--env', 'prod', '--frobnicate'],
      'keel status has no option --frobnicate; it takes --env, --assembly, --region, --endpoint-url, --role-arn, ' +
        '--since, --json, --debug, --help; run keel status --help',
    ],
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
    expect(oneLine(unknown)).toBe(
      'keel: unknown command "runbooks lint"; did you mean keel runbooks check? run keel --help',
    );
    expect(alone.code).toBe(2);
    expect(oneLine(alone)).toBe(
      'keel: unknown command "compliance"; did you mean keel compliance report? run keel --help',
    );
  });

  test("fails when an option is another command's, with exit code 2", async () => {
    const result = await run(['status', 'shop', '--env', 'prod', '--bake', '1m', '--assembly', assembly]);

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      'keel: keel status has no option --bake (--bake is an option of keel gate); run keel status --help',
    );
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

  test('names every bound on AWS calls with its default and the variable that changes it', () => {
    expect(USAGE).toContain(
      'KEEL_AWS_CONNECT_TIMEOUT=3s to connect, KEEL_AWS_ANSWER_TIMEOUT=15s to answer, KEEL_AWS_ATTEMPTS=4 attempts',
    );
    expect(USAGE).toContain('KEEL_DEADLINE=2m for a whole command (keel gate: its bake plus that)');
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

describe('version', () => {
  test('prints keel and Node versions with --version or -v, and returns 0', async () => {
    const long = await run(['--version']);
    const short = await run(['-v']);

    expect(long.code).toBe(0);
    expect(long.out).toEqual([`keel 0.1.0 (Node ${process.version})`]);
    expect(short.out).toEqual(long.out);
  });

  test('adds one line, not the AWS SDK 8-line warning, on a Node older than 22', () => {
    expect(versionLines('v20.20.2')).toEqual([
      'keel 0.1.0 (Node v20.20.2)',
      'note: AWS SDK releases from January 2027 need Node 22 or later; this is Node v20.20.2: upgrade to Node 22 ' +
        'to keep receiving them',
    ]);
    expect(versionLines('v22.12.0')).toEqual(['keel 0.1.0 (Node v22.12.0)']);
  });
});

describe("Keel's own words for every command-line mistake", () => {
  const cases: UsageErrorCase[] = [
    [
      'a command is mistyped',
      () => ['stauts', 'shop'],
      'keel: unknown command "stauts shop"; did you mean keel status? run keel --help',
    ],
    [
      'a command of a group is mistyped',
      () => ['runbooks', 'chek'],
      'keel: unknown command "runbooks chek"; did you mean keel runbooks check? run keel --help',
    ],
    [
      'a flag is mistyped',
      () => ['status', 'shop', '--evn', 'prod'],
      'keel: keel status has no option --evn; did you mean --env? run keel status --help',
    ],
    [
      '--manifest is given for --assembly',
      (dir) => ['status', 'shop', '--env', 'prod', '--manifest', dir],
      'keel: keel status has no option --manifest; did you mean --assembly? run keel status --help',
    ],
    [
      'a duration is negative',
      (dir) => ['gate', 'shop', '--env', 'prod', '--bake', '-5m', '--assembly', dir],
      'keel: --bake "-5m" is not a duration; use e.g. 30s, 10m, 1h30m or 2d',
    ],
    [
      '--assembly has no value',
      () => ['status', 'shop', '--env', 'prod', '--assembly'],
      'keel: --assembly needs a value: --assembly <dir>; run keel status --help',
    ],
    [
      "--env's value is the next option",
      (dir) => ['status', 'shop', '--env', '--region', 'eu-west-1', '--assembly', dir],
      'keel: --env needs a value: --env <env>; run keel status --help',
    ],
    [
      'a switch is given a value',
      (dir) => ['status', 'shop', '--env', 'prod', '--json=yes', '--assembly', dir],
      'keel: --json is a switch and takes no value; write --json',
    ],
    [
      'an option before any command is unknown',
      () => ['--hepl'],
      'keel: keel has no option --hepl; did you mean --help? run keel --help',
    ],
  ];

  test.each(cases)('fails when %s, with exit code 2 and one line of its own', async (_, argv, message) => {
    const result = await run(argv(assembly));

    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(message);
    expect(result.out).toEqual([]);
    expect(cw.calls()).toHaveLength(0);
  });
});

describe('--json errors', () => {
  test('prints the error as one JSON object with its message, exit code and kind', async () => {
    const usage = await run(['status', 'nope', '--env', 'prod', '--assembly', assembly, '--json']);
    const parse = await run(['status', 'shop', '--env', 'prod', '--frobnicate', '--json']);
    const aws = await run(['status', 'shop', '--env', 'prod', '--assembly', assembly, '--json'], () => {
      throw sdkError('AccessDeniedException', 'User x is not authorized');
    });

    expect(usage.code).toBe(2);
    expect(usage.err).toHaveLength(1);
    expect(JSON.parse(usage.err[0])).toEqual({
      error: { message: expect.stringMatching(/^service "nope" is not in the manifest/), exitCode: 2, kind: 'usage' },
    });
    expect(JSON.parse(parse.err[0])).toMatchObject({ error: { exitCode: 2, kind: 'usage' } });
    expect(aws.code).toBe(3);
    expect(JSON.parse(aws.err[0])).toEqual({
      error: { message: 'AWS error: access denied (User x is not authorized)', exitCode: 3, kind: 'aws' },
    });
  });
});

describe('colour', () => {
  async function errorLine(colour: boolean | undefined): Promise<string> {
    const err: string[] = [];
    await runCli(['stauts'], { out: () => undefined, err: (text) => err.push(text), ...(colour ? { colour } : {}) });
    return err[0];
  }

  test('paints the keel: of an error red only when the output is a terminal', async () => {
    const line = 'unknown command "stauts"; did you mean keel status? run keel --help';

    expect(await errorLine(true)).toBe(`\u001b[31mkeel:\u001b[0m ${line}`);
    expect(await errorLine(undefined)).toBe(`keel: ${line}`);
  });
});
