import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance, type IApplyRule, type NagPack, type NagRuleResult } from './nag';
import type { IConstruct } from 'constructs';

/** One finding of a rule pack on one resource, acknowledged or not. */
export interface PackFinding {
  readonly pack: string;
  /** The rule, e.g. `AwsSolutions-IAM5`. */
  readonly ruleId: string;
  /** What an acknowledgment names, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly findingId: string;
  /** Construct path of the resource. */
  readonly path: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly info: string;
  /** Path of the construct whose acknowledgment covers this finding; absent when none does. */
  readonly acknowledgedAt?: string;
}

/**
 * Everything the rule packs found during one synth, acknowledged findings included, which cdk-nag itself
 * drops before reporting. The compliance report and stale-acknowledgment detection are built from it.
 */
export class FindingLog {
  public readonly findings: PackFinding[] = [];
  /** The resources each pack checked, by pack name. */
  public readonly checked = new Map<string, Set<IConstruct>>();

  public record(pack: string, params: IApplyRule, ruleId: string, result: NagRuleResult | Error): void {
    let checked = this.checked.get(pack);
    if (!checked) this.checked.set(pack, (checked = new Set()));
    checked.add(params.node);
    // Most calls end here: every rule of a pack sees every resource, and most do not apply to it.
    if (result === NagRuleCompliance.COMPLIANT || result === NagRuleCompliance.NOT_APPLICABLE) return;

    const path = params.node.node.path;
    let findingIds: string[] = [];
    if (result instanceof Error || result === NagRuleCompliance.NON_COMPLIANT) findingIds = [ruleId];
    else if (Array.isArray(result)) findingIds = result.map((finding) => `${ruleId}[${finding}]`);
    const severity =
      params.level === NagMessageLevel.ERROR ? 'error' : params.level === NagMessageLevel.WARN ? 'warning' : 'info';
    const info =
      result instanceof Error
        ? `${params.info} (the rule could not evaluate the resource, usually because a property is an unresolved token: ${result.message})`
        : params.info;
    for (const findingId of findingIds) {
      const acknowledgedAt = acknowledgingScope(params.node, findingId);
      this.findings.push({
        pack,
        ruleId,
        findingId,
        path,
        severity,
        info,
        ...(acknowledgedAt ? { acknowledgedAt } : {}),
      });
    }
  }
}

/**
 * `AwsSolutions-IAM5[Action::s3:List*]` belongs to the family `AwsSolutions-IAM5[*]`: an acknowledgment of the family
 * covers every finding of that rule under its scope, whatever the brackets hold. For generated resources a team
 * does not write (CDK Pipelines' step roles), whose findings name generated logical ids.
 */
export function ruleFamilyOf(findingId: string): string {
  const bracket = findingId.indexOf('[');
  return bracket > 0 ? `${findingId.slice(0, bracket)}[*]` : findingId;
}

/**
 * The path of the nearest construct, the resource itself or an ancestor, that acknowledges `findingId` or its family.
 *
 * Mirrors the lookup cdk-nag makes before it drops a finding, `NagPack.isAcknowledged` (src/nag-pack.ts in cdk-nag
 * 3.0.2; node_modules/cdk-nag/lib/nag-pack.js): the walk from the resource up through its scopes, aws-cdk-lib's
 * acknowledged-rules metadata, and the `annotation::` prefix stripped from its keys. That method is *private*, so any
 * cdk-nag release, a patch release too, may change it without notice. Should the two disagree, the report would call
 * a finding acknowledged that cdk-nag reports, or open one that cdk-nag drops; test/constructs/governance/
 * finding-log.test.ts compares them on the resource itself, a parent, the stack and a sibling.
 */
export function acknowledgingScope(resource: IConstruct, findingId: string): string | undefined {
  for (let scope: IConstruct | undefined = resource; scope; scope = scope.node.scope) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      const ids = Object.keys(entry.data as Record<string, string>).map((key) => key.replace(/^annotation::/i, ''));
      if (ids.includes(findingId) || ids.includes(ruleFamilyOf(findingId))) return scope.node.path;
    }
  }
  return undefined;
}

/**
 * Instruments a cdk-nag pack in place, replacing three of its methods on the instance, and returns it: the pack
 * then checks only `stacks`, tells `log` about every finding (acknowledged ones included), and takes a family
 * acknowledgment (`Rule[*]`) for each finding of the rule. Otherwise what it reports to aws-cdk-lib is unchanged, and
 * each rule is still evaluated once.
 *
 * cdk-nag 3 routes every resource through the pack's protected `checkResource`, every rule through its protected
 * `applyRule`, and every acknowledgment lookup through its *private* `isAcknowledged`, and offers no hook for any of
 * them; subclassing each pack class instead would fight their abstract members. A cdk-nag release that renames or
 * reshapes one of the three breaks this: instrumentPack then throws, naming the missing method, or
 * test/constructs/governance/finding-log.test.ts fails on the changed behaviour.
 */
export function instrumentPack(pack: NagPack, stacks: ReadonlySet<Stack>, log: FindingLog): NagPack {
  for (const method of ['checkResource', 'applyRule', 'isAcknowledged'] as const) {
    if (typeof pack[method] !== 'function') {
      throw new Error(
        `cdk-nag's ${pack.constructor.name} has no method ${method}, which Keel instruments (finding-log.ts)`,
      );
    }
  }
  const applyRule = pack['applyRule'].bind(pack);
  // cdk-nag evaluates rules one at a time, synchronously: one replay function serves every call.
  let result: NagRuleResult | Error = NagRuleCompliance.NOT_APPLICABLE;
  const replay = (): NagRuleResult => {
    if (result instanceof Error) throw result;
    return result;
  };
  // cdk-nag matches acknowledgments by exact id; family acknowledgments (`Rule[*]`) are Keel's.
  const isAcknowledged = pack['isAcknowledged'].bind(pack);
  pack['isAcknowledged'] = (node: IConstruct, id: string): boolean =>
    isAcknowledged(node, id) || (ruleFamilyOf(id) !== id && isAcknowledged(node, ruleFamilyOf(id)));
  const checkResource = pack['checkResource'].bind(pack);
  pack['checkResource'] = (node: CfnResource): void => {
    if (stacks.has(Stack.of(node))) checkResource(node);
  };
  pack['applyRule'] = (params: IApplyRule): void => {
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    try {
      result = params.rule(params.node);
    } catch (error) {
      result = error instanceof Error ? error : new Error(String(error));
    }
    log.record(pack.readPackName, params, `${pack.readPackName}-${suffix}`, result);
    // cdk-nag's applyRule acts only on NON_COMPLIANT, on findings (an array) and on an error (src/nag-pack.ts in
    // cdk-nag 3.0.2); for the rest it has nothing to do, and most calls are the rest.
    if (result === NagRuleCompliance.COMPLIANT || result === NagRuleCompliance.NOT_APPLICABLE) return;
    applyRule({ ...params, ruleSuffixOverride: suffix, rule: replay });
  };
  return pack;
}
