import { Template } from 'aws-cdk-lib/assertions';
import { DeliveryAccess, deliveryRoleNames } from '../../../constructs';
import { testStack } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

describe('the access a pipeline gets to a service account', () => {
  const stack = testStack();
  const access = new DeliveryAccess(stack, 'DeliveryAccess', {
    serviceName: 'shop',
    environment: 'prod',
    deliveryAccount: '444444444444',
  });
  const template = Template.fromStack(stack);

  test('is one role, named so the delivery account can name it', () => {
    expect(access.alarmReaderArn).toBe('arn:aws:iam::111111111111:role/keel-shop-prod-alarm-reader');
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'keel-shop-prod-alarm-reader' });
  });

  test("may be assumed only by the service's pipeline role and this environment's gate role", () => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role'));
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('444444444444:root');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      ArnEquals: {
        'aws:PrincipalArn': [
          'arn:aws:iam::444444444444:role/keel-shop-pipeline',
          'arn:aws:iam::444444444444:role/keel-shop-prod-gate',
        ],
      },
    });
  });

  test("may only describe the service's alarms in this environment", () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'cloudwatch:DescribeAlarms',
            Effect: 'Allow',
            Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-prod-*',
          },
        ],
      },
    });
  });
});

test('fails when the delivery account is not an account id', () => {
  expect(
    refusal(
      () =>
        new DeliveryAccess(testStack(), 'DeliveryAccess', {
          serviceName: 'shop',
          environment: 'prod',
          deliveryAccount: 'tools',
        }),
    ),
  ).toContain('DeliveryAccess deliveryAccount: "tools" is not a 12-digit AWS account id');
});

test('fails when a role name would pass the 64 characters IAM allows', () => {
  const service = 'a-very-long-service-name-that-goes-on-and-on-forever';
  expect(deliveryRoleNames.alarmReader(service, 'staging').length).toBeGreaterThan(64);
  expect(
    refusal(
      () =>
        new DeliveryAccess(testStack(), 'DeliveryAccess', {
          serviceName: service,
          environment: 'staging',
          deliveryAccount: '444444444444',
        }),
    ),
  ).toContain('IAM allows 64');
});
