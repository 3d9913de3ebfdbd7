import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from '../../../constructs';
import { BASELINE_RULE_PACKS, RULE_PACKS, extraRulePackProblems, type KeelRule } from '../../../constructs';
import { ownedTestStack, testApp } from '../../helpers/app';

const at = (i: number) => `packs[${i}]`;

test('packs on top of the baseline have no problems', () => {
  expect(extraRulePackProblems(['NIST.800.53.R5', 'PCI.DSS.321'], at)).toEqual([]);
});

test('fails when a pack is unknown, listing the packs that can be added', () => {
  expect(extraRulePackProblems(['PCI'], at)).toEqual([
    {
      where: 'packs[0]',
      what: '"PCI" is not a rule pack Keel knows',
      fix: 'use one of NIST.800.53.R5, NIST.800.53.R4, HIPAA.Security, PCI.DSS.321',
    },
  ]);
});

test('fails when a pack already checks every stack', () => {
  expect(extraRulePackProblems([...BASELINE_RULE_PACKS], at).map((p) => `${p.where}: ${p.what}`)).toEqual([
    'packs[0]: AwsSolutions already checks every stack',
    'packs[1]: Serverless already checks every stack',
    'packs[2]: KeelChecks already checks every stack',
  ]);
});

test("KeelChecks built from RULE_PACKS runs the rules it is given for each stack: a team's rules cannot be dropped", () => {
  const noQueues: KeelRule = {
    name: 'NoQueues',
    info: 'Queues are not allowed here.',
    explanation: 'A test rule.',
    check: (resource) =>
      resource instanceof sqs.CfnQueue ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE,
  };
  const app = testApp();
  const stack = ownedTestStack(app);
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  app.synth();

  const pack = RULE_PACKS.KeelChecks((s) => (s === stack ? [noQueues] : []));
  const report = pack.validateScope(app);
  expect(report.violations.map((v) => v.ruleName)).toContain('KeelChecks-NoQueues');
  // @ts-expect-error: a pack is built by calling its entry with the stack rules, never with `new` and nothing
  expect(() => new RULE_PACKS.KeelChecks()).toThrow();
});
