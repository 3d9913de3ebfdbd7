import { Match } from 'aws-cdk-lib/assertions';
import { helloWorld as service } from '../../../../lib/services/hello-world';
import { serviceTemplate } from '../../../helpers/service-stack';

const dev = serviceTemplate(service, 'dev');
const prod = serviceTemplate(service, 'prod');

test('serves GET /hello-world through the live alias, authorized by IAM', () => {
  dev.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'AWS_IAM' });
  dev.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
});

test("pages commerce's on-call when more than 5% of requests fail, linking the runbook", () => {
  prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'hello-world-prod-failure-rate-critical',
    Threshold: 0.05,
    AlarmDescription: Match.stringLikeRegexp('runbooks/hello-world\\.md#failure-rate'),
  });
  prod.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'commerce-oncall@example.com' });
});

test('rolls a prod deployment back when the health composite fires', () => {
  prod.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
    AlarmConfiguration: Match.objectLike({
      Enabled: true,
      Alarms: Match.arrayWith([{ Name: { Ref: Match.stringLikeRegexp('^MonitoringHealth') } }]),
    }),
    AutoRollbackConfiguration: Match.objectLike({ Enabled: true }),
  });
});

test('keeps the HelloWorld API, key and logs apart per environment', () => {
  dev.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'hello-world-dev' });
  prod.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/hello-world-prod' });
});
