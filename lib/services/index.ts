import type { Stack, StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RunbookLocation } from '../../constructs';
import type { EnvironmentConfig, ServiceConfig, TeamConfig } from '../config/model';
import { OrdersStack } from './orders/orders-stack';

/** What the platform hands every service stack. */
export interface ServiceStackProps extends StackProps {
  readonly service: ServiceConfig;
  readonly environment: EnvironmentConfig;
  readonly team: TeamConfig;
  /** Where alarms link their runbooks. */
  readonly runbooks: RunbookLocation;
}

export type ServiceStackFactory = (scope: Construct, id: string, props: ServiceStackProps) => Stack;

/** Each service's stack, by service name; a service in lib/config/services.ts needs an entry here. */
export const serviceStacks: Readonly<Record<string, ServiceStackFactory>> = {
  orders: (scope, id, props) => new OrdersStack(scope, id, props),
};
