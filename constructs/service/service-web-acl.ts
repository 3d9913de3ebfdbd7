import { Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { KeelValidationError } from '../errors';
import { DEFAULT_DECISION_OWNER, decideLogRetention } from '../private/decisions';

export interface ServiceWebAclProps {
  /**
   * The API Gateway stage to protect. Give exactly one of `stage` and `resourceArn`.
   * @default - none: `resourceArn` names what to protect
   */
  readonly stage?: apigateway.Stage;
  /**
   * The ARN of the resource to protect, e.g. an Application Load Balancer's `loadBalancerArn`. Give exactly one of
   * `stage` and `resourceArn`.
   * @default - none: `stage` names what to protect
   */
  readonly resourceArn?: string;
  /** Metric and log names start with it. */
  readonly name: string;
  /** Encrypts the WAF log group. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Requests one client IP may make in 5 minutes before it is blocked.
   * @default 2000
   */
  readonly rateLimitPer5Minutes?: number;
}

const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

/**
 * A regional WAF web ACL on an API stage or another regional resource (an Application Load Balancer): AWS managed
 * rule groups (common exploits, known bad inputs, IP reputation), a per-IP rate limit, and every request logged to an
 * encrypted log group.
 */
export class ServiceWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceWebAclProps) {
    super(scope, id);
    const protectedArn = protectedResourceArn(this, props);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        ...MANAGED_RULE_GROUPS.map((group, priority) => ({
          name: group,
          priority,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
          visibilityConfig: visibility(`${props.name}-${group}`),
        })),
        {
          name: 'RateLimitPerIp',
          priority: MANAGED_RULE_GROUPS.length,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes ?? 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility(`${props.name}-RateLimitPerIp`),
        },
      ],
    });
    // WAF only logs to log groups whose name starts with aws-waf-logs-.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${props.name}`,
      encryptionKey: props.key,
      retention: props.logRetention,
    });
    decideLogRetention(this.logGroup, props.logRetention, DEFAULT_DECISION_OWNER);
    const stack = Stack.of(this);
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the trailing ':*' that logGroupArn carries.
      logDestinationConfigs: [
        `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${this.logGroup.logGroupName}`,
      ],
    });
    const association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: protectedArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage ARN is built from names, not references: without this, CloudFormation may associate first.
    if (props.stage) association.node.addDependency(props.stage);
  }
}

/** The ARN of what the web ACL protects: the stage's or `resourceArn`, exactly one of them. */
function protectedResourceArn(scope: Construct, props: ServiceWebAclProps): string {
  if (props.stage && props.resourceArn === undefined) return props.stage.stageArn;
  if (props.resourceArn !== undefined && !props.stage) return props.resourceArn;
  throw new KeelValidationError(`ServiceWebAcl ${scope.node.path} needs one resource to protect:`, [
    {
      where: `${scope.node.path} (ServiceWebAclProps)`,
      what: `${props.stage ? 'both stage and resourceArn are' : 'neither stage nor resourceArn is'} given`,
      fix: 'give exactly one: stage for an API Gateway stage, or resourceArn for another regional resource (an ALB)',
    },
  ]);
}
