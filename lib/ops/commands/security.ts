import * as path from 'node:path';
import { platform } from '../../config/platform';
import { closest } from '../arguments';
import { EXIT, KeelCliError, usageError } from '../errors';
import {
  loadSecurityAcknowledgments,
  SECURITY_GATES,
  type SecurityAcknowledgment,
  type SecurityGate,
} from '../security/acknowledgments';
import { AUDIT_LEVEL, auditFindings, runNpmAudit } from '../security/audit';
import { dayOf, judge, renderGate, type GateResult } from '../security/gate-result';
import { licenceFindings } from '../security/licences';
import { PIPELINE_SBOM_FILE, writeSbom } from '../security/sbom';
import { scanSecrets } from '../security/secrets';
import { OPTION_HELP, defineCommand, type CliIo } from './command';
import { thisRepository } from './repository';

const GATES = [...SECURITY_GATES, 'all', 'sbom'] as const;

/** Runs one gate over the repository at `root` and judges its findings against the acknowledgments. */
async function runGate(
  gate: SecurityGate,
  root: string,
  acknowledgments: readonly SecurityAcknowledgment[],
  now: Date,
  io: CliIo,
): Promise<GateResult> {
  if (gate === 'secrets') {
    io.err('security secrets: scanning the repository with secretlint (recommended preset) ...');
    const scan = await scanSecrets(root);
    return judge(gate, scan.findings, acknowledgments, now, scan);
  }
  if (gate === 'audit') {
    io.err(
      `security audit: asking the registry for advisories (npm audit --omit=dev --audit-level=${AUDIT_LEVEL}) ...`,
    );
    const { tool, output } = await runNpmAudit(root);
    const audit = auditFindings(output);
    return judge(gate, audit.findings, acknowledgments, now, { tool, ...audit });
  }
  const licences = licenceFindings(path.join(root, 'package-lock.json'), platform.licences.allowed);
  return judge(gate, licences.findings, acknowledgments, now, {
    tool: `allow-list of ${platform.licences.allowed.length} SPDX id(s) (platform.licences.allowed)`,
    checked: licences.checked,
  });
}

/** A gate that could not run fails with its one line, as its verdict; `keel security all` goes on to the next gate. */
function failedToRun(gate: SecurityGate, error: unknown): GateResult {
  if (!(error instanceof KeelCliError) || error.exitCode !== EXIT.unhealthy) throw error;
  return {
    gate,
    tool: '',
    checked: '',
    findings: [],
    notes: [],
    acknowledgments: [],
    passed: false,
    error: error.message,
  };
}

/** `keel security <gate>`: the release's security gates, run the same way in every pipeline and on a laptop. */
export const command = defineCommand({
  name: 'security',
  summary: 'runs a security gate over this repository: secrets, audit, licences, all of them, or writes the SBOM.',
  usage: [
    'Usage: keel security <secrets|audit|licences|all|sbom> [--out <file>] [--json]',
    '',
    'Gates (each fails the release on a finding not acknowledged in security-acknowledgments.json):',
    '  secrets    secretlint with its recommended preset (.secretlintrc.json) over the git-tracked files',
    `  audit      npm audit of the production dependencies; an advisory of level ${AUDIT_LEVEL} or critical fails`,
    '  licences   the licences of the production dependencies in package-lock.json against platform.licences.allowed',
    '  all        secrets, audit and licences, each with its own verdict line',
    `  sbom       writes the CycloneDX SBOM of the production dependencies (default: ${PIPELINE_SBOM_FILE})`,
    '',
    'Options:',
    '  --out <file>         where sbom writes the SBOM, relative to the repository',
    OPTION_HELP.json,
    OPTION_HELP.debug,
    OPTION_HELP.help,
    '',
    'An acknowledgment names the finding id in brackets, with a reason, an owner (a team of the registry) and an',
    'expiry within platform.maxAcknowledgmentDays: { "<gate>": { "<id>": { "reason", "owner", "expires" } } }.',
    '',
    'Exit codes: 0 passed, 1 findings or a gate that could not run, 2 usage or config error.',
  ].join('\n'),
  options: { out: { type: 'string' } },
  async run(values, positionals, io) {
    const [gate, ...rest] = positionals;
    if (!(GATES as readonly string[]).includes(gate ?? '') || rest.length > 0) {
      const meant = gate === undefined ? undefined : closest(gate, GATES);
      throw usageError(
        `keel security takes one gate, ${GATES.join(', ')}; got ${positionals.length === 0 ? 'none' : JSON.stringify(positionals.join(' '))}` +
          (meant ? `: did you mean keel security ${meant}?` : ': run keel security all for every release gate'),
      );
    }
    if (values.out !== undefined && gate !== 'sbom') {
      throw usageError(
        `--out is where keel security sbom writes the SBOM; keel security ${gate} writes no file: drop --out`,
      );
    }
    const { root, registry } = io.repository ?? thisRepository();
    if (gate === 'sbom') {
      const sbom = await writeSbom(root, values.out ?? PIPELINE_SBOM_FILE);
      if (values.json) io.out(JSON.stringify(sbom, undefined, 2));
      else
        io.out(
          `security sbom: WRITTEN: ${sbom.tool}: CycloneDX ${sbom.specVersion}, ${sbom.components} component(s), validated, in ${sbom.file}`,
        );
      return EXIT.ok;
    }
    const now = io.now?.() ?? new Date();
    const latestExpiry = new Date(dayOf(now).getTime() + platform.maxAcknowledgmentDays * 86_400_000);
    const acknowledgments = loadSecurityAcknowledgments(root, {
      knownOwners: registry.teams.map((team) => team.id),
      latestExpiry,
    });
    const results: GateResult[] = [];
    for (const each of gate === 'all' ? SECURITY_GATES : [gate as SecurityGate]) {
      const result = await runGate(each, root, acknowledgments, now, io).catch((error) => failedToRun(each, error));
      if (!values.json) for (const line of renderGate(result)) io.out(line);
      results.push(result);
    }
    const passed = results.every((result) => result.passed);
    if (values.json) io.out(JSON.stringify({ passed, gates: results }, undefined, 2));
    return passed ? EXIT.ok : EXIT.unhealthy;
  },
});
