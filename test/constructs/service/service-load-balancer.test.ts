import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Compliance, PROTECTION_LEVELS, type ComplianceResult } from '../../../constructs';
import { ServiceLoadBalancer } from '../../../constructs/service/service-load-balancer';
import { testApp } from '../../helpers/app';
import { containerNetwork, type ContainerNetworkFixture } from '../../helpers/container-network';
import { TEST_CERTIFICATE_ARN } from '../../helpers/container-service';
import { refusal } from '../../helpers/refusal';
import { ordersContext } from '../../helpers/service';

/**
 * The network and load balancer at every protection level, with a security group standing in for the tasks, in one
 * app checked as `cdk synth` checks a service (AwsSolutions, Serverless, KeelChecks, Control Tower, aws-cdk-lib's
 * CloudFormation validator) plus NIST 800-53 R5 at every level. cfn-lint checks them as part of the whole container
 * service (production-container-service.test.ts) and of the reference app (new-service.test.ts).
 */
const app = testApp({}, { cloudFormationValidation: true });
const compliance = new Compliance(app, { knownOwners: ['commerce', 'platform'], print: () => undefined });
const fixtures = Object.fromEntries(
  PROTECTION_LEVELS.map((level) => {
    const fixture = containerNetwork(app, level);
    compliance.addStack(fixture.stack, ['NIST.800.53.R5']);
    return [level, fixture];
  }),
) as Record<(typeof PROTECTION_LEVELS)[number], ContainerNetworkFixture>;
let result: ComplianceResult;
const templates: Record<string, Template> = {};

beforeAll(() => {
  result = compliance.synth();
  for (const [level, { stack }] of Object.entries(fixtures)) templates[level] = Template.fromStack(stack);
});

test('leaves no finding of any rule pack, Control Tower or CloudFormation open at any protection level', () => {
  expect(result.report.rules.flatMap((rule) => rule.open.map((f) => `${rule.ruleId} ${f.path}`))).toEqual([]);
  expect(result.passed).toBe(true);
  expect(result.report.acknowledgments.filter((ack) => ack.stale)).toEqual([]);
});

test("accepts by platform decision only what a public load balancer needs, and dev's lighter protection only at basic", () => {
  const decided = (env: string) =>
    result.report.acknowledgments
      .filter((ack) => ack.path.startsWith(`Orders-${env}/`))
      .map((ack) => `${ack.path.replace(`Orders-${env}/`, '')} ${ack.id}`)
      .sort();
  const everywhere = [
    'Custom::VpcRestrictDefaultSGCustomResourceProvider ControlTower::CT.LAMBDA.PR.3',
    'LoadBalancer/AccessLogs AwsSolutions-S1',
    'LoadBalancer/AccessLogs ControlTower::CT.S3.PR.10',
    'LoadBalancer/AccessLogs ControlTower::CT.S3.PR.2',
    'LoadBalancer/AccessLogs ControlTower::CT.S3.PR.4',
    'LoadBalancer/AccessLogs ControlTower::CT.S3.PR.9',
    'LoadBalancer/AccessLogs NIST.800.53.R5-S3BucketLoggingEnabled',
    'LoadBalancer/AccessLogs NIST.800.53.R5-S3BucketReplicationEnabled',
    'LoadBalancer/AccessLogs NIST.800.53.R5-S3DefaultEncryptionKMS',
    'LoadBalancer/Alb/Http NIST.800.53.R5-ELBv2ACMCertificateRequired',
    'LoadBalancer/Alb/SecurityGroup AwsSolutions-EC23',
    'Network/Vpc/publicSubnet1 NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
    'Network/Vpc/publicSubnet2 NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
  ];
  // Log groups kept less than a year (dev and staging) carry the existing retention decision.
  const shortRetention = (...paths: string[]) => paths.map((p) => `${p} ControlTower::CT.CLOUDWATCH.PR.2`);
  expect(decided('prod')).toEqual(everywhere);
  expect(decided('staging')).toEqual(
    [...everywhere, ...shortRetention('Network/FlowLogs', 'LoadBalancer/WebAcl/Logs')].sort(),
  );
  expect(decided('dev')).toEqual(
    [
      ...everywhere,
      ...shortRetention('Network/FlowLogs'),
      'LoadBalancer/Alb ControlTower::CT.ELASTICLOADBALANCING.PR.5',
      'LoadBalancer/Alb NIST.800.53.R5-ALBWAFEnabled',
      'LoadBalancer/Alb NIST.800.53.R5-ELBDeletionProtectionEnabled',
      'LoadBalancer/Alb/Http ControlTower::CT.ELASTICLOADBALANCING.PR.1',
      'LoadBalancer/Alb/Http NIST.800.53.R5-ALBHttpToHttpsRedirection',
    ].sort(),
  );
});

describe('at standard protection (staging), with a certificate', () => {
  const template = () => templates.standard;

  test('is an internet-facing ALB in the public subnets that drops invalid headers, mitigates desync strictly and refuses deletion', () => {
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [
        { Ref: Match.stringLikeRegexp('^NetworkVpcpublicSubnet1') },
        { Ref: Match.stringLikeRegexp('^NetworkVpcpublicSubnet2') },
      ],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^LoadBalancerAccessLogs') } },
        { Key: 'access_logs.s3.prefix', Value: 'orders-staging' },
      ]),
    });
  });

  test('serves HTTPS on 443 with the certificate and the post-quantum TLS policy, and redirects HTTP on 80 to it', () => {
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: TEST_CERTIFICATE_ARN }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-PQ-2025-09',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
      ],
    });
    template().resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  test('forwards every path on the HTTPS listener by weight, blue 100 and green 0', () => {
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^LoadBalancerAlbHttps') },
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: { Ref: Match.stringLikeRegexp('^LoadBalancerBlue') }, Weight: 100 },
              { TargetGroupArn: { Ref: Match.stringLikeRegexp('^LoadBalancerGreen') }, Weight: 0 },
            ],
          },
        },
      ],
    });
  });

  test('has blue and green IP target groups on the container port, both checking the health path', () => {
    const groups = template().findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(Object.keys(groups).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'LoadBalancerBlue',
      'LoadBalancerGreen',
    ]);
    for (const group of Object.values(groups)) {
      expect(group.Properties).toMatchObject({
        TargetType: 'ip',
        Port: 8080,
        Protocol: 'HTTP',
        HealthCheckPath: '/health',
      });
    }
  });

  test('logs requests to a private, SSL-only, versioned S3 bucket (SSE-S3) that expires them after the log retention and is retained', () => {
    template().hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            { ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' },
            { ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
          ],
        },
      },
    });
    template().hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('is protected by the WAF web ACL', () => {
    template().hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: Match.stringLikeRegexp('^LoadBalancerAlb') },
    });
  });

  test('lets the load balancer reach the tasks on the container port', () => {
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Tasks'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancerAlbSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('at basic protection (dev), without a certificate', () => {
  const template = () => templates.basic;

  test('serves plain HTTP on 80 as the production listener, which the rule forwards from', () => {
    template().resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^LoadBalancerAlbHttp') },
    });
    expect(fixtures.basic.loadBalancer.listener.port).toBe(80);
  });

  test('has no WAF and no deletion protection, and keeps access logs for the dev log retention', () => {
    template().resourceCountIs('AWS::WAFv2::WebACL', 0);
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
    template().hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
  });
});

test('an internal load balancer sits in the app subnets', () => {
  const { stack } = containerNetwork(testApp(), 'maximum', { internetFacing: false });
  Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    Scheme: 'internal',
    Subnets: [
      { Ref: Match.stringLikeRegexp('^NetworkVpcappSubnet1') },
      { Ref: Match.stringLikeRegexp('^NetworkVpcappSubnet2') },
    ],
  });
});

test('fails outside a ServiceStack, naming the stack and ServiceStack as the fix', () => {
  const stack = new Stack(testApp(), 'Orders-dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  const build = () =>
    new ServiceLoadBalancer(stack, 'LoadBalancer', {
      service: ordersContext(new kms.Key(stack, 'Key')),
      vpc: new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] }),
      internetFacing: true,
      containerPort: 8080,
      healthCheckPath: '/health',
      webAcl: false,
      deletionProtection: false,
    });
  const message = refusal(build);
  expect(message).toContain(
    'ServiceLoadBalancer Orders-dev/LoadBalancer must be built inside a ServiceStack:\n' +
      '  - Orders-dev/LoadBalancer: its stack Orders-dev is not a ServiceStack',
  );
  expect(message).toContain('fix: extend ServiceStack (from constructs/service/service-stack.ts) instead of Stack');
});
