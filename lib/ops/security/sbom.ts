import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, KeelCliError, usageError } from '../errors';
import { firstLine, nodeModule, packageVersion, runTool } from './tools';

/** Where the pipeline keeps each release's SBOM: in the synth step's output, stored by CodePipeline per execution. */
export const PIPELINE_SBOM_FILE = 'cdk.out/sbom.cdx.json';

export interface SbomResult {
  readonly tool: string;
  readonly file: string;
  /** How many components (packages) the SBOM lists, nested ones included. */
  readonly components: number;
  readonly specVersion: string;
}

interface Component {
  readonly components?: readonly Component[];
}

const count = (components: readonly Component[] = []): number =>
  components.reduce((sum, component) => sum + 1 + count(component.components), 0);

/**
 * Writes the CycloneDX SBOM (JSON) of the production dependencies of the npm project in `root` to `file`, with
 * `cyclonedx-npm --omit dev --output-format JSON --validate`: it reads the installed node_modules, so run it after
 * `npm ci`, and it validates the result against the CycloneDX schema before writing it.
 * @throws KeelCliError (gate failed) when cyclonedx-npm fails or writes no SBOM.
 */
export async function writeSbom(root: string, file: string): Promise<SbomResult> {
  const output = path.resolve(root, file);
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw usageError(`--out ${JSON.stringify(file)} cannot be written (${reason}); pass a writable file path`);
  }
  const run = await runTool(
    process.execPath,
    [
      nodeModule('@cyclonedx/cyclonedx-npm/bin/cyclonedx-npm-cli.js'),
      '--omit',
      'dev',
      '--output-format',
      'JSON',
      '--validate',
      '--output-file',
      output,
      path.join(root, 'package.json'),
    ],
    root,
  );
  if (run.code !== 0 || !fs.existsSync(output)) {
    throw new KeelCliError(
      `sbom: cyclonedx-npm could not write ${output} (${firstLine(run)}); fix: run npm ci first, then rerun`,
      EXIT.unhealthy,
    );
  }
  const bom = JSON.parse(fs.readFileSync(output, 'utf8')) as { specVersion: string; components?: Component[] };
  return {
    tool: packageVersion('@cyclonedx/cyclonedx-npm'),
    file: output,
    components: count(bom.components),
    specVersion: bom.specVersion,
  };
}
