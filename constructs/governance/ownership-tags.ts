import { CfnResource, Tags } from 'aws-cdk-lib';
import { Construct, type IConstruct, type IValidation } from 'constructs';
import { KeelValidationError, problemsToMessages, type Problem } from '../errors';
import { dataClassificationProblem, type DataClassification } from './data-classification';
import { STANDARD_TAG_KEYS, missingTagKeys, tagValueProblem } from './tags';

export interface OwnershipTagsProps {
  /** The owning team's id: the `Owner` tag. */
  readonly owner: string;
  /** The service's name: the `Service` tag. */
  readonly service: string;
  /** The environment's name: the `Environment` tag. */
  readonly environment: string;
  /** The owning team's cost center: the `CostCenter` tag. */
  readonly costCenter: string;
  /** The sensitivity of the service's data: the `DataClassification` tag. */
  readonly dataClassification: DataClassification;
  /**
   * More tags to apply, e.g. values for `extraRequiredKeys`.
   * @default - none
   */
  readonly extraTags?: Readonly<Record<string, string>>;
  /**
   * Tag keys required on top of the standard five (a team's extra keys from the platform config).
   * @default - only the standard five
   */
  readonly extraRequiredKeys?: readonly string[];
  /**
   * Where a user fixes a missing tag value; quoted in error messages.
   * @default 'the OwnershipTags props'
   */
  readonly configHint?: string;
}

/**
 * Tags every taggable resource under its scope with the ownership tags. Fails at once, naming the keys, when a
 * required key is given no value; and fails the synth, listing each construct path and missing key, when a taggable
 * resource under the scope still ends up without one (a construct removed or overrode its tags).
 *
 * Add one per stack: `new OwnershipTags(stack, 'OwnershipTags', { ... })`.
 */
export class OwnershipTags extends Construct {
  /** Finds the ownership tags that govern a construct: those of its nearest ancestor that has them. */
  public static of(construct: IConstruct): OwnershipTags | undefined {
    for (let scope: IConstruct | undefined = construct; scope; scope = scope.node.scope) {
      const found = scope.node.children.find((child): child is OwnershipTags => child instanceof OwnershipTags);
      if (found) return found;
    }
    return undefined;
  }

  /** Every tag key required under this scope. */
  public readonly requiredKeys: readonly string[];
  /** The tags applied, by key. */
  public readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: OwnershipTagsProps) {
    super(scope, id);
    const tags: Record<string, string> = {
      ...props.extraTags,
      Owner: props.owner,
      Service: props.service,
      Environment: props.environment,
      CostCenter: props.costCenter,
      DataClassification: props.dataClassification,
    };
    const problems: Problem[] = [];
    for (const [key, value] of Object.entries(tags)) {
      const problem = tagValueProblem(value);
      if (problem) {
        problems.push({
          where: `${scope.node.path} tag ${key}`,
          what: `${JSON.stringify(value)} ${problem}`,
          fix: `give ${key} a value in ${props.configHint ?? 'the OwnershipTags props'}`,
        });
      }
    }
    // A required key with no value here would be missing on every resource: said once, not once per resource.
    const unset = (props.extraRequiredKeys ?? []).filter((key) => !Object.hasOwn(tags, key));
    if (unset.length > 0) {
      problems.push({
        where: `${scope.node.path} tags`,
        what: `${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} required (extraRequiredKeys) but given no value`,
        fix: `give ${unset.join(', ')} a value in ${props.configHint ?? 'the extraTags of the OwnershipTags props'}`,
      });
    }
    const classificationProblem = dataClassificationProblem(props.dataClassification);
    if (classificationProblem) {
      problems.push({ where: `${scope.node.path} tag DataClassification`, ...classificationProblem });
    }
    if (problems.length > 0) {
      throw new KeelValidationError(`Ownership tags for ${scope.node.path} are invalid:`, problems);
    }

    this.tags = tags;
    this.requiredKeys = [...STANDARD_TAG_KEYS, ...(props.extraRequiredKeys ?? [])];
    for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
    scope.node.addValidation(new RequiredTagsValidation(scope, this.requiredKeys, props.configHint));
  }
}

/** Read-only: lists every taggable resource under a scope that lacks a required tag. */
class RequiredTagsValidation implements IValidation {
  constructor(
    private readonly scope: IConstruct,
    private readonly requiredKeys: readonly string[],
    private readonly configHint: string | undefined,
  ) {}

  public validate(): string[] {
    const gaps: string[] = [];
    for (const construct of this.scope.node.findAll()) {
      if (!CfnResource.isCfnResource(construct)) continue;
      const missing = missingTagKeys(construct, this.requiredKeys);
      if (missing.length > 0) gaps.push(`    ${construct.node.path} lacks ${missing.join(', ')}`);
    }
    if (gaps.length === 0) return [];
    return problemsToMessages([
      {
        where: this.scope.node.path,
        what: `${gaps.length} resource(s) lack required tags (${this.requiredKeys.join(', ')}):\n${gaps.join('\n')}`,
        fix:
          `set the missing values in ${this.configHint ?? 'the OwnershipTags props'}; if a construct removes or ` +
          'overrides tags (Tags.of(x).remove, excludeResourceTypes, a tag with higher priority), stop it from doing so',
      },
    ]);
  }
}
