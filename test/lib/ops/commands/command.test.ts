import { SYNOPSES, USAGE, loadCommand } from '../../../../lib/ops/cli';
import { GLOBAL_OPTIONS, OPTION_HELP, defineCommand } from '../../../../lib/ops/commands/command';
import { EXIT } from '../../../../lib/ops/errors';

const commands = Object.keys(SYNOPSES).map((name) => [name, loadCommand(name)] as const);

test.each(commands)(
  '%s is named as the dispatch table names it, and its usage starts with its synopsis',
  (name, command) => {
    expect(command?.name).toBe(name);
    expect(command?.usage.startsWith(`Usage: ${SYNOPSES[name]}\n`)).toBe(true);
    expect(command?.summary).toMatch(/^[a-z].+\.$/);
  },
);

test.each(commands)('%s documents every option it declares, and declares none of the global ones', (_, command) => {
  for (const option of Object.keys(command?.options ?? {})) expect(command?.usage).toContain(`--${option}`);
  for (const option of Object.keys(GLOBAL_OPTIONS)) expect(Object.keys(command?.options ?? {})).not.toContain(option);
});

test.each(commands)('%s help shows --help and --debug, which every command takes, too', (_, command) => {
  expect(command?.usage).toContain('\n  -h, --help ');
  expect(command?.usage).toContain('\n  --debug ');
});

test("the global usage lists every command's synopsis and every shared option's help line", () => {
  for (const synopsis of Object.values(SYNOPSES)) expect(USAGE).toContain(`\n  ${synopsis}\n`);
  for (const line of Object.values(OPTION_HELP)) expect(USAGE).toContain(`\n${line}\n`);
});

test('defineCommand returns the command as written', async () => {
  const command = defineCommand({
    name: 'echo',
    summary: 'says its words back.',
    usage: 'Usage: keel echo <words>',
    options: { loud: { type: 'boolean', default: false } },
    run: async (values, positionals, io) => {
      io.out(values.loud ? positionals.join(' ').toUpperCase() : positionals.join(' '));
      return EXIT.ok;
    },
  });
  const out: string[] = [];

  const code = await command.run({ loud: true, json: false, debug: false, help: false }, ['hi'], {
    out: (text) => out.push(text),
    err: () => undefined,
  });

  expect(code).toBe(0);
  expect(out).toEqual(['HI']);
});

test('no command is loaded for a name the table does not have', () => {
  expect(loadCommand('deploy')).toBeUndefined();
  expect(loadCommand('toString')).toBeUndefined();
});
