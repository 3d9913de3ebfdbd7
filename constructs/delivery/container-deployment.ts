import { AspectPriority, Aspects } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { KeelValidationError, problemsToMessages, type Problem } from '../errors';
import type { ServiceMonitoring } from '../observability/service-monitoring';
import type { IMonitoredService, MonitoredContainer } from '../service/monitored-service';
import { criticalAlarms, markRollback, rollbackAlarms } from './rollback-alarms';

export interface ContainerDeploymentProps {
  /** The container service's monitoring: its critical alarms and health composite roll deployments back. */
  readonly monitoring: ServiceMonitoring<IMonitoredService>;
  /**
   * The alarms that stop and roll back a deployment; each must be one of the monitoring's alarms (ECS is given
   * their names).
   * @default - every critical metric alarm of the service, then its composites (SLO burn rates, health)
   */
  readonly alarms?: readonly IAlarm[];
}

/**
 * Rolls a container service's deployments back on its alarms: ECS's own deployment alarms (`DeploymentAlarms`, with
 * `Rollback`), set on the service's ECS service at synth from the monitoring's alarms as they are then. The ECS
 * service itself shifts traffic (canary, linear or all at once, then the bake time) with its circuit breaker on;
 * ProductionContainerService renders that. This is the container counterpart of CanaryDeployment.
 *
 * ECS watches the alarms while traffic shifts and through the bake time, and on ALARM sets the deployment to failed and
 * rolls back to the last completed one (AWS, "How CloudWatch alarms detect Amazon ECS deployment failures"). A
 * failed deployment fails the stack update, so the pipeline stage fails too (aws-cdk-lib's `AlarmBehavior`).
 */
export class ContainerDeployment extends Construct {
  private names: readonly string[] = [];
  private readonly props: ContainerDeploymentProps;
  private readonly container: MonitoredContainer;
  /** How many critical alarms the default list was built from, once built. */
  private builtFrom?: { alarms?: number };

  constructor(scope: Construct, id: string, props: ContainerDeploymentProps) {
    super(scope, id);
    this.props = props;
    const service = props.monitoring.service;
    if (!service.container) {
      throw new KeelValidationError(`Invalid deployment ${this.node.path}:`, [
        {
          where: `${this.node.path} monitoring`,
          what: `${service.node.path} runs no containers, so ECS has nothing to roll back`,
          fix: "monitor a ProductionContainerService here; a ProductionService's functions deploy through CanaryDeployment",
        },
      ]);
    }
    this.container = service.container;
    markRollback(this, service);
    if (props.alarms) this.names = namesOf(props.alarms, props.monitoring, this.node.path, service.protection);
    Aspects.of(this).add({ visit: () => this.buildDeploymentAlarms() }, { priority: AspectPriority.MUTATING });
    this.node.addValidation({ validate: () => this.lateAdditionProblems() });
  }

  /** The names ECS watches: the given alarms', or the defaults once synth (or `buildDeploymentAlarms()`) built them. */
  public get alarmNames(): readonly string[] {
    return this.names;
  }

  /**
   * Gives ECS the rollback alarms by name; synth calls it. Call it yourself only to read `alarmNames` before synth:
   * critical alarms added after that are reported at synth.
   */
  public buildDeploymentAlarms(): void {
    if (this.builtFrom) return;
    const { monitoring } = this.props;
    monitoring.buildStandardAlarms();
    if (!this.props.alarms) this.names = rollbackAlarms(monitoring).map((a) => a.name);
    this.builtFrom = this.props.alarms ? {} : { alarms: criticalAlarms(monitoring).length };
    // Literal names, never `alarm.alarmName`: a reference from the service to its alarms can make a circular
    // dependency (aws-cdk-lib warns of it in `enableDeploymentAlarms`), and Keel's names are known at synth.
    this.container.fargateService.enableDeploymentAlarms([...this.names], {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
  }

  private lateAdditionProblems(): string[] {
    const built = this.builtFrom;
    if (built?.alarms === undefined || built.alarms === criticalAlarms(this.props.monitoring).length) return [];
    return problemsToMessages([
      {
        where: this.node.path,
        what: `${this.props.monitoring.node.path} got critical alarms after the deployment alarms were set, so they do not roll deployments back`,
        fix: 'call buildDeploymentAlarms() only after every alarm is added, or leave it to synth',
      },
    ]);
  }
}

/** The registered names of `alarms`, refusing one the monitoring does not know and none at all in production. */
function namesOf(
  alarms: readonly IAlarm[],
  monitoring: ServiceMonitoring<IMonitoredService>,
  where: string,
  protection: string,
): string[] {
  const problems: Problem[] = [];
  if (protection === 'maximum' && alarms.length === 0) {
    problems.push({
      where: `${where} alarms`,
      what: 'a production deployment without rollback alarms is refused',
      fix: 'leave alarms out (the critical alarms and the health composite are used), or pass at least one alarm',
    });
  }
  const names = alarms.map((alarm) => {
    const registered = monitoring.alarms.find((a) => a.alarm === alarm);
    if (!registered) {
      problems.push({
        where: `${where} alarms`,
        what: `${alarm.node.path} is not an alarm of ${monitoring.node.path}, so Keel cannot give ECS its name`,
        fix: 'create it through the monitoring (addThresholdAlarm, addRatioAlarm, … or monitoring.alarmFactory)',
      });
    }
    return registered?.name ?? '';
  });
  if (problems.length > 0) throw new KeelValidationError(`Invalid deployment ${where}:`, problems);
  return names;
}
