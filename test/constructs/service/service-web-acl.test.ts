import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServiceWebAcl, type ServiceWebAclProps } from '../../../constructs/service/service-web-acl';
import { testStack } from '../../helpers/app';
import { routedOrdersService } from '../../helpers/service';
import { refusal } from '../../helpers/refusal';
import { flatten } from '../../helpers/template';

/** A web ACL named `orders-dev` on the stage of an API with one mock method, and its stack. */
function webAcl(props: Partial<ServiceWebAclProps> = {}): { stack: Stack; template: Template } {
  const stack = testStack();
  const api = new apigateway.RestApi(stack, 'Api');
  api.root.addMethod('GET', new apigateway.MockIntegration());
  new ServiceWebAcl(stack, 'WebAcl', {
    stage: api.deploymentStage,
    name: 'orders-dev',
    key: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_YEAR,
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

const visibility = (metricName: string) => ({
  CloudWatchMetricsEnabled: true,
  SampledRequestsEnabled: true,
  MetricName: metricName,
});

describe('a web ACL', () => {
  const { template } = webAcl();

  test('runs the AWS managed rules for common exploits, known bad inputs and bad IP reputation, then a rate limit', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: visibility('orders-dev'),
      Rules: [
        ...[
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
          'AWSManagedRulesAmazonIpReputationList',
        ].map((group, priority) => ({
          Name: group,
          Priority: priority,
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
          VisibilityConfig: visibility(`orders-dev-${group}`),
        })),
        {
          Name: 'RateLimitPerIp',
          Priority: 3,
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
          VisibilityConfig: visibility('orders-dev-RateLimitPerIp'),
        },
      ],
    });
  });

  test('protects the API stage it is given', () => {
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
    expect(flatten(association.Properties.ResourceArn)).toMatch(
      /^arn:aws:apigateway:eu-west-1::\/restapis\/Api\w+\/stages\/ApiDeploymentStageprod\w+$/,
    );
    expect(flatten(association.Properties.WebACLArn)).toMatch(/^WebAcl\w+\.Arn$/);
  });

  test('logs every request to an encrypted log group named aws-waf-logs-<name>, kept as long as asked', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-orders-dev',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      RetentionInDays: 365,
    });
    const [logging] = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(flatten(logging.Properties.ResourceArn)).toMatch(/^WebAcl\w+\.Arn$/);
    // WAF wants the log group's ARN without the ':*' that CloudWatch Logs' own ARN attribute ends with.
    expect((logging.Properties.LogDestinationConfigs as unknown[]).map(flatten)).toEqual([
      expect.stringMatching(/^arn:aws:logs:eu-west-1:111111111111:log-group:WebAclLogs\w+$/),
    ]);
  });
});

test('blocks a client IP after the number of requests in 5 minutes it is given', () => {
  webAcl({ rateLimitPer5Minutes: 500 }).template.hasResourceProperties('AWS::WAFv2::WebACL', {
    Rules: Match.arrayWith([
      Match.objectLike({
        Name: 'RateLimitPerIp',
        Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
      }),
    ]),
  });
});

test('associates the WAF only once the API stage exists', () => {
  const { template } = routedOrdersService('standard');
  const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')) as {
    DependsOn?: string[];
  }[];
  expect(association.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ServiceApiDeploymentStage/)]));
});

describe('a web ACL on a resource given by ARN (an Application Load Balancer)', () => {
  const albArn = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/orders-dev/0123456789abcdef';
  const stack = testStack();
  new ServiceWebAcl(stack, 'WebAcl', {
    resourceArn: albArn,
    name: 'orders-dev',
    key: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_YEAR,
  });
  const template = Template.fromStack(stack);

  test('protects exactly that resource, with no dependency on an API stage', () => {
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')) as {
      Properties: { ResourceArn: unknown };
      DependsOn?: string[];
    }[];
    expect(association.Properties.ResourceArn).toBe(albArn);
    expect(association.DependsOn).toBeUndefined();
  });
});

describe('fails when it is not told exactly one resource to protect', () => {
  /** A web ACL on the stage of an API (with `stage`), on `resourceArn` when given, or on nothing. */
  const build = (stage: boolean, resourceArn?: string) => () => {
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new apigateway.MockIntegration());
    new ServiceWebAcl(stack, 'WebAcl', {
      name: 'orders-dev',
      key: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_YEAR,
      ...(stage ? { stage: api.deploymentStage } : {}),
      ...(resourceArn === undefined ? {} : { resourceArn }),
    });
  };

  test('fails when both a stage and a resource ARN are given, saying to give one', () => {
    expect(refusal(build(true, 'arn:aws:elasticloadbalancing:x'))).toBe(
      'ServiceWebAcl Test/WebAcl needs one resource to protect:\n' +
        '  - Test/WebAcl (ServiceWebAclProps): both stage and resourceArn are given\n' +
        '    fix: give exactly one: stage for an API Gateway stage, or resourceArn for another regional resource (an ALB)',
    );
  });

  test('fails when neither a stage nor a resource ARN is given, saying what each is for', () => {
    expect(refusal(build(false))).toContain(
      'Test/WebAcl (ServiceWebAclProps): neither stage nor resourceArn is given\n' +
        '    fix: give exactly one: stage for an API Gateway stage, or resourceArn',
    );
  });
});
