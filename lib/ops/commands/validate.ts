import { platform } from '../../config/platform';
import { cfnLintExecutable } from '../cfn-lint';
import { EXIT, usageError } from '../errors';
import { renderValidation, validate } from '../validate';
import { ASSEMBLY_OPTION, OPTION_HELP, defineCommand } from './command';
import { thisRepository } from './repository';

/** `keel validate`: cfn-lint over every template of a cloud assembly, with reviewed acknowledgments. */
export const command = defineCommand({
  name: 'validate',
  summary: 'runs cfn-lint over every template of a cloud assembly; a warning passes only when acknowledged.',
  usage: [
    'Usage: keel validate [cdk.out] [--json]',
    '',
    'Options:',
    OPTION_HELP.assembly,
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'cfn-lint is KEEL_CFN_LINT, or .venv/bin/cfn-lint from npm run setup. Warnings pass only when acknowledged in',
    'cfn-lint-acknowledgments.json, by a team of the registry, until a date within platform.maxAcknowledgmentDays.',
    '',
    'Exit codes: 0 passed, 1 findings, 2 usage or config error.',
  ].join('\n'),
  options: { ...ASSEMBLY_OPTION },
  async run(values, positionals, io) {
    if (positionals.length > 1)
      throw usageError('keel validate takes one cloud assembly directory: keel validate [cdk.out]');
    const { root, registry } = io.repository ?? thisRepository();
    const result = await validate(positionals[0] ?? values.assembly, {
      cfnLint: cfnLintExecutable(),
      root,
      knownOwners: registry.teams.map((team) => team.id),
      now: io.now?.() ?? new Date(),
      maxAcknowledgmentDays: platform.maxAcknowledgmentDays,
      onProgress: (line) => io.err(line),
    });
    if (values.json) io.out(JSON.stringify(result, undefined, 2));
    else for (const line of renderValidation(result)) io.out(line);
    return result.passed ? EXIT.ok : EXIT.unhealthy;
  },
});
