import { Duration, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  CanaryDeployment,
  DeploymentStrategy,
  type CanaryDeploymentProps,
  type ProductionService,
  type ProtectionLevel,
  type ServiceMonitoring,
} from '../../../constructs';
import { SMOKE_PARAMETER, smokeRequest } from '../../../constructs/delivery/canary-deployment';
import { dependencies, dependencyCycles } from '../../../constructs/governance/template-cycles';
import { ECHO_HANDLER } from '../../helpers/app';
import { monitoredShop } from '../../helpers/monitoring';
import { refusal } from '../../helpers/refusal';

/** Adds `count` critical metric alarms, `signal-<i>`, to the service. */
function addCriticalSignals(monitoring: ServiceMonitoring, count: number): void {
  for (let i = 0; i < count; i++) {
    monitoring.alarmFactory.createAlarm(
      new cloudwatch.Metric({ namespace: 'Keel/Shop', metricName: `Signal${i}` }),
      {
        slug: `signal-${i}`,
        severity: 'critical',
        description: 'A critical signal.',
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      'threshold',
      { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, watches: 'signal' },
    );
  }
}

function deployed(protection: ProtectionLevel, props: Partial<CanaryDeploymentProps> = {}) {
  const shop = monitoredShop({
    protection,
    environment: { basic: 'dev', standard: 'staging', maximum: 'prod' }[protection],
  });
  const deployment = new CanaryDeployment(shop.stack, 'Deployment', { monitoring: shop.monitoring, ...props });
  return { ...shop, deployment };
}

describe('in prod', () => {
  const { stack, monitoring, fn } = deployed('maximum');
  const template = Template.fromStack(stack);

  test('shifts 10% of traffic for 5 minutes before the rest, through the live alias', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    });
    template.hasResource('AWS::Lambda::Alias', {
      Properties: { Name: 'live' },
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ AfterAllowTrafficHook: Match.anyValue() }) },
    });
  });

  test('rolls back on a failed or stopped deployment and on the health composite or any critical alarm', () => {
    const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties as {
      AlarmConfiguration: { Enabled: boolean; Alarms: { Name: unknown }[] };
      AutoRollbackConfiguration: { Enabled: boolean; Events: string[] };
    };
    expect(group.AutoRollbackConfiguration).toEqual({
      Enabled: true,
      Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
    expect(group.AlarmConfiguration.Enabled).toBe(true);
    const watched = JSON.stringify(group.AlarmConfiguration.Alarms);
    expect(watched).toContain(monitoring.node.findChild('Health').node.id);
    // Metric alarms first: AWS documents CodeDeploy's alarms for metric alarms, not for composites.
    expect(JSON.stringify(group.AlarmConfiguration.Alarms.at(-1))).toContain('MonitoringHealth');
    expect(JSON.stringify(group.AlarmConfiguration.Alarms[0])).not.toMatch(/Health|burn/i);
    const critical = monitoring.alarms.filter((a) => a.severity === 'critical' && !a.compositeChild);
    expect(group.AlarmConfiguration.Alarms).toHaveLength(Math.min(10, critical.length));
  });

  test('smoke-tests each route of each routed function, shaped as API Gateway sends it', () => {
    const [hook] = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables
          ?.SMOKE_REQUESTS,
    );
    const joined = (
      hook.Properties as { Environment: { Variables: { SMOKE_REQUESTS: { 'Fn::Join': [string, unknown[]] } } } }
    ).Environment.Variables.SMOKE_REQUESTS['Fn::Join'][1];
    const text = joined.map((part) => (typeof part === 'string' ? part : 'FUNCTION')).join('');
    expect(JSON.parse(text)).toEqual([
      {
        function: 'FUNCTION',
        events: [
          expect.objectContaining({
            httpMethod: 'POST',
            resource: '/orders',
            path: '/orders',
            body: '{}',
            pathParameters: null,
          }),
        ],
      },
    ]);
    expect(smokeRequest({ method: 'GET', path: '/orders/{orderId}', function: fn })).toMatchObject({
      httpMethod: 'GET',
      resource: '/orders/{orderId}',
      path: `/orders/${SMOKE_PARAMETER}`,
      pathParameters: { orderId: SMOKE_PARAMETER },
      body: null,
    });
  });

  test('the hook may read its deployments and invoke exactly the versions this template deploys', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p).includes('codedeploy:GetDeployment'),
    );
    const statements = (
      policy.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }
    ).PolicyDocument.Statement;
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke?.Resource)).toMatch(/"Ref":".*CurrentVersion/);
    expect(JSON.stringify(statements.find((s) => s.Action === 'codedeploy:GetDeployment')?.Resource)).toContain(
      'deploymentgroup:',
    );
  });

  test('has no circular dependency: the hook never refers to the alias whose update policy names it', () => {
    expect(dependencyCycles(dependencies(template.toJSON().Resources))).toEqual([]);
    const hookEnvironment = JSON.stringify(
      Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties),
    );
    expect(hookEnvironment).not.toMatch(/Live[0-9A-F]{8}/);
  });

  test("gives CodeDeploy one role with AWS's Limited policy, and the hook invoke grant in a managed policy", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('AWSCodeDeployRoleForLambdaLimited')])]),
        }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction' })], Version: '2012-10-17' },
    });
  });
});

test('goes linear 10% every minute in staging, without a hook', () => {
  const template = Template.fromStack(deployed('standard').stack);
  template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
    DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
  });
  template.resourcePropertiesCountIs(
    'AWS::Lambda::Function',
    { Environment: { Variables: Match.objectLike({ TARGET_FUNCTION: Match.anyValue() }) } },
    0,
  );
});

test('deploys all at once in dev, still rolling back on alarms', () => {
  const template = Template.fromStack(deployed('basic').stack);
  template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
    DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
    AutoRollbackConfiguration: Match.objectLike({ Enabled: true }),
  });
});

test('takes a strategy of its own per service', () => {
  const template = Template.fromStack(
    deployed('maximum', { strategy: DeploymentStrategy.canary(20, Duration.minutes(10)) }).stack,
  );
  template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
    ComputePlatform: 'Lambda',
    TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 20, CanaryInterval: 10 } },
  });
});

test('fails when the canary percentage is outside 1-99', () => {
  for (const percent of [0, 100, 150]) {
    expect(
      refusal(() => deployed('maximum', { strategy: DeploymentStrategy.canary(percent, Duration.minutes(5)) })),
    ).toContain(`${percent}% is outside 1-99`);
  }
});

test('fails when the interval is not whole minutes', () => {
  expect(
    refusal(() => deployed('standard', { strategy: DeploymentStrategy.linear(10, Duration.seconds(30)) })),
  ).toContain('is not whole minutes from 1 to 2880');
});

test('fails when a production deployment has no rollback alarms', () => {
  expect(refusal(() => deployed('maximum', { alarms: [] }))).toContain(
    'a production deployment without rollback alarms is refused',
  );
});

test('fails when more alarms are asked for than CodeDeploy watches', () => {
  const shop = monitoredShop();
  const alarms = Array.from({ length: 11 }, (_, i) =>
    cloudwatch.Alarm.fromAlarmArn(shop.stack, `A${i}`, `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:a${i}`),
  );
  expect(
    refusal(() => new CanaryDeployment(shop.stack, 'Deployment', { monitoring: shop.monitoring, alarms })),
  ).toContain('CodeDeploy watches at most 10');
});

test('fails when the critical metric alarms alone are more than CodeDeploy watches, by default', () => {
  const shop = monitoredShop({ protection: 'maximum', environment: 'prod' });
  addCriticalSignals(shop.monitoring, 11);
  new CanaryDeployment(shop.stack, 'Deployment', { monitoring: shop.monitoring });
  // The default alarms are chosen when synth builds the deployment, from every alarm the service has by then.
  const message = refusal(() => Template.fromStack(shop.stack));
  expect(message).toMatch(/\d+ critical metric alarms; CodeDeploy watches at most 10/);
  expect(message).toContain('AWS does not document that it evaluates composite alarms');
});

test("fails when the hook's smoke requests cannot fit Lambda's 4 KB of environment variables", () => {
  const shop = monitoredShop({
    protection: 'maximum',
    environment: 'prod',
    beforeMonitoring: (service) => {
      const [fn] = [...service.routedFunctions];
      for (let i = 0; i < 20; i++) service.addRoute('GET', `/orders/report-${i}/{orderId}`, fn);
    },
  });
  new CanaryDeployment(shop.stack, 'Deployment', { monitoring: shop.monitoring });
  expect(refusal(() => Template.fromStack(shop.stack))).toContain(
    'pass smokeEvent: one request that every routed function accepts',
  );
});

describe('just in time', () => {
  /** A second routed function and a table: one more deployment group, smoke request and critical alarm. */
  function grow(service: ProductionService): void {
    const reports = service.addFunction('Reports', { entry: ECHO_HANDLER });
    service.addRoute('GET', '/reports/{reportId}', reports);
    service.addTable('Ledger', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  }

  function deploymentResources(stack: Stack): Record<string, unknown> {
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
    return Object.fromEntries(
      Object.entries(template.Resources).filter(
        ([, resource]) => resource.Type.startsWith('AWS::CodeDeploy::') || resource.Type === 'AWS::Lambda::Function',
      ),
    );
  }

  test('a route and a table added after the deployment get the deployment groups, alarms and smoke requests they get before it', () => {
    const before = monitoredShop({ protection: 'maximum', environment: 'prod', beforeMonitoring: grow });
    new CanaryDeployment(before.stack, 'Deployment', { monitoring: before.monitoring });
    const after = monitoredShop({ protection: 'maximum', environment: 'prod' });
    new CanaryDeployment(after.stack, 'Deployment', { monitoring: after.monitoring });
    grow(after.service);
    const expected = deploymentResources(before.stack);
    expect(deploymentResources(after.stack)).toEqual(expected);
    const groups = Object.values(expected).filter(
      (r) => (r as { Type: string }).Type === 'AWS::CodeDeploy::DeploymentGroup',
    );
    expect(groups).toHaveLength(2);
    expect(JSON.stringify(groups)).toContain('MonitoringStandardshopprodledgersystemerrorscritical');
  });
});

test('warns, naming them, about the composite alarms that do not fit CodeDeploy beside the critical metric alarms', () => {
  const signals = Array.from({ length: 7 }, (_, i) => `signal-${i}`);
  const shop = monitoredShop({ protection: 'maximum', environment: 'prod', shopAnchors: signals });
  // The shop's standard critical metric alarms are three: API 5xx, handler errors, table system errors.
  addCriticalSignals(shop.monitoring, 7);
  new CanaryDeployment(shop.stack, 'Deployment', { monitoring: shop.monitoring });
  Annotations.fromStack(shop.stack).hasWarning(
    '/Test/Deployment',
    Match.stringLikeRegexp('the deployment does not watch shop-prod-health-critical; every critical metric alarm'),
  );
});

test('fails when a route or a critical alarm is added after the deployment groups were built early', () => {
  const { stack, service, deployment, fn, monitoring } = deployed('maximum');
  deployment.buildDeploymentGroups();
  service.addRoute('GET', '/orders/{orderId}', fn);
  addCriticalSignals(monitoring, 1);
  let message = '';
  try {
    Template.fromStack(stack);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    /Test\/Deployment: Test\/Service got routes after the deployment groups were built[^\n]*\n\s+fix: call buildDeploymentGroups\(\) only after every route is added/,
  );
  expect(message).toContain('Test/Monitoring got critical alarms after the deployment groups were built');
});
