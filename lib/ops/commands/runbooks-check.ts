import * as path from 'node:path';
import { paint } from '../colour';
import { EXIT } from '../errors';
import { checkRunbooks } from '../runbooks-check';
import { ASSEMBLY_OPTION, OPTION_HELP, defineCommand } from './command';

/** `keel runbooks check`: offline, every alarm in the templates links a complete runbook section. */
export const command = defineCommand({
  name: 'runbooks check',
  summary: 'offline: every alarm in the synthesized templates links a runbook section with every required heading.',
  usage: [
    'Usage: keel runbooks check [cdk.out] [--runbooks runbooks]',
    '',
    'Options:',
    '  --runbooks <dir>     the runbooks directory (default: runbooks)',
    OPTION_HELP.assembly,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Exit codes: 0 every link complete, 1 problems found, 2 usage error.',
  ].join('\n'),
  options: { ...ASSEMBLY_OPTION, runbooks: { type: 'string', default: 'runbooks' } },
  async run(values, positionals, io) {
    const assembly = positionals[0] ?? values.assembly;
    const result = checkRunbooks(assembly, values.runbooks);
    if (values.json) io.out(JSON.stringify(result, undefined, 2));
    else {
      for (const p of result.problems)
        io.out(`${paint('✗', 'red', io.colour)} ${p.alarm} (${p.template}): ${p.problem}`);
      io.out(`${result.checked} alarm(s) checked in ${path.resolve(assembly)}: ${result.problems.length} problem(s)`);
    }
    return result.problems.length === 0 ? EXIT.ok : EXIT.unhealthy;
  },
});
