import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { KeelValidationError } from '../errors';

const SERVICE_STACK = Symbol.for('keel.ServiceStack');

/**
 * A Stack whose two availability zones resolve at deploy time (`Fn::Select` over `Fn::GetAZs`), so a VPC in it needs
 * no context lookup and no AWS credentials at synth. A ProductionContainerService must live in one.
 *
 * A plain Stack with a concrete `env` answers `availabilityZones` from a context lookup: the cloud assembly records a
 * missing `availability-zones` value (which `cdk synth` would fetch from AWS) and, until then, subnets get the
 * placeholder zones `dummy1a` and `dummy1b`, which cfn-lint reports (W3010). Here the zones are the region's first two
 * as CloudFormation lists them when it deploys.
 */
export class ServiceStack extends Stack {
  /** True for a ServiceStack, also one built by another copy of this library. */
  public static isServiceStack(x: unknown): x is ServiceStack {
    return typeof x === 'object' && x !== null && SERVICE_STACK in x;
  }

  constructor(scope?: Construct, id?: string, props?: StackProps) {
    super(scope, id, props);
    Object.defineProperty(this, SERVICE_STACK, { value: true });
  }

  /** The region's first two availability zones, resolved by CloudFormation at deploy time. */
  public override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
}

/**
 * Refuses to build the construct `scope` (a `kind`, e.g. `ServiceNetwork`) outside a ServiceStack.
 * @throws KeelValidationError naming the construct, its stack and ServiceStack as the fix.
 */
export function requireServiceStack(scope: Construct, kind: string): void {
  const stack = Stack.of(scope);
  if (SERVICE_STACK in stack) return;
  throw new KeelValidationError(`${kind} ${scope.node.path} must be built inside a ServiceStack:`, [
    {
      where: scope.node.path,
      what:
        `its stack ${stack.node.path} is not a ServiceStack: a VPC there would look the ` +
        'availability zones up in AWS at synth, with placeholder zones until then',
      fix: `extend ServiceStack (from constructs/service/service-stack.ts) instead of Stack for the stack that holds the ${kind}`,
    },
  ]);
}
