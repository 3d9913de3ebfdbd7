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

  test("may be assumed only by this environment's gate role, which runs its entry checks and its bake", () => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role'));
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('444444444444:root');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::444444444444:role/keel-shop-prod-gate'] },
    });
    // The pipeline's own role reads no alarms any more: no CloudWatchAlarm rule assumes this role.
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).not.toContain('keel-shop-pipeline');
  });

  test('may only describe alarms, on * as AWS requires for composite alarms such as the health composite', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' }],
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('records the wildcard as a platform decision that quotes AWS, owned by the platform team', () => {
    const [decision] = access.node
      .findChild('ReadAlarms')
      .node.metadata.filter((m) => m.type === 'keel:acknowledgment')
      .map((m) => m.data as Record<string, string>);
    expect(decision).toMatchObject({
      id: 'AwsSolutions-IAM5[Resource::*]',
      owner: 'platform',
      expires: '2027-05-15',
    });
    expect(decision.reason).toContain('never metric data');
    expect(decision.reason).toContain(
      "You can't return information about composite alarms if your cloudwatch:DescribeAlarms permission has a " +
        'narrower scope.',
    );
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
