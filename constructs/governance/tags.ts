import { TagManager, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The tags every taggable resource must carry (README.md; `OwnershipTags` sets them). */
export const STANDARD_TAG_KEYS = ['Owner', 'Service', 'Environment', 'CostCenter', 'DataClassification'] as const;

/** What a tag value may hold, as error messages say it. */
export const TAG_VALUE_CHARACTERS = 'letters, digits, spaces and _ . : / = + - @';

const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Says what is wrong with a tag value, or `undefined` when CloudFormation and Keel accept it.
 * Keel refuses empty values: an empty `Owner` owns nothing.
 */
export function tagValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'is empty; a tag needs a value';
  if (value.length > 256) return `is ${value.length} characters long; tag values allow at most 256`;
  if (!TAG_VALUE.test(value)) return `has characters tags do not allow (use ${TAG_VALUE_CHARACTERS})`;
  return undefined;
}

/**
 * The tags a CloudFormation resource will carry in its template (those given to the resource and those applied
 * by `Tags.of`), or `undefined` when the resource type cannot be tagged.
 */
export function renderedTags(resource: CfnResource): Record<string, string> | undefined {
  return tagManagerOf(resource)?.tagValues();
}

/** Which of `keys` a resource lacks or carries with an empty value; empty for untaggable resources. */
export function missingTagKeys(resource: CfnResource, keys: readonly string[]): string[] {
  const tags = renderedTags(resource);
  if (!tags) return [];
  return keys.filter((key) => !tags[key]?.trim());
}

function tagManagerOf(construct: IConstruct): TagManager | undefined {
  if (TagManager.isTaggable(construct)) return construct.tags;
  if (TagManager.isTaggableV2(construct)) return construct.cdkTagManager;
  return undefined;
}
