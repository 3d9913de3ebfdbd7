import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { COMPOSITE_CHILD_METADATA } from '../../../constructs/naming';
import { duplicateAlarmNameProblems, KeelAlarmFactory } from '../../../constructs/observability/alarm-factory';
import { alarmNamed } from '../../helpers/alarms';
import { testApp, testStack } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

function factory() {
  const stack = testStack(testApp());
  const topics = { critical: new sns.Topic(stack, 'Critical'), warning: new sns.Topic(stack, 'Warning') };
  const alarms = new KeelAlarmFactory({
    scope: stack,
    serviceName: 'shop',
    environment: 'prod',
    runbooks: { repositoryUrl: 'https://github.com/example-org/keel', directory: 'runbooks' },
    runbookFile: 'shop.md',
    topics,
  });
  return { stack, topics, alarms };
}

const signal = new cloudwatch.Metric({ namespace: 'Keel/Shop', metricName: 'Signal' });
const check = { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, watches: 'x' };
const options = {
  slug: 'signal-high',
  severity: 'critical' as const,
  description: 'The signal is high.',
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
};

test("names an alarm <service>-<env>-<slug>-<severity>, links its runbook section and notifies its severity's topic", () => {
  const { stack, topics, alarms } = factory();
  alarms.createAlarm(signal, options, 'threshold', check);
  const props = alarmNamed(Template.fromStack(stack), 'shop-prod-signal-high-critical');
  expect(props.AlarmDescription).toBe(
    'The signal is high.\n\nRunbook: https://github.com/example-org/keel/blob/main/runbooks/shop.md#signal-high',
  );
  const topic = { Ref: stack.getLogicalId(topics.critical.node.defaultChild as sns.CfnTopic) };
  expect(props.AlarmActions).toEqual([topic]);
  expect(props.OKActions).toEqual([topic]);
});

test('a composite child notifies no one and is marked for KeelChecks', () => {
  const { stack, alarms } = factory();
  const child = alarms.createAlarm(signal, options, 'slo', check, true);
  expect(child.node.metadata.some((entry) => entry.type === COMPOSITE_CHILD_METADATA)).toBe(true);
  expect(alarmNamed(Template.fromStack(stack), 'shop-prod-signal-high-critical').AlarmActions).toBeUndefined();
  expect(alarms.alarms[0]).toMatchObject({ compositeChild: true, kind: 'slo' });
});

test('lists the standard alarms first, then the others in the order they were added', () => {
  const { stack, alarms } = factory();
  alarms.createAlarm(signal, options, 'threshold', check);
  const standard = new cloudwatch.Alarm(stack, 'Standard', { metric: signal, threshold: 1, evaluationPeriods: 1 });
  alarms.register(standard, { slug: 'api-5xx-rate', severity: 'critical', kind: 'standard', watches: 'y' });
  expect(alarms.alarms.map((a) => a.name)).toEqual([
    'shop-prod-api-5xx-rate-critical',
    'shop-prod-signal-high-critical',
  ]);
});

test('names each alarm name used twice, once', () => {
  expect(duplicateAlarmNameProblems(['a', 'b', 'a', 'a'])).toEqual([
    'alarm name a is used by more than one alarm in the app; give one of them another slug.',
  ]);
  expect(duplicateAlarmNameProblems(['a', 'b'])).toEqual([]);
});

describe('two alarms with the same slug and severity in one service', () => {
  test('are refused with a Keel error naming the service, slug, severity, both call sites and the fix', () => {
    const { alarms } = factory();
    const firstLine = lineHere() + 1;
    alarms.createAlarm(signal, options, 'threshold', check);
    const message = refusal(() => alarms.createAlarm(signal, options, 'threshold', check));
    const file = path.relative(process.cwd(), __filename);
    expect(message).toContain('Test alarm signal-high (critical): service shop');
    expect(message).toContain("service shop already has an alarm with slug 'signal-high' and severity critical");
    expect(message).toContain(`added at ${file}:${firstLine}; this one is added at ${file}:${firstLine + 1}`);
    expect(message).toContain('Both would be named shop-prod-signal-high-critical');
    expect(message).toContain('fix: give one of the two alarms another slug');
    expect(message).not.toContain('There is already a Construct');
  });

  test('are allowed with another severity', () => {
    const { alarms } = factory();
    alarms.createAlarm(signal, options, 'threshold', check);
    alarms.createAlarm(signal, { ...options, severity: 'warning' }, 'threshold', check);
    expect(alarms.alarms.map((a) => a.name)).toEqual([
      'shop-prod-signal-high-critical',
      'shop-prod-signal-high-warning',
    ]);
  });
});

/** The line this is called from. */
function lineHere(): number {
  return Number(/:(\d+):\d+\)?$/.exec(new Error().stack?.split('\n')[2] ?? '')?.[1]);
}
