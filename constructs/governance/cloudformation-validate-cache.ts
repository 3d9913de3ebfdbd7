import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFormationValidatePlugin,
  type App,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyValidationStack,
  type PolicyViolatingResource,
} from 'aws-cdk-lib';
import { ResultCache, keelCacheDirectory } from './result-cache';

type Violation = PolicyValidationPluginReport['violations'][number];

/** A finding as kept for one template: the resource's template path and stack path are the current synth's. */
interface CachedViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly fix?: string;
  readonly ruleMetadata?: Readonly<Record<string, string>>;
  readonly resources: readonly { readonly resourceLogicalId?: string; readonly locations: readonly string[] }[];
}

const CDK_DIRECTORY = path.dirname(require.resolve('aws-cdk-lib/package.json'));
const versionOf = (packageJson: string): string =>
  (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string }).version;
const CDK_VERSION = versionOf(path.join(CDK_DIRECTORY, 'package.json'));
const ENGINE_VERSION = versionOf(
  require.resolve('@aws/cloudformation-validate/package.json', { paths: [CDK_DIRECTORY] }),
);

/**
 * Where results are kept between synths (see keelCacheDirectory): safe to delete, and fine for CI and the pipeline
 * to keep between runs (every entry is keyed by content).
 */
export const CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY = keelCacheDirectory('cloudformation-validate');

/** The part of aws-cdk-lib's plugin this one relies on to start the engine once for all templates of a synth. */
interface EngineStart {
  initializeEngine?: (resourceTypes: Set<string>) => unknown;
}

function resourceTypesOf(templates: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const template of templates) {
    try {
      const parsed = JSON.parse(template) as { Resources?: Record<string, { Type?: unknown } | null> };
      for (const resource of Object.values(parsed.Resources ?? {})) {
        if (typeof resource?.Type === 'string') types.add(resource.Type);
      }
    } catch {
      // As aws-cdk-lib does: a template that is not JSON contributes no types, and the engine reports on it.
    }
  }
  return types;
}

function toCached(violations: readonly Violation[]): CachedViolation[] {
  return violations.map((violation) => ({
    ruleName: violation.ruleName,
    description: violation.description,
    severity: violation.severity,
    fix: violation.fix,
    ruleMetadata: violation.ruleMetadata,
    resources: violation.violatingResources.map((resource) => ({
      resourceLogicalId: resource.resourceLogicalId,
      locations: resource.locations,
    })),
  }));
}

/**
 * Adds one template's findings to the report the way aws-cdk-lib's plugin does: a finding with the same rule,
 * severity and description as one already reported gains a resource, anything else is a new finding.
 */
function replay(report: Violation[], cached: readonly CachedViolation[], stack: PolicyValidationStack): void {
  for (const violation of cached) {
    for (const resource of violation.resources) {
      const violatingResource: PolicyViolatingResource = {
        resourceLogicalId: resource.resourceLogicalId,
        constructPath: resource.resourceLogicalId ? undefined : stack.stackConstructPath,
        templatePath: stack.templatePath,
        locations: [...resource.locations],
      };
      const existing = report.find(
        (v) =>
          v.ruleName === violation.ruleName &&
          v.severity === violation.severity &&
          v.description === violation.description,
      );
      if (existing) existing.violatingResources.push(violatingResource);
      else {
        report.push({
          ruleName: violation.ruleName,
          description: violation.description,
          severity: violation.severity,
          fix: violation.fix,
          violatingResources: [violatingResource],
          ruleMetadata: violation.ruleMetadata ? { ...violation.ruleMetadata } : undefined,
        });
      }
    }
  }
}

/**
 * aws-cdk-lib's own CloudFormation validator, with its findings kept per template: a template it checked before,
 * byte for byte, for the same stack, account and region, by the same aws-cdk-lib and engine versions, gets that
 * check's findings again without starting the engine (about 3 s). Set KEEL_CLOUDFORMATION_VALIDATE_CACHE=off to
 * always run it.
 *
 * It keeps the plugin's name, so aws-cdk-lib treats it as its own validator: it replaces the one it would register,
 * its errors become warnings unless the validate-against-default-rules flag says otherwise, and acknowledgments
 * apply to the findings as they would to the original's, with the construct paths of the current synth.
 */
export class CachedCloudFormationValidate extends CloudFormationValidatePlugin {
  private static instance?: CachedCloudFormationValidate;

  /**
   * @param cacheDirectory where the findings are kept; tests give their own.
   * @param versions the aws-cdk-lib and engine versions the findings are kept under; tests give others.
   */
  constructor(
    cacheDirectory: string = CLOUDFORMATION_VALIDATE_CACHE_DIRECTORY,
    private readonly versions: { readonly cdk: string; readonly engine: string } = {
      cdk: CDK_VERSION,
      engine: ENGINE_VERSION,
    },
  ) {
    super();
    this.cache = new ResultCache(cacheDirectory, 'KEEL_CLOUDFORMATION_VALIDATE_CACHE');
  }

  private readonly cache: ResultCache<CachedViolation>;

  /**
   * The plugin to register on an app, or undefined where aws-cdk-lib would run no validator: the App's
   * `builtinCloudFormationValidation` is off, or CDK_VALIDATION=false. One instance per process, as aws-cdk-lib's
   * own, so that an engine started once serves every app.
   */
  public static forApp(app: App): CachedCloudFormationValidate | undefined {
    const builtin = (app as unknown as { _builtinCloudFormationValidation?: boolean })._builtinCloudFormationValidation;
    if (builtin === false || process.env.CDK_VALIDATION === 'false') return undefined;
    return (CachedCloudFormationValidate.instance ??= new CachedCloudFormationValidate());
  }

  /** The engine's version, read from its package without loading the engine. */
  public override get version(): string {
    return ENGINE_VERSION;
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = new Map(
      context.stackTemplates.map((s) => [s.templatePath, fs.readFileSync(s.templatePath, 'utf8')]),
    );
    const keyOf = (stack: PolicyValidationStack): string =>
      ResultCache.key(
        this.versions.cdk,
        this.versions.engine,
        stack.stackConstructPath,
        stack.accountId ?? '',
        stack.region ?? '',
        templates.get(stack.templatePath) ?? '',
      );
    const found = new Map<PolicyValidationStack, CachedViolation[]>();
    for (const stack of context.stackTemplates) {
      const cached = this.cache.read(keyOf(stack));
      if (cached) found.set(stack, cached);
    }
    const missed = context.stackTemplates.filter((stack) => !found.has(stack));
    if (missed.length > 0) {
      // The engine starts once, with the rules for every template's resource types, as aws-cdk-lib's plugin does.
      (this as unknown as EngineStart).initializeEngine?.(resourceTypesOf([...templates.values()]));
      for (const stack of missed) {
        const checked = toCached(
          super.validate({ ...context, templatePaths: [stack.templatePath], stackTemplates: [stack] }).violations,
        );
        this.cache.write(keyOf(stack), checked);
        found.set(stack, checked);
      }
    }
    const violations: Violation[] = [];
    for (const stack of context.stackTemplates) replay(violations, found.get(stack) ?? [], stack);
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }
}
