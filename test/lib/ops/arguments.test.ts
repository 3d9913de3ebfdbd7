import { closest, parseCommandLine } from '../../../lib/ops/arguments';
import { cliFailure } from '../../helpers/refusal';

const SPEC = {
  command: 'keel gate',
  options: { bake: { type: 'string' }, json: { type: 'boolean', default: false } },
  usage: '  --bake <duration>    how long',
} as const;

test('suggests the candidate a word is plausibly a typo of, swapped letters included, and nothing for others', () => {
  expect(closest('evn', ['env', 'since'])).toBe('env');
  expect(closest('stauts', ['status', 'gate'])).toBe('status');
  expect(closest('deploy', ['status', 'gate', 'rollback'])).toBeUndefined();
});

test('takes a value that starts with a dash as the value, for the command to judge', () => {
  expect(parseCommandLine(['--bake', '-5m'], SPEC).values.bake).toBe('-5m');
  expect(parseCommandLine(['--bake=-5m', 'x'], SPEC)).toMatchObject({ values: { bake: '-5m' }, positionals: ['x'] });
});

test("refuses a command line in Keel's own words, naming the option and the fix", async () => {
  const parse = (argv: string[]) => cliFailure(Promise.resolve().then(() => parseCommandLine(argv, SPEC)));

  await expect(parse(['--bake'])).resolves.toMatchObject({
    exitCode: 2,
    message: '--bake needs a value: --bake <duration>; run keel gate --help',
  });
  await expect(parse(['--jsno'])).resolves.toMatchObject({
    message: 'keel gate has no option --jsno; did you mean --json? run keel gate --help',
  });
  await expect(parse(['--json=no'])).resolves.toMatchObject({
    message: '--json is a switch and takes no value; write --json',
  });
});

test('does not take another option, in its short form either, as an option value', async () => {
  const spec = {
    ...SPEC,
    options: { ...SPEC.options, yes: { type: 'boolean', short: 'y', default: false } },
  } as const;
  await expect(
    cliFailure(Promise.resolve().then(() => parseCommandLine(['--bake', '-y'], spec))),
  ).resolves.toMatchObject({ exitCode: 2, message: '--bake needs a value: --bake <duration>; run keel gate --help' });
});
