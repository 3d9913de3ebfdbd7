import type { Template } from 'aws-cdk-lib/assertions';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** What tests read of an alarm or composite alarm resource. */
export interface AlarmProperties {
  AlarmName: string;
  AlarmDescription: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  [key: string]: unknown;
}

/** Every alarm (or, with `type`, composite alarm) of a template, by logical ID. */
export function alarmsOf(template: Template, type = 'AWS::CloudWatch::Alarm'): Record<string, AlarmProperties> {
  const found = template.findResources(type) as Resources;
  return Object.fromEntries(Object.entries(found).map(([id, r]) => [id, r.Properties as unknown as AlarmProperties]));
}

/** Every alarm and composite alarm of a template, by logical ID. */
export function allAlarmsOf(template: Template): Record<string, AlarmProperties> {
  return { ...alarmsOf(template), ...alarmsOf(template, 'AWS::CloudWatch::CompositeAlarm') };
}

/** The properties of the one alarm or composite alarm called `name`; fails the test when there is not exactly one. */
export function alarmNamed<T = AlarmProperties>(template: Template, name: string): T {
  return allAlarmsOf(template)[logicalIdOfAlarm(template, name)] as unknown as T;
}

/** The logical ID of the one alarm or composite alarm called `name`. */
export function logicalIdOfAlarm(template: Template, name: string): string {
  const found = Object.entries(allAlarmsOf(template)).filter(([, p]) => p.AlarmName === name);
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  return found[0][0];
}
