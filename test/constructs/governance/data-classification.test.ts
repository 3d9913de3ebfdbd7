import { DATA_CLASSIFICATIONS, dataClassificationProblem, isDataClassification } from '../../../constructs';

test('each of the four classifications is accepted', () => {
  for (const classification of DATA_CLASSIFICATIONS) {
    expect(isDataClassification(classification)).toBe(true);
    expect(dataClassificationProblem(classification)).toBeUndefined();
  }
});

test('fails when a value is not one of the four, naming the value and listing them', () => {
  expect(dataClassificationProblem('secret')).toEqual({
    what: '"secret" is not a data classification',
    fix: 'use one of public | internal | confidential | restricted',
  });
  expect(dataClassificationProblem(undefined)?.what).toBe('undefined is not a data classification');
});
