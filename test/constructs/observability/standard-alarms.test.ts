import { Template } from 'aws-cdk-lib/assertions';
import {
  STANDARD_ALARM_SOURCES,
  STANDARD_RUNBOOK_FILE,
  type StandardAlarmSource,
} from '../../../constructs/observability/standard-alarms';
import { alarmNamed } from '../../helpers/alarms';
import { monitoredShop } from '../../helpers/monitoring';

/** A team's own standard alarm: a warning when a function falls a minute behind its stream. */
const iteratorAge: StandardAlarmSource = (scope) =>
  scope.functions.map((fn) => ({
    monitor: (facade, alarms) =>
      facade.monitorLambdaFunction({
        lambdaFunction: fn.function,
        alarmFriendlyName: `${scope.prefix}-${scope.resourceName(fn)}-age`,
        ...alarms,
      }),
    specs: [
      {
        slug: `${scope.resourceName(fn)}-iterator-age`,
        anchor: 'function-errors',
        severity: 'warning',
        meaning: `Function ${fn.node.path} falls behind its stream.`,
        watches: `${fn.node.path} iterator age`,
        alarm: 'addMaxIteratorAgeAlarm',
        threshold: { maxAgeInMillis: 60_000 },
      },
    ],
  }));

test("a team's own standard alarm source adds its alarms beside Keel's, named, routed and linked the same way", () => {
  const { stack, monitoring } = monitoredShop({
    monitoringProps: { standardAlarmSources: [...STANDARD_ALARM_SOURCES, iteratorAge] },
  });
  const props = alarmNamed(Template.fromStack(stack), 'shop-dev-handler-iterator-age-warning');
  expect(props.AlarmDescription).toMatch(new RegExp(`runbooks/${STANDARD_RUNBOOK_FILE}#function-errors$`));
  expect(props.AlarmActions).toHaveLength(1);
  expect(monitoring.alarms.find((a) => a.name === 'shop-dev-handler-iterator-age-warning')).toMatchObject({
    kind: 'standard',
    severity: 'warning',
  });
  // Keel's own stay.
  alarmNamed(Template.fromStack(stack), 'shop-dev-api-5xx-rate-critical');
});

test('without the API source, the service has no API alarms', () => {
  const { stack } = monitoredShop({
    monitoringProps: { standardAlarmSources: STANDARD_ALARM_SOURCES.slice(1) },
  });
  const names = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
    (r) => (r.Properties as { AlarmName: string }).AlarmName,
  );
  expect(names).not.toContain('shop-dev-api-5xx-rate-critical');
  expect(names).toContain('shop-dev-handler-errors-critical');
});
