import { KeelValidationError, problemsToMessages, type Problem } from '../../constructs/errors';

const problems: Problem[] = [
  { where: 'Orders-prod/Service route GET /orders', what: 'is declared twice', fix: 'declare each route once' },
  { where: 'teams[1].profile.encryption', what: '"none" is not allowed', fix: 'remove it' },
];

test('a validation error names every problem at once, each with where, what and how to fix it', () => {
  const error = new KeelValidationError('Invalid service:', problems);
  expect(error.message).toBe(
    [
      'Invalid service:',
      '  - Orders-prod/Service route GET /orders: is declared twice',
      '    fix: declare each route once',
      '  - teams[1].profile.encryption: "none" is not allowed',
      '    fix: remove it',
    ].join('\n'),
  );
  expect(error.problems).toEqual(problems);
  expect(error.name).toBe('KeelValidationError');
});

test('synth-time validation messages have the same where, what and fix shape', () => {
  expect(problemsToMessages(problems)).toEqual([
    'Orders-prod/Service route GET /orders: is declared twice\n    fix: declare each route once',
    'teams[1].profile.encryption: "none" is not allowed\n    fix: remove it',
  ]);
});
