import { NagRuleCompliance } from '../../../../constructs';
import { keelRuleProblems, type KeelRule } from '../../../../constructs/governance/rules/keel-rule';

const rule = (name: string): KeelRule => ({
  name,
  info: 'A test rule.',
  explanation: 'It finds nothing.',
  check: () => NagRuleCompliance.NOT_APPLICABLE,
});

const at = (i: number) => `rules[${i}]`;

test('PascalCase rules with names of their own have no problems', () => {
  expect(keelRuleProblems([rule('NoQueues'), rule('TableBackups')], at, { taken: ['LogGroupRetention'] })).toEqual([]);
  expect(keelRuleProblems([rule('PaymentsNoQueues')], at, { taken: [], team: 'payments' })).toEqual([]);
});

test('fails when a name is not PascalCase, saying how to name it', () => {
  expect(keelRuleProblems([rule('no-queues')], at, { taken: [] })).toEqual([
    {
      where: 'rules[0]',
      what: '"no-queues" is not a PascalCase name',
      fix: "name the rule in PascalCase after what it requires, e.g. 'PaymentsTableDeletionProtection'",
    },
  ]);
});

test("fails when a team's rule does not start with the team's name, suggesting one that does", () => {
  const [problem] = keelRuleProblems([rule('tableBackups')], at, { taken: [], team: 'order-history' });
  expect(problem.what).toBe(
    '"tableBackups" does not start with the team\'s name, OrderHistory, followed by PascalCase',
  );
  expect(problem.fix).toContain("rename it, e.g. 'OrderHistoryTableBackups'");
});

test('fails when a name is taken or used twice, and reports every problem at once', () => {
  const problems = keelRuleProblems(
    [rule('LogGroupRetention'), { name: 'Half' } as KeelRule, rule('NoQueues'), rule('NoQueues')],
    at,
    { taken: ['LogGroupRetention'] },
  );
  expect(problems.map((p) => `${p.where}: ${p.what}`)).toEqual([
    'rules[0]: KeelChecks-LogGroupRetention is already a rule',
    'rules[1]: "Half" is not a complete rule',
    'rules[3]: KeelChecks-NoQueues is already a rule',
  ]);
});

test('fails when a rule has no name, without throwing', () => {
  expect(keelRuleProblems([{ ...rule('X'), name: undefined } as unknown as KeelRule], at, { taken: [] })).toEqual([
    expect.objectContaining({ where: 'rules[0]', what: 'undefined is not a complete rule' }),
  ]);
});
