import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import type { Problem } from '../errors';
import type { RegisteredAlarm } from '../observability/alarm-factory';
import { ServiceMonitoring } from '../observability/service-monitoring';
import type { IMonitoredService } from '../service/monitored-service';

const ROLLS_BACK = Symbol.for('keel.delivery.rollsBack');

/** Marks `deployment` as the one that rolls `service` back on its alarms: CanaryDeployment, ContainerDeployment. */
export function markRollback(deployment: IConstruct, service: IMonitoredService): void {
  Object.defineProperty(deployment, ROLLS_BACK, { value: service });
}

/**
 * One problem per monitored service in `scope` that no deployment rolls back on its alarms: its new versions would
 * reach every user at once, and a failing one would stay until someone noticed.
 */
export function unguardedServiceProblems(scope: IConstruct): Problem[] {
  const all = scope.node.findAll();
  const guarded = new Set(all.filter((c) => ROLLS_BACK in c).map((c) => (c as { [ROLLS_BACK]: unknown })[ROLLS_BACK]));
  return all.filter(ServiceMonitoring.isServiceMonitoring).flatMap((monitoring) => {
    const service = monitoring.service;
    if (guarded.has(service)) return [];
    const fix = service.container
      ? "new ContainerDeployment(this, 'Deployment', { monitoring })"
      : "new CanaryDeployment(this, 'Deployment', { ...props.defaults.deployment, monitoring })";
    return [
      {
        where: monitoring.node.path,
        what: `service ${service.serviceName} (${service.node.path}) has no deployment that rolls it back on its alarms: a failing version would reach every user and stay`,
        fix: `add ${fix} to the service's stack`,
      },
    ];
  });
}

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
