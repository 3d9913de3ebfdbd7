import { Match } from 'aws-cdk-lib/assertions';
import { helloContainer as service } from '../../../../lib/services/hello-container';
import { serviceTemplate } from '../../../helpers/service-stack';

const dev = serviceTemplate(service, 'dev');
const prod = serviceTemplate(service, 'prod');

test('runs the app on Fargate behind a load balancer that checks GET /health on port 8080', () => {
  dev.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'FARGATE' });
  dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    Port: 8080,
    HealthCheckPath: '/health',
    TargetType: 'ip',
  });
  dev.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [
      Match.objectLike({ Name: 'app', PortMappings: [Match.objectLike({ ContainerPort: 8080 })] }),
    ],
  });
});

test("pages commerce's on-call when more than 5% of requests fail, linking the runbook", () => {
  prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'hello-container-prod-failure-rate-critical',
    Threshold: 0.05,
    AlarmDescription: Match.stringLikeRegexp('runbooks/hello-container\\.md#failure-rate'),
  });
  prod.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'commerce-oncall@example.com' });
});

test('rolls a prod deployment back when the health composite fires', () => {
  prod.hasResourceProperties('AWS::ECS::Service', {
    DeploymentConfiguration: Match.objectLike({
      Alarms: Match.objectLike({
        Enable: true,
        Rollback: true,
        AlarmNames: Match.arrayWith(['hello-container-prod-health-critical']),
      }),
    }),
  });
});

test("keeps each environment's HelloContainer key apart", () => {
  dev.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/hello-container-dev' });
  prod.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/hello-container-prod' });
});
