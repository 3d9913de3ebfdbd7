import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunbookChecker, runbookLinkOf } from '../../constructs/observability/runbooks';
import { templateFiles } from './cfn-lint';
import { usageError } from './errors';

export interface RunbookProblem {
  readonly template: string;
  readonly alarm: string;
  readonly problem: string;
}

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: { AlarmName?: unknown; AlarmDescription?: unknown };
}

/** A description written as a plain string or as a Fn::Join of literal parts. */
function literal(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join && join[1].every((part) => typeof part === 'string')) return join[1].join(join[0]);
  return undefined;
}

/**
 * Offline: every alarm in the synthesized templates of `assemblyDir` links a runbook section that exists in
 * `runbooksDir` with every required heading; the same check synth makes, for templates built elsewhere.
 */
export function checkRunbooks(
  assemblyDir: string,
  runbooksDir: string,
): { checked: number; problems: RunbookProblem[] } {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw usageError(`no cloud assembly at ${assemblyDir}: run 'npx cdk synth' first`);
  }
  if (!fs.existsSync(runbooksDir)) throw usageError(`no runbooks directory at ${runbooksDir}: pass --runbooks <dir>`);
  // Stacks inside Stages (the pipeline's) sit in nested assemblies: assembly-<stage>/<stack>.template.json.
  const templates = templateFiles(assemblyDir).sort();
  // A wrong or empty directory would check nothing and pass: refuse it instead.
  if (templates.length === 0) {
    throw usageError(
      `no cloud assembly at ${assemblyDir}: it holds no synthesized template (*.template.json); run 'npx cdk synth' ` +
        'first, or pass the directory cdk synth wrote (cdk.out unless --output says otherwise)',
    );
  }
  const checker = new RunbookChecker(runbooksDir);
  const problems: RunbookProblem[] = [];
  let checked = 0;
  for (const file of templates) {
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm' && resource.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
      checked++;
      const alarm = literal(resource.Properties?.AlarmName) ?? logicalId;
      const link = runbookLinkOf(literal(resource.Properties?.AlarmDescription));
      if (!link) {
        problems.push({
          template: file,
          alarm,
          problem: "its description does not end with 'Runbook: <url>#<anchor>'",
        });
        continue;
      }
      const problem = checker.problem(link.file, link.anchor);
      if (problem) problems.push({ template: file, alarm, problem });
    }
  }
  return { checked, problems };
}
