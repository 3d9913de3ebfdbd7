import type { CfnResource } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { missingTagKeys, renderedTags, STANDARD_TAG_KEYS, tagValueProblem } from '../../../constructs/governance/tags';
import { testStack } from '../../helpers/app';

test('requires the five standard tags of DESIGN.md', () => {
  expect(STANDARD_TAG_KEYS).toEqual(['Owner', 'Service', 'Environment', 'CostCenter', 'DataClassification']);
});

describe('tagValueProblem', () => {
  test('accepts letters, digits, spaces and _ . : / = + - @', () => {
    for (const value of ['commerce', 'CC-1', 'team@example.com', 'a b_c.d:e/f=g+h', 'Équipe 7']) {
      expect(tagValueProblem(value)).toBeUndefined();
    }
  });

  test('fails when a value is empty or blank: an empty Owner owns nothing', () => {
    expect(tagValueProblem('')).toBe('is empty; a tag needs a value');
    expect(tagValueProblem('   ')).toBe('is empty; a tag needs a value');
    expect(tagValueProblem(undefined)).toBe('is empty; a tag needs a value');
  });

  test('fails when a value is longer than the 256 characters tags allow, saying how long it is', () => {
    expect(tagValueProblem('x'.repeat(256))).toBeUndefined();
    expect(tagValueProblem('x'.repeat(257))).toBe('is 257 characters long; tag values allow at most 256');
  });

  test('fails when a value has characters tags do not allow, listing those they do', () => {
    expect(tagValueProblem('cost;center')).toBe(
      'has characters tags do not allow (use letters, digits, spaces and _ . : / = + - @)',
    );
  });
});

describe('renderedTags and missingTagKeys', () => {
  /** A queue resource carrying an Owner tag and a blank Service tag. */
  function taggedQueue(): CfnResource {
    return new sqs.CfnQueue(testStack(), 'Queue', {
      tags: [
        { key: 'Owner', value: 'commerce' },
        { key: 'Service', value: ' ' },
      ],
    });
  }

  test('read the tags a resource will carry in its template', () => {
    expect(renderedTags(taggedQueue())).toEqual({ Owner: 'commerce', Service: ' ' });
  });

  test('name the required keys a resource lacks or carries blank', () => {
    expect(missingTagKeys(taggedQueue(), ['Owner', 'Service', 'CostCenter'])).toEqual(['Service', 'CostCenter']);
  });

  test('find nothing missing on a resource that cannot be tagged', () => {
    const stack = testStack();
    const policy = new sqs.CfnQueuePolicy(stack, 'Policy', { queues: [], policyDocument: {} });
    expect(renderedTags(policy)).toBeUndefined();
    expect(missingTagKeys(policy, STANDARD_TAG_KEYS)).toEqual([]);
  });
});
