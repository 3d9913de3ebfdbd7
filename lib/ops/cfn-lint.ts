import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { usageError } from './errors';

/** The root of the repository this keel belongs to: scripts/install-python-tools.cjs installs cfn-lint there. */
const KEEL_ROOT = path.resolve(__dirname, '..', '..');

/** How to get the pinned cfn-lint; `npm run setup` runs the script for every Python tool. */
export const CFN_LINT_INSTALL_HINT =
  "install it with 'npm run setup' (or: node scripts/install-python-tools.cjs cfn-lint), which needs Python 3";

/** cfn-lint's exit codes: a bitmask of 2 (errors), 4 (warnings) and 8 (informational); 0 when nothing was found. */
const LEVEL_BITS: Readonly<Record<CfnLintLevel, number>> = { Error: 2, Warning: 4, Informational: 8 };

/** The executable `keel validate` runs: `KEEL_CFN_LINT`, or the pinned one in the keel repository's `.venv`. */
export function cfnLintExecutable(env: NodeJS.ProcessEnv = process.env): { path: string; fromEnv: boolean } {
  const override = env.KEEL_CFN_LINT;
  if (override) return { path: path.resolve(override), fromEnv: true };
  return { path: path.join(KEEL_ROOT, '.venv', 'bin', 'cfn-lint'), fromEnv: false };
}

/** One synthesized template of a cloud assembly. */
export interface AssemblyTemplate {
  /** Its path relative to the assembly directory, e.g. `assembly-Orders-dev/OrdersdevService52E898FC.template.json`. */
  readonly file: string;
  /** The stack name its manifest.json gives, or the file when no manifest names it. */
  readonly stack: string;
  /** The region the manifest deploys it to, when the manifest says. */
  readonly region?: string;
  /** The construct path of each resource by logical id, from its `aws:cdk:path` metadata. */
  readonly constructPaths: Readonly<Record<string, string>>;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Template files of the assembly in `dir` and of the nested `assembly-*` directories of Stages, relative to `root`:
 * the only places a cloud assembly keeps templates, so a wrong directory is not searched through.
 */
export function templateFiles(root: string, dir = ''): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.template.json')) found.push(relative);
    else if (entry.isDirectory() && entry.name.startsWith('assembly-')) found.push(...templateFiles(root, relative));
  }
  return found;
}

/** Stack name and region of every stack artifact the manifests of the assembly declare, by template file. */
function stacksByTemplate(root: string, files: readonly string[]): Map<string, { stack: string; region?: string }> {
  const stacks = new Map<string, { stack: string; region?: string }>();
  for (const dir of new Set(['', ...files.map((file) => path.dirname(file))])) {
    const manifest = readJson(path.join(root, dir, 'manifest.json')) as
      { artifacts?: Record<string, ManifestArtifact> } | undefined;
    for (const [id, artifact] of Object.entries(manifest?.artifacts ?? {})) {
      const templateFile = artifact.properties?.templateFile;
      if (artifact.type !== 'aws:cloudformation:stack' || typeof templateFile !== 'string') continue;
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
      stacks.set(path.join(dir, templateFile), {
        stack: artifact.properties?.stackName ?? id,
        ...(region && region !== 'unknown-region' ? { region } : {}),
      });
    }
  }
  return stacks;
}

/**
 * Every `*.template.json` of the cloud assembly in `assemblyDir`, nested Stage assemblies included, in file order.
 * @throws KeelCliError (usage) when there is no assembly or no template in it.
 */
export function assemblyTemplates(assemblyDir: string): AssemblyTemplate[] {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw usageError(`no cloud assembly at ${assemblyDir}: run 'npx cdk synth' first, or pass its directory`);
  }
  const files = templateFiles(assemblyDir).sort();
  if (files.length === 0) {
    throw usageError(`no *.template.json in ${assemblyDir}: run 'npx cdk synth' first, or pass the cdk.out directory`);
  }
  const stacks = stacksByTemplate(assemblyDir, files);
  return files.map((file) => {
    const template = readJson(path.join(assemblyDir, file)) as
      { Resources?: Record<string, { Metadata?: { 'aws:cdk:path'?: unknown } } | null> } | undefined;
    const constructPaths: Record<string, string> = {};
    for (const [logicalId, resource] of Object.entries(template?.Resources ?? {})) {
      const constructPath = resource?.Metadata?.['aws:cdk:path'];
      if (typeof constructPath === 'string') constructPaths[logicalId] = constructPath;
    }
    return { file, stack: file, ...stacks.get(file), constructPaths };
  });
}

export type CfnLintLevel = 'Error' | 'Warning' | 'Informational';

/** One match of cfn-lint's `--format json` output, as far as Keel reads it. */
export interface CfnLintMatch {
  /** The template, as passed: relative to the assembly directory. */
  readonly Filename: string;
  readonly Level: CfnLintLevel;
  readonly Message: string;
  /** Where in the template, e.g. `['Resources', 'AlertsTopic', 'DependsOn']`. */
  readonly Location?: { readonly Path?: readonly (string | number)[] };
  readonly Rule: {
    readonly Id: string;
    readonly Description?: string;
    readonly ShortDescription?: string;
    readonly Source?: string;
  };
}

export interface CfnLintRun {
  /** e.g. `1.58.0`, or `unknown` when it could not be told. */
  readonly version: string;
  readonly matches: readonly CfnLintMatch[];
}

function crashed(executable: string, what: string, stdout: string, stderr: string): Error {
  const said = (stderr.trim() || stdout.trim()).split('\n').slice(-20).join('\n');
  return usageError(`cfn-lint (${executable}) ${what}; nothing was validated${said ? `. It said:\n${said}` : ''}`);
}

function isMatch(value: unknown): value is CfnLintMatch {
  const match = value as Partial<CfnLintMatch> | null;
  return (
    typeof match === 'object' &&
    match !== null &&
    typeof match.Filename === 'string' &&
    typeof match.Message === 'string' &&
    typeof match.Level === 'string' &&
    Object.hasOwn(LEVEL_BITS, match.Level) &&
    typeof match.Rule?.Id === 'string'
  );
}

/** The version of the cfn-lint installed next to `executable` in a virtual environment, without starting Python. */
function installedVersion(executable: string): string | undefined {
  try {
    const lib = path.join(path.dirname(fs.realpathSync(executable)), '..', 'lib');
    for (const python of fs.readdirSync(lib)) {
      const sitePackages = path.join(lib, python, 'site-packages');
      if (!fs.existsSync(sitePackages)) continue;
      const info = fs.readdirSync(sitePackages).find((name) => /^cfn_lint-.+\.dist-info$/.test(name));
      if (info) return /^cfn_lint-(.+)\.dist-info$/.exec(info)?.[1];
    }
  } catch {
    // not a virtual environment's layout: ask the executable
  }
  return undefined;
}

function reportedVersion(executable: string): string {
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8' });
  return /cfn-lint (\S+)/.exec(result.stdout ?? '')?.[1] ?? 'unknown';
}

/**
 * Checks that the cfn-lint to run exists.
 * @throws KeelCliError (usage) saying how to install it.
 */
export function requireCfnLint(executable: { path: string; fromEnv: boolean }): void {
  if (!fs.existsSync(executable.path)) {
    throw usageError(
      executable.fromEnv
        ? `KEEL_CFN_LINT is ${executable.path}, which does not exist: point it at a cfn-lint executable, or unset ` +
            `it and ${CFN_LINT_INSTALL_HINT}`
        : `cfn-lint is not installed at ${executable.path}: ${CFN_LINT_INSTALL_HINT}`,
    );
  }
}

/**
 * Runs cfn-lint once over `templates` (paths relative to `assemblyDir`), checking them for `regions`.
 *
 * Its own configuration files (`.cfnlintrc` in the working or home directory) are not read: warnings are
 * acknowledged in one reviewed file, not switched off elsewhere.
 *
 * @throws KeelCliError (usage) when cfn-lint is missing or crashes (output that is not its JSON, or an exit code
 *   outside its bitmask), so that a broken linter is never a pass.
 */
export async function runCfnLint(
  executable: { path: string; fromEnv: boolean },
  assemblyDir: string,
  templates: readonly string[],
  regions: readonly string[],
): Promise<CfnLintRun> {
  requireCfnLint(executable);
  const args = [
    '--format',
    'json',
    '--non-zero-exit-code',
    'informational',
    '--config-file',
    os.devNull,
    ...(regions.length > 0 ? ['--regions', ...regions] : []),
    '--',
    ...templates,
  ];
  const { code, signal, stdout, stderr } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(executable.path, args, { cwd: assemblyDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) =>
      reject(usageError(`could not run cfn-lint (${executable.path}): ${error.message}; ${CFN_LINT_INSTALL_HINT}`)),
    );
    child.once('close', (exitCode, exitSignal) =>
      resolve({
        code: exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
  if (code === null) throw crashed(executable.path, `was stopped by ${signal}`, stdout, stderr);
  if (code % 2 !== 0 || code > 14) throw crashed(executable.path, `failed with exit code ${code}`, stdout, stderr);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw crashed(executable.path, `exited with ${code} without its JSON report`, stdout, stderr);
  }
  if (!Array.isArray(parsed) || !parsed.every(isMatch)) {
    throw crashed(executable.path, `exited with ${code} with JSON that is not a list of findings`, stdout, stderr);
  }
  const expected = parsed.reduce((bits, match) => bits | LEVEL_BITS[match.Level], 0);
  if (expected !== code) {
    throw crashed(executable.path, `exited with ${code}, but its findings make ${expected}`, stdout, stderr);
  }
  return { version: installedVersion(executable.path) ?? reportedVersion(executable.path), matches: parsed };
}
