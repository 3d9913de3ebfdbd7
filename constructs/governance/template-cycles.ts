import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';

/** The plugin's name; its one rule reads `Deployability::CircularDependency`. */
export const DEPLOYABILITY = 'Deployability';
export const CIRCULAR_DEPENDENCY = 'CircularDependency';

interface TemplateResource {
  readonly DependsOn?: string | readonly string[];
  readonly Metadata?: { readonly 'aws:cdk:path'?: string };
  readonly [section: string]: unknown;
}

/**
 * The resources each resource of a template depends on, as CloudFormation orders them: its `DependsOn`, and every
 * `Ref`, `Fn::GetAtt` and `Fn::Sub` reference to another resource anywhere in its properties, update policy,
 * creation policy or condition. A reference inside `UpdatePolicy` counts too: CloudFormation must know the hook a
 * `CodeDeployLambdaAliasUpdate` names before it updates the alias.
 */
export function dependencies(resources: Readonly<Record<string, TemplateResource>>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const found = new Set<string>();
    const dependsOn = resource.DependsOn;
    for (const target of typeof dependsOn === 'string' ? [dependsOn] : (dependsOn ?? [])) found.add(target);
    for (const [section, value] of Object.entries(resource)) {
      if (!NOT_REFERENCES.has(section)) collectReferences(value, found);
    }
    graph.set(id, new Set([...found].filter((target) => Object.hasOwn(resources, target))));
  }
  return graph;
}

/** Sections of a resource that hold no references: its type, its construct metadata, and DependsOn (read apart). */
const NOT_REFERENCES = new Set(['Type', 'Metadata', 'DependsOn']);

function collectReferences(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'Ref' && typeof inner === 'string') found.add(inner);
    else if (key === 'Fn::GetAtt') {
      if (Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
      else if (typeof inner === 'string') found.add(inner.split('.')[0]);
    } else if (key === 'Fn::Sub') {
      const text = typeof inner === 'string' ? inner : Array.isArray(inner) ? inner[0] : undefined;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) found.add(match[1].split('.')[0]);
      }
      if (Array.isArray(inner)) collectReferences(inner[1], found);
      continue;
    }
    collectReferences(inner, found);
  }
}

/**
 * The loops of a dependency graph: its strongly connected components of two or more resources, and resources that
 * depend on themselves (Tarjan's algorithm, iterative so that a long chain cannot overflow the stack). Each loop is
 * sorted by logical id, and the loops by their first id, so the message is the same on every synth.
 */
export function dependencyCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const lowOf = (node: string): number => low.get(node) ?? Number.POSITIVE_INFINITY;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; targets: string[] }[] = [];
    const visit = (node: string): void => {
      index.set(node, index.size);
      low.set(node, index.size - 1);
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...(graph.get(node) ?? [])] });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const target = frame.targets.pop();
      if (target !== undefined) {
        const seen = index.get(target);
        if (seen === undefined) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(lowOf(frame.node), seen));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(lowOf(parent.node), lowOf(frame.node)));
      if (lowOf(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === frame.node) break;
      }
      if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) cycles.push(component.sort());
    }
  }
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * Refuses templates that CloudFormation would reject because their resources depend on each other in a loop
 * ("Circular dependency between resources"). aws-cdk-lib resolves construct dependencies but does not look for loops
 * that references create in the synthesized template, and its CloudFormation validator does not either; cfn-lint's
 * E3004 does, and the tests hold this check to the same answer on the same templates.
 */
export class TemplateCycles implements IPolicyValidationPluginBeta1 {
  public readonly name = DEPLOYABILITY;
  public readonly ruleIds = [CIRCULAR_DEPENDENCY];

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const violations: PolicyValidationPluginReportBeta1['violations'][number][] = [];
    const where = constructsByTemplate(context.appConstruct);
    for (const templatePath of context.templatePaths) {
      const inTemplate = where.get(path.basename(templatePath));
      const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as {
        Resources?: Record<string, TemplateResource>;
      };
      const resources = template.Resources ?? {};
      for (const cycle of dependencyCycles(dependencies(resources))) {
        const loop = cycle
          .map((id) => `${id} (${inTemplate?.paths.get(id) ?? resources[id].Metadata?.['aws:cdk:path'] ?? '?'})`)
          .join(', ');
        violations.push({
          ruleName: CIRCULAR_DEPENDENCY,
          description:
            `CloudFormation would reject stack ${inTemplate?.stackName ?? path.basename(templatePath)}: ` +
            `these resources depend on each other in a loop, through ` +
            `references (Ref, Fn::GetAtt, Fn::Sub, also inside an UpdatePolicy) or DependsOn: ${loop}.`,
          fix:
            'Break the loop: remove one reference between these resources, e.g. pass a value the resource can ' +
            'find at run time instead of a reference, or move one resource to where it no longer needs the other. ' +
            'An acknowledgment cannot make CloudFormation accept the template.',
          severity: 'fatal',
          violatingResources: cycle.map((resourceLogicalId) => ({
            resourceLogicalId,
            templatePath,
            locations: [`/Resources/${resourceLogicalId}`],
          })),
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

/** Each template's stack name and the construct path of each logical id, by template file name. */
function constructsByTemplate(app: IConstruct): Map<string, { stackName: string; paths: Map<string, string> }> {
  const found = new Map<string, { stackName: string; paths: Map<string, string> }>();
  for (const construct of app.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const stack = Stack.of(construct);
    let entry = found.get(stack.templateFile);
    if (!entry) found.set(stack.templateFile, (entry = { stackName: stack.stackName, paths: new Map() }));
    entry.paths.set(stack.resolve(construct.logicalId) as string, construct.node.path);
  }
  return found;
}
