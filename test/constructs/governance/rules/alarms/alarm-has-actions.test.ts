import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from '../../../../../constructs';
import { Construct } from 'constructs';
import { AlarmHasActions, alarmHasActions } from '../../../../../constructs/governance/rules/alarms/alarm-has-actions';
import { COMPOSITE_CHILD_METADATA } from '../../../../../constructs/naming';
import { testStack } from '../../../../helpers/app';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:alerts';

const alarmProps: cloudwatch.CfnAlarmProps = {
  comparisonOperator: 'GreaterThanThreshold',
  evaluationPeriods: 1,
  threshold: 1,
  namespace: 'Keel/Shop',
  metricName: 'Sales',
  period: 300,
  statistic: 'Sum',
};

function l2Alarm(): cloudwatch.Alarm {
  return new cloudwatch.Alarm(testStack(), 'Alarm', {
    metric: new cloudwatch.Metric({ namespace: 'Keel/Shop', metricName: 'Sales' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

describe('AlarmHasActions', () => {
  test('an alarm that notifies a topic complies', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', { ...alarmProps, alarmActions: [TOPIC] });
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('an alarm with actions explicitly enabled complies', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', {
      ...alarmProps,
      alarmActions: [TOPIC],
      actionsEnabled: true,
    });
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails when an alarm has no actions', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', alarmProps);
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('fails when an alarm has an empty list of actions', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', { ...alarmProps, alarmActions: [] });
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('fails when an alarm only notifies on OK', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', { ...alarmProps, okActions: [TOPIC] });
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('fails when an alarm has actions but they are disabled', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', {
      ...alarmProps,
      alarmActions: [TOPIC],
      actionsEnabled: false,
    });
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('an L2 alarm that notifies a topic complies', () => {
    const alarm = l2Alarm();
    alarm.addAlarmAction(new actions.SnsAction(new sns.Topic(alarm.stack, 'Topic')));
    expect(AlarmHasActions(alarm.node.defaultChild as cloudwatch.CfnAlarm)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('an L2 alarm without actions complies when it is marked as a composite child', () => {
    const alarm = l2Alarm();
    alarm.node.addMetadata(COMPOSITE_CHILD_METADATA, true);
    expect(AlarmHasActions(alarm.node.defaultChild as cloudwatch.CfnAlarm)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('an alarm without actions complies when the construct around it is marked as a composite child', () => {
    const child = new Construct(testStack(), 'Child');
    child.node.addMetadata(COMPOSITE_CHILD_METADATA, true);
    expect(AlarmHasActions(new cloudwatch.CfnAlarm(child, 'Resource', alarmProps))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails when an L2 alarm has no actions and no composite-child mark', () => {
    expect(AlarmHasActions(l2Alarm().node.defaultChild as cloudwatch.CfnAlarm)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('fails when an L2 composite alarm has no actions', () => {
    const alarm = l2Alarm();
    const composite = new cloudwatch.CompositeAlarm(alarm.stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.anyOf(alarm),
    });
    expect(AlarmHasActions(composite.node.defaultChild as cloudwatch.CfnCompositeAlarm)).toBe(
      NagRuleCompliance.NON_COMPLIANT,
    );
  });

  test('an L1 alarm without actions complies when it is itself marked as a composite child', () => {
    const alarm = new cloudwatch.CfnAlarm(testStack(), 'Alarm', alarmProps);
    alarm.node.addMetadata(COMPOSITE_CHILD_METADATA, true);
    expect(AlarmHasActions(alarm)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('a composite alarm that notifies a topic complies', () => {
    const composite = new cloudwatch.CfnCompositeAlarm(testStack(), 'Composite', {
      alarmRule: 'ALARM("a") AND ALARM("b")',
      alarmActions: [TOPIC],
    });
    expect(AlarmHasActions(composite)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails when a composite alarm has no actions', () => {
    const composite = new cloudwatch.CfnCompositeAlarm(testStack(), 'Composite', {
      alarmRule: 'ALARM("a") AND ALARM("b")',
    });
    expect(AlarmHasActions(composite)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('does not apply to resources other than alarms', () => {
    const queue = new sqs.Queue(testStack(), 'Queue');
    expect(AlarmHasActions(queue.node.defaultChild as sqs.CfnQueue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  test('is the AlarmHasActions rule of the pack, explaining how to comply', () => {
    expect(alarmHasActions.name).toBe('AlarmHasActions');
    expect(alarmHasActions.check).toBe(AlarmHasActions);
    expect(alarmHasActions.explanation).toContain(COMPOSITE_CHILD_METADATA);
  });
});
