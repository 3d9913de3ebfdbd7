import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ServiceNetwork } from '../../../constructs/service/service-network';
import { testApp } from '../../helpers/app';
import { containerNetwork } from '../../helpers/container-network';
import { refusal } from '../../helpers/refusal';
import { ordersContext } from '../../helpers/service';

describe('the network of a container service at basic protection', () => {
  const { stack } = containerNetwork(testApp(), 'basic');
  const template = Template.fromStack(stack);
  const subnets = (group: string) =>
    Object.entries(template.findResources('AWS::EC2::Subnet'))
      .filter(([id]) => id.startsWith(`NetworkVpc${group}Subnet`))
      .map(([, subnet]) => subnet.Properties as { AvailabilityZone: unknown; MapPublicIpOnLaunch: boolean });
  const ref = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^${prefix}`) });

  test('spans two availability zones with a public and an app subnet in each, and no public IP on launch anywhere', () => {
    const zone = (index: number) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] });
    for (const group of ['public', 'app']) {
      expect(subnets(group)).toMatchObject([
        {
          AvailabilityZone: zone(0),
          CidrBlock: expect.any(String),
          MapPublicIpOnLaunch: false,
          VpcId: expect.anything(),
        },
        {
          AvailabilityZone: zone(1),
          CidrBlock: expect.any(String),
          MapPublicIpOnLaunch: false,
          VpcId: expect.anything(),
        },
      ]);
    }
    template.resourceCountIs('AWS::EC2::Subnet', 4);
  });

  test('has no NAT gateway, and no route from the app subnets to the internet', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const routes = Object.entries(
      template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0' } }),
    );
    expect(routes.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^NetworkVpcpublicSubnet1DefaultRoute/),
      expect.stringMatching(/^NetworkVpcpublicSubnet2DefaultRoute/),
    ]);
  });

  test('logs every flow to a log group encrypted with the service key and kept for the service log retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      ResourceId: ref('NetworkVpc'),
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: ref('NetworkFlowLogs'),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceKey'), 'Arn'] },
      RetentionInDays: 30,
    });
  });

  test('lets only VPC flow logs of its own account deliver, through a managed policy on the flow log group alone', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:111111111111:vpc-flow-log/*' },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogs'), 'Arn'] },
          },
        ],
      },
      Roles: [ref('NetworkFlowLogRole')],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('reaches ECR, CloudWatch Logs and Secrets Manager through interface endpoints in the app subnets', () => {
    const endpoints = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    expect(Object.values(endpoints).map((e) => e.Properties.ServiceName)).toEqual(
      ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager'].map((service) => `com.amazonaws.eu-west-1.${service}`),
    );
    for (const endpoint of Object.values(endpoints)) {
      expect(endpoint.Properties).toMatchObject({
        PrivateDnsEnabled: true,
        SubnetIds: [
          { Ref: expect.stringMatching(/^NetworkVpcappSubnet1/) },
          { Ref: expect.stringMatching(/^NetworkVpcappSubnet2/) },
        ],
      });
    }
  });

  test("opens the endpoints on 443 to the tasks' security group only, never to an address range", () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(
        (rule) =>
          rule.Properties as {
            GroupId: { 'Fn::GetAtt': string[] };
            FromPort: number;
            SourceSecurityGroupId?: unknown;
            CidrIp?: string;
          },
      )
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0].startsWith('NetworkEndpoints'));
    expect(ingress).toHaveLength(4);
    for (const rule of ingress) {
      expect(rule).toMatchObject({
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': ['Tasks0BA6A452', 'GroupId'] },
      });
      expect(rule.CidrIp).toBeUndefined();
    }
    const groups = Object.entries(template.findResources('AWS::EC2::SecurityGroup'));
    for (const [, group] of groups.filter(([id]) => id.startsWith('NetworkEndpoints'))) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    }
  });

  test('fetches image layers from S3 through the free gateway endpoint, routed from the app subnets', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      RouteTableIds: [ref('NetworkVpcappSubnet1RouteTable'), ref('NetworkVpcappSubnet2RouteTable')],
    });
  });
});

test('fails outside a ServiceStack, naming the stack and ServiceStack as the fix', () => {
  const stack = new Stack(testApp(), 'Orders-dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  const service = ordersContext(new kms.Key(stack, 'Key'));
  expect(refusal(() => new ServiceNetwork(stack, 'Network', { service }))).toBe(
    'ServiceNetwork Orders-dev/Network must be built inside a ServiceStack:\n' +
      '  - Orders-dev/Network: its stack Orders-dev is not a ServiceStack: a VPC there would look the ' +
      'availability zones up in AWS at synth, with placeholder zones until then\n' +
      '    fix: extend ServiceStack (from constructs/service/service-stack.ts) instead of Stack for the stack that ' +
      'holds the ServiceNetwork',
  );
});
