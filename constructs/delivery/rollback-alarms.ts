import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { RegisteredAlarm } from '../observability/alarm-factory';
import type { ServiceMonitoring } from '../observability/service-monitoring';
import type { IMonitoredService } from '../service/monitored-service';

/** The service's critical alarms, its composites' own children left out: what a deployment rolls back on. */
export function criticalAlarms(monitoring: ServiceMonitoring<IMonitoredService>): RegisteredAlarm[] {
  return monitoring.alarms.filter((a) => a.severity === 'critical' && !a.compositeChild);
}

/**
 * The critical alarms in the order a deployment watches them: every metric alarm first, then the composites (SLO burn
 * rates, then health). AWS documents neither CodeDeploy's nor ECS's deployment alarms for composite alarms, so no
 * critical signal may rest on a composite alone, and a limit cuts composites first.
 */
export function rollbackAlarms(monitoring: ServiceMonitoring<IMonitoredService>): RegisteredAlarm[] {
  const critical = criticalAlarms(monitoring);
  const composites = critical.filter((a) => !(a.alarm instanceof Alarm));
  return [
    ...critical.filter((a) => a.alarm instanceof Alarm),
    ...composites.filter((a) => a.alarm !== monitoring.health),
    ...composites.filter((a) => a.alarm === monitoring.health),
  ];
}
