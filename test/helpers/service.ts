import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ProductionService,
  type ProductionServiceProps,
  type ProtectionLevel,
  type ServiceFunction,
} from '../../constructs';
import { protectionDefaults } from '../../constructs/service/protection';
import type { IServiceContext } from '../../constructs/service/service-context';
import { ECHO_HANDLER, testStack, unbundledTestApp } from './app';

/** The service key's ARN as the template references it. */
export const SERVICE_KEY_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceKey'), 'Arn'] };

/** The `orders` service in `dev` at `protection`, in a fresh unbundled test stack, with no route yet. */
export function ordersService(
  protection: ProtectionLevel = 'basic',
  props: Partial<ProductionServiceProps> = {},
): { stack: Stack; svc: ProductionService } {
  const stack = testStack(unbundledTestApp());
  const svc = new ProductionService(stack, 'Service', {
    serviceName: 'orders',
    environment: 'dev',
    protection,
    ...props,
  });
  return { stack, svc };
}

/** Gives the service's API the one route every synthesizable API needs. */
export function withHealthRoute(svc: ProductionService): ProductionService {
  svc.addRoute('GET', '/health', svc.addFunction('Health', { entry: ECHO_HANDLER }));
  return svc;
}

/** The `orders` service with one function, `Handler`, behind `GET /orders/{orderId}`, and its template. */
export function routedOrdersService(
  protection: ProtectionLevel = 'basic',
  props: Partial<ProductionServiceProps> = {},
): { stack: Stack; svc: ProductionService; fn: ServiceFunction; template: Template } {
  const { stack, svc } = ordersService(protection, props);
  const fn = svc.addFunction('Handler', { entry: ECHO_HANDLER });
  svc.addRoute('GET', '/orders/{orderId}', fn);
  return { stack, svc, fn, template: Template.fromStack(stack) };
}

/** The `orders` service in dev, as a ServiceSecret or ServiceFunction built on their own see it. */
export function ordersContext(key: kms.IKey): IServiceContext {
  return {
    serviceName: 'orders',
    environment: 'dev',
    protection: 'basic',
    key,
    logRetention: protectionDefaults('basic').logRetention,
    decisionOwner: 'platform',
    qualifiedName: 'orders-dev',
  };
}

export interface KeyedStack {
  readonly stack: Stack;
  readonly key: kms.Key;
}

/** A stack whose NodejsFunctions skip bundling, with a service key. */
export function keyedStack(): KeyedStack {
  const stack = testStack(unbundledTestApp());
  return { stack, key: new kms.Key(stack, 'Key') };
}

/** A statement of an IAM policy document, as the template holds it. */
export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

/** The statements of the customer-managed policy of `fn`. */
export function functionPolicyStatements(stack: Stack, template: Template, fn: ServiceFunction): PolicyStatementJson[] {
  const policyId = stack.getLogicalId(fn.policy.node.defaultChild as CfnElement);
  return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement as PolicyStatementJson[];
}

/** The logical id of the only resource of `type` in `template`. */
export function onlyResource(template: Template, type: string, props?: object): string {
  const ids = Object.keys(template.findResources(type, props));
  expect(ids).toHaveLength(1);
  return ids[0];
}
