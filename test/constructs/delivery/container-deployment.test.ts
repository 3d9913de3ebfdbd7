import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ContainerDeployment, type ProtectionLevel } from '../../../constructs';
import { registerHandlerEntry } from '../../../constructs/service/bundling';
import { ServiceStack } from '../../../constructs/service/service-stack';
import { ECHO_HANDLER, unbundledTestApp } from '../../helpers/app';
import { ContainerShop } from '../../helpers/container-shop';
import { monitoredShop, shopMetrics, monitorShop } from '../../helpers/monitoring';
import { refusal } from '../../helpers/refusal';

/** A bare load-balanced Fargate service seen as a monitored service, its monitoring without standard alarms. */
function containerShop(protection: ProtectionLevel = 'maximum') {
  const stack = new ServiceStack(unbundledTestApp(), 'Test');
  const service = new ContainerShop(stack, 'Service', protection);
  registerHandlerEntry(service, ECHO_HANDLER);
  const { monitoring } = monitorShop(stack, service, {
    shopAnchors: ['no-orders', 'slow-orders'],
    monitoringProps: { standardAlarmSources: [] },
  });
  const metrics = shopMetrics();
  monitoring.addBusinessMetrics(metrics, [service]);
  const alarm = (slug: string, severity: 'critical' | 'warning') =>
    monitoring.addThresholdAlarm(metrics.placed, {
      slug,
      severity,
      description: slug,
      below: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  return { stack, monitoring, alarm };
}

function deploymentAlarms(stack: ReturnType<typeof containerShop>['stack']): unknown {
  const services = Template.fromStack(stack).findResources('AWS::ECS::Service');
  return Object.values(services)[0].Properties.DeploymentConfiguration.Alarms;
}

test('ECS rolls a deployment back on every critical metric alarm and the health composite, named as literals', () => {
  const { stack, monitoring, alarm } = containerShop();
  new ContainerDeployment(stack, 'Deployment', { monitoring });
  alarm('no-orders', 'critical');
  alarm('slow-orders', 'warning');
  expect(deploymentAlarms(stack)).toEqual({
    AlarmNames: ['shop-prod-no-orders-critical', 'shop-prod-health-critical'],
    Enable: true,
    Rollback: true,
  });
});

test('the alarms a team chooses are given to ECS by their Keel names', () => {
  const { stack, monitoring, alarm } = containerShop();
  const chosen = alarm('no-orders', 'critical');
  const deployment = new ContainerDeployment(stack, 'Deployment', { monitoring, alarms: [chosen] });
  expect(deployment.alarmNames).toEqual(['shop-prod-no-orders-critical']);
  expect(deploymentAlarms(stack)).toMatchObject({ AlarmNames: ['shop-prod-no-orders-critical'] });
});

test('refuses an alarm the monitoring does not know, and no alarms at all in production', () => {
  const { stack, monitoring } = containerShop();
  const stranger = new cloudwatch.Alarm(stack, 'Stranger', {
    metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  const foreign = refusal(() => new ContainerDeployment(stack, 'Foreign', { monitoring, alarms: [stranger] }));
  expect(foreign).toContain('Test/Stranger is not an alarm of Test/Monitoring, so Keel cannot give ECS its name');
  const none = refusal(() => new ContainerDeployment(stack, 'None', { monitoring, alarms: [] }));
  expect(none).toContain('a production deployment without rollback alarms is refused');
});

test('a critical alarm added after the deployment alarms were set fails synth', () => {
  const { stack, monitoring, alarm } = containerShop();
  const deployment = new ContainerDeployment(stack, 'Deployment', { monitoring });
  deployment.buildDeploymentAlarms();
  alarm('no-orders', 'critical');
  expect(() => Template.fromStack(stack)).toThrow(
    /Test\/Monitoring got critical alarms after the deployment alarms were set, so they do not roll deployments back/,
  );
});

test('refuses a service without containers, pointing to CanaryDeployment', () => {
  const { stack, monitoring } = monitoredShop();
  const message = refusal(() => new ContainerDeployment(stack, 'Deployment', { monitoring }));
  expect(message).toContain('Test/Service runs no containers, so ECS has nothing to roll back');
  expect(message).toContain(
    "monitor a ProductionContainerService here; a ProductionService's functions deploy through CanaryDeployment",
  );
});
