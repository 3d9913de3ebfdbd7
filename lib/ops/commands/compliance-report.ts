import { loadComplianceReport, renderComplianceReport, type ReportFormat } from '../compliance-report-render';
import { EXIT, usageError } from '../errors';
import { ASSEMBLY_OPTION, OPTION_HELP, defineCommand } from './command';

const FORMATS: readonly string[] = ['md', 'html', 'json'] satisfies ReportFormat[];

/** `keel compliance report`: the synth's compliance report, for an auditor. */
export const command = defineCommand({
  name: 'compliance report',
  summary: 'the audit report of the last synth: packs run, findings by rule, acknowledgments and their expiry.',
  usage: [
    'Usage: keel compliance report [cdk.out] [--format md|html|json]',
    '',
    'Options:',
    '  --format <format>    md (default), html or json',
    OPTION_HELP.assembly,
    OPTION_HELP.debug,
    '',
    'Exit codes: 0 printed, 2 usage error or no report.',
  ].join('\n'),
  options: { ...ASSEMBLY_OPTION, format: { type: 'string', default: 'md' } },
  async run(values, positionals, io) {
    if (!FORMATS.includes(values.format))
      throw usageError(`--format ${JSON.stringify(values.format)} is not md, html or json`);
    const report = loadComplianceReport(positionals[0] ?? values.assembly);
    io.out(renderComplianceReport(report, values.format as ReportFormat));
    return EXIT.ok;
  },
});
