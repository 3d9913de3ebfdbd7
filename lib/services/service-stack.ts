import type { Stack, StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type {
  CanaryDeploymentProps,
  ProductionContainerServiceProps,
  ProductionServiceProps,
  ServiceMonitoringProps,
} from '../../constructs';
import type { EnvironmentConfig, ServiceConfig, TeamConfig } from '../config/model';

/** What the platform hands every service stack. */
export interface ServiceStackProps extends StackProps {
  /** `<PascalName>-<env>`. */
  readonly stackName: string;
  readonly env: { readonly account: string; readonly region: string };
  readonly service: ServiceConfig;
  readonly environment: EnvironmentConfig;
  readonly team: TeamConfig;
  /** Props for the service's constructs, from the environment and the owner team's profile. */
  readonly defaults: ServiceDefaults;
}

/**
 * What config decides for a service's constructs: spread them in, and the environment's protection and the team's
 * profile (log retention, alarm thresholds, canary) apply without the stack naming any of them.
 */
export interface ServiceDefaults {
  /** `new ProductionService(this, 'Service', props.defaults.service)`. */
  readonly service: ProductionServiceProps;
  /**
   * `new ProductionContainerService(this, 'Service', { ...props.defaults.containerService, entry })` for a container
   * service: the environment's protection and load-balancer certificate, and the team's log retention, deployment
   * strategy and container size.
   */
  readonly containerService: Omit<ProductionContainerServiceProps, 'entry'>;
  /** `new ServiceMonitoring(this, 'Monitoring', { ...props.defaults.monitoring, service })`. */
  readonly monitoring: Omit<ServiceMonitoringProps, 'service'>;
  /**
   * `new CanaryDeployment(this, 'Deployment', { ...props.defaults.deployment, monitoring })`; a container service's
   * strategy is in `containerService` instead.
   */
  readonly deployment: Omit<CanaryDeploymentProps, 'monitoring'>;
}

/** Builds a service's stack for one environment; the platform calls it once per environment it builds. */
export type ServiceStackFactory = (scope: Construct, id: string, props: ServiceStackProps) => Stack;

/**
 * A service, defined once in its own folder (`lib/services/<name>/index.ts`): its config (name, owner, data
 * classification, tags) and its stack. Config is validated from `config`; the platform builds `stack`.
 */
export interface ServiceDefinition {
  readonly config: ServiceConfig;
  readonly stack: ServiceStackFactory;
}
