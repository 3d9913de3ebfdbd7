import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadComplianceReport, renderComplianceReport, type ReportFormat } from '../compliance-report-render';
import { readConstructSources } from '../compliance-report-sarif';
import { EXIT, usageError } from '../errors';
import { ASSEMBLY_OPTION, OPTION_HELP, defineCommand } from './command';

const FORMATS: readonly string[] = ['md', 'html', 'json', 'sarif'] satisfies ReportFormat[];

/** `keel compliance report`: the synth's compliance report, for an auditor. */
export const command = defineCommand({
  name: 'compliance report',
  summary: 'the audit report of the last synth: packs run, findings by rule, acknowledgments and their expiry.',
  usage: [
    'Usage: keel compliance report [cdk.out] [--format md|html|json|sarif] [--out <file>]',
    '',
    'Options:',
    '  --format <format>    md (default), html, json, or sarif (SARIF 2.1.0 for code scanning; file and line of each',
    '                       finding when the synth ran with --debug)',
    '  --out <file>         write the report to this file (its directory is made) instead of printing it',
    OPTION_HELP.assembly,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'Exit codes: 0 printed or written, 2 usage error, no report or a file that cannot be written.',
  ].join('\n'),
  options: { ...ASSEMBLY_OPTION, format: { type: 'string', default: 'md' }, out: { type: 'string' } },
  async run(values, positionals, io) {
    if (!FORMATS.includes(values.format))
      throw usageError(`--format ${JSON.stringify(values.format)} is not md, html, json or sarif; pass one of them`);
    const assemblyDir = positionals[0] ?? values.assembly;
    const report = loadComplianceReport(assemblyDir);
    const sources = values.format === 'sarif' ? readConstructSources(assemblyDir) : undefined;
    const rendered = renderComplianceReport(report, values.format as ReportFormat, { sources });
    if (values.out === undefined) io.out(rendered);
    else {
      const file = path.resolve(values.out);
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, rendered.endsWith('\n') ? rendered : `${rendered}\n`);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        throw usageError(
          `--out ${JSON.stringify(values.out)} cannot be written (${reason}); pass a writable file path`,
        );
      }
      io.err(`wrote the ${values.format} compliance report to ${file}`);
    }
    return EXIT.ok;
  },
});
