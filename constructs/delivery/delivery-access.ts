import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AWS_ACCOUNT_ID, deliveryRoleNames } from '../naming';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide } from '../private/decisions';
import { KeelValidationError } from '../errors';

/** IAM role names are at most 64 characters. */
const MAX_ROLE_NAME = 64;

export interface DeliveryAccessProps {
  /** The service's kebab-case name. */
  readonly serviceName: string;
  /** The environment this stack is deployed to. */
  readonly environment: string;
  /** The 12-digit account the service's pipeline runs in. */
  readonly deliveryAccount: string;
}

/**
 * Lets the service's pipeline look at the alarms in this account, and nothing else: a role that only this
 * environment's gate role (the entry checks and the bake) may assume, allowed only `cloudwatch:DescribeAlarms`. That
 * action is allowed on `*`, because AWS returns composite alarms (the service's health composite) only to a
 * DescribeAlarms permission scoped to `*`. Add one to each service stack the pipeline deploys.
 */
export class DeliveryAccess extends Construct {
  /** The role the entry checks and the gate step assume, through this environment's gate role. */
  public readonly alarmReader: iam.Role;
  /** Its ARN, built from its fixed name so the pipeline's account can name it. */
  public readonly alarmReaderArn: string;

  constructor(scope: Construct, id: string, props: DeliveryAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    checkRoleNames(this.node.path, props.serviceName, props.environment, props.deliveryAccount);
    const delivery = (name: string) => `arn:${stack.partition}:iam::${props.deliveryAccount}:role/${name}`;
    const roleName = deliveryRoleNames.alarmReader(props.serviceName, props.environment);
    this.alarmReader = new iam.Role(this, 'AlarmReader', {
      roleName,
      description: `Lets the ${props.serviceName} pipeline read the ${props.environment} alarms of ${props.serviceName}`,
      assumedBy: new iam.AccountPrincipal(props.deliveryAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': [delivery(deliveryRoleNames.gate(props.serviceName, props.environment))] },
      }),
    });
    this.alarmReaderArn = `arn:${stack.partition}:iam::${stack.account}:role/${roleName}`;
    // Scoped to `*` as AWS requires for composite alarms (DescribeAlarms, Amazon CloudWatch API Reference): with a
    // narrower scope the reader would not see the health composite, and the gate would fail on it as missing.
    const policy = new iam.ManagedPolicy(this, 'ReadAlarms', {
      roles: [this.alarmReader],
      statements: [new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] })],
    });
    decide(policy, DECISIONS.alarmReaderSeesComposites, DEFAULT_DECISION_OWNER);
  }
}

function checkRoleNames(where: string, service: string, environment: string, deliveryAccount: string): void {
  const problems = [];
  if (!AWS_ACCOUNT_ID.test(deliveryAccount ?? '')) {
    problems.push({
      where: `${where} deliveryAccount`,
      what: `${JSON.stringify(deliveryAccount)} is not a 12-digit AWS account id`,
      fix: 'pass the account the pipeline runs in, e.g. from keel:delivery:account in cdk.json',
    });
  }
  for (const name of [
    deliveryRoleNames.alarmReader(service, environment),
    deliveryRoleNames.gate(service, environment),
  ]) {
    if (name.length > MAX_ROLE_NAME) {
      problems.push({
        where: `${where} serviceName`,
        what: `the role name ${name} is ${name.length} characters; IAM allows ${MAX_ROLE_NAME}`,
        fix: 'shorten the service or environment name',
      });
    }
  }
  if (problems.length > 0) throw new KeelValidationError(`Invalid delivery access ${where}:`, problems);
}
