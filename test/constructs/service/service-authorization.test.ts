import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ProductionService, ServiceAuthorization } from '../../../constructs';
import { ECHO_HANDLER, testStack, unbundledTestApp } from '../../helpers/app';
import { ordersService, withHealthRoute } from '../../helpers/service';

/** The orders service with `authorization` on two routes, and its template. */
function twoRoutes(authorization: (svc: ProductionService) => ServiceAuthorization): Template {
  const { stack, svc } = ordersService();
  const guarded = new ProductionService(stack, 'Guarded', {
    serviceName: 'guarded',
    environment: 'dev',
    protection: 'basic',
    authorization: authorization(withHealthRoute(svc)),
  });
  const fn = guarded.addFunction('Fn', { entry: ECHO_HANDLER });
  guarded.addRoute('GET', '/a', fn);
  guarded.addRoute('GET', '/b', fn);
  return Template.fromStack(stack);
}

test('signs requests with SigV4 and lets IAM decide by default', () => {
  const { stack, svc } = ordersService();
  withHealthRoute(svc);
  expect(svc.authorization.kind).toBe('iam');
  Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'AWS_IAM' });
  Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Authorizer', 0);
});

test('authorizes with Cognito user pools or a Lambda authorizer instead of IAM', () => {
  const cognitoStack = testStack(unbundledTestApp());
  const pool = new cognito.UserPool(cognitoStack, 'Users');
  const withCognito = new ProductionService(cognitoStack, 'Service', {
    serviceName: 'orders',
    environment: 'dev',
    protection: 'basic',
    authorization: ServiceAuthorization.cognito([pool]),
  });
  withCognito.addRoute('GET', '/me', withCognito.addFunction('Fn', { entry: ECHO_HANDLER }));
  Template.fromStack(cognitoStack).hasResourceProperties('AWS::ApiGateway::Method', {
    AuthorizationType: 'COGNITO_USER_POOLS',
  });

  const lambdaStack = testStack(unbundledTestApp());
  const withLambda = new ProductionService(lambdaStack, 'Service', {
    serviceName: 'orders',
    environment: 'dev',
    protection: 'basic',
    authorization: ServiceAuthorization.lambda(
      withHealthRoute(
        new ProductionService(lambdaStack, 'Auth', { serviceName: 'auth', environment: 'dev', protection: 'basic' }),
      ).addFunction('Authorizer', { entry: ECHO_HANDLER }).function,
    ),
  });
  withLambda.addRoute('GET', '/me', withLambda.addFunction('Fn', { entry: ECHO_HANDLER }));
  Template.fromStack(lambdaStack).hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST' });
});

test('creates one authorizer for every route it guards', () => {
  const template = twoRoutes((svc) =>
    ServiceAuthorization.lambda(svc.addFunction('Authorizer', { entry: ECHO_HANDLER }).function),
  );
  template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
  template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
    Type: 'REQUEST',
    IdentitySource: 'method.request.header.Authorization',
  });
});

test('asks Cognito for the OAuth scopes it is given', () => {
  const template = twoRoutes((svc) =>
    ServiceAuthorization.cognito([new cognito.UserPool(svc, 'Users')], ['orders/read']),
  );
  template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
  template.hasResourceProperties('AWS::ApiGateway::Method', {
    AuthorizationType: 'COGNITO_USER_POOLS',
    AuthorizationScopes: ['orders/read'],
  });
});
