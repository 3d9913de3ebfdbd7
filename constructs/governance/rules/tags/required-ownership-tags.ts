import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from '../../nag';
import { OwnershipTags } from '../../ownership-tags';
import { STANDARD_TAG_KEYS, missingTagKeys, renderedTags } from '../../tags';
import type { KeelRule } from '../keel-rule';

/** Every taggable resource carries the ownership tags in its template; one finding per missing key. */
export function RequiredOwnershipTags(resource: CfnResource): NagRuleResult {
  if (!renderedTags(resource)) return NagRuleCompliance.NOT_APPLICABLE;
  const required = OwnershipTags.of(resource)?.requiredKeys ?? STANDARD_TAG_KEYS;
  const missing = missingTagKeys(resource, required);
  return missing.length === 0 ? NagRuleCompliance.COMPLIANT : missing.map((key) => `Tag::${key}`);
}

export const requiredOwnershipTags: KeelRule = {
  name: 'RequiredOwnershipTags',
  info: 'The resource lacks a required ownership tag (Owner, Service, Environment, CostCenter, DataClassification, or a key the owner team requires).',
  explanation:
    'Untagged resources have no owner to page, no budget to charge and no classification to protect them by. ' +
    "Add OwnershipTags to the resource's stack, and don't remove tags from resources under it.",
  check: RequiredOwnershipTags,
};
