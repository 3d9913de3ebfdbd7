import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeelCliError, EXIT } from '../errors';
import type { RawFinding } from './gate-result';
import { firstLine, KEEL_ROOT, nodeModule, packageVersion, runTool } from './tools';

/** The secretlint configuration: the recommended preset only, at the repository root. */
export const SECRETLINT_CONFIG = path.join(KEEL_ROOT, '.secretlintrc.json');

/** How many files one secretlint process is given, to stay far below the command line's length limit. */
const FILES_PER_RUN = 500;

/** One file as `secretlint --format json` reports it. */
interface SecretlintFile {
  readonly filePath: string;
  readonly messages: readonly {
    readonly ruleId: string;
    readonly message: string;
    readonly loc?: { readonly start?: { readonly line?: number } };
    readonly docsUrl?: string;
  }[];
}

export interface SecretScan {
  readonly tool: string;
  readonly checked: string;
  readonly findings: readonly RawFinding[];
}

/**
 * The files to scan under `root`: the files git tracks (`git ls-files`), or, where there is no git work tree (the
 * pipeline's source is a zip of the commit), `undefined`: then secretlint scans every file `.gitignore` does not ignore.
 */
async function trackedFiles(root: string): Promise<string[] | undefined> {
  const run = await runTool('git', ['ls-files', '-z'], root);
  if (run.code !== 0) return undefined;
  // A file deleted in the work tree but not yet in git's index is not there to scan.
  return run.stdout.split('\0').filter((file) => file !== '' && fs.existsSync(path.join(root, file)));
}

async function secretlint(root: string, config: string, targets: readonly string[], glob: boolean) {
  const ignore = path.join(root, '.gitignore');
  // secretlint exits before a large report on a pipe is flushed: it writes its report to a file instead.
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-secretlint-'));
  const report = path.join(directory, 'report.json');
  try {
    const args = [
      nodeModule('secretlint/bin/secretlint.js'),
      '--format',
      'json',
      '--no-color',
      '--output',
      report,
      '--secretlintrc',
      config,
      ...(glob ? (fs.existsSync(ignore) ? ['--secretlintignore', ignore] : []) : ['--no-glob']),
      ...targets,
    ];
    const run = await runTool(process.execPath, args, root);
    // With --output, secretlint exits 0 whatever it finds; anything else is secretlint failing, which fails the gate.
    if (run.code !== 0 || !fs.existsSync(report)) {
      throw new KeelCliError(
        `secretlint could not scan ${root} (${firstLine(run)}); the gate fails closed. Fix: run ` +
          'node node_modules/secretlint/bin/secretlint.js --secretlintrc .secretlintrc.json <file> to see why',
        EXIT.unhealthy,
      );
    }
    return JSON.parse(fs.readFileSync(report, 'utf8')) as SecretlintFile[];
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * A short fingerprint of the line a finding is on (SHA-256 of its trimmed text, 12 hex digits), as secret scanners'
 * baselines keep a hash of what they found: it stays when lines move, and another secret in the same file gets
 * another one, so an acknowledgment never covers a secret added later.
 */
function lineFingerprint(line: string | undefined): string {
  return createHash('sha256')
    .update((line ?? '').trim())
    .digest('hex')
    .slice(0, 12);
}

/**
 * Scans `root` for secrets with secretlint and `config` (the recommended preset): the git-tracked files, or every file
 * that `.gitignore` does not ignore when `root` is no git work tree; `files` (relative to `root`) scans those instead.
 * Each finding's id is `<rule id>:<file>:<line fingerprint>`, so an acknowledgment names one finding, wherever its line
 * moves in the file.
 * @throws KeelCliError (gate failed) when secretlint cannot run.
 */
export async function scanSecrets(
  root: string,
  options: { readonly config?: string; readonly files?: readonly string[] } = {},
): Promise<SecretScan> {
  const config = options.config ?? SECRETLINT_CONFIG;
  const files = options.files ?? (await trackedFiles(root));
  const reports: SecretlintFile[] = [];
  if (files === undefined) {
    reports.push(...(await secretlint(root, config, ['**/*'], true)));
  } else {
    for (let i = 0; i < files.length; i += FILES_PER_RUN) {
      reports.push(...(await secretlint(root, config, files.slice(i, i + FILES_PER_RUN), false)));
    }
  }
  if ((files ?? reports).length === 0) {
    // Nothing scanned is no evidence of no secret: a repository with no tracked file, or a scan that read nothing.
    throw new KeelCliError(
      `secretlint scanned no file under ${root}, which proves nothing; the gate fails closed. Fix: run it in the ` +
        "repository's root, where git ls-files lists its files",
      EXIT.unhealthy,
    );
  }
  const findings = reports.flatMap((report) => {
    const file = path.relative(root, report.filePath).split(path.sep).join('/');
    const lines = report.messages.length > 0 ? fs.readFileSync(report.filePath, 'utf8').split('\n') : [];
    return report.messages.map((message) => ({
      id: `${message.ruleId}:${file}:${lineFingerprint(lines[(message.loc?.start?.line ?? 0) - 1])}`,
      message: `${file}:${message.loc?.start?.line ?? '?'}: ${message.message} (${message.ruleId})`,
      fix:
        'remove the secret from the file and rotate it (git history keeps it), and read it at run time from a ' +
        'ServiceSecret; a made-up one in a test: build it at run time' +
        (message.docsUrl ? ` (${message.docsUrl})` : ''),
    }));
  });
  return {
    tool: packageVersion('secretlint'),
    checked:
      files === undefined
        ? `${reports.length} file(s) not ignored by .gitignore`
        : `${files.length} git-tracked file(s)`,
    findings,
  };
}
