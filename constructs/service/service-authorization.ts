import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** Who may call a ProductionService's API. */
export class ServiceAuthorization {
  /** Callers sign requests with SigV4 and IAM decides. */
  public static iam(): ServiceAuthorization {
    return new ServiceAuthorization('iam', () => ({ authorizationType: apigateway.AuthorizationType.IAM }));
  }

  /** Callers present a token from one of these Cognito user pools. */
  public static cognito(userPools: cognito.IUserPool[], scopes?: string[]): ServiceAuthorization {
    let authorizer: apigateway.CognitoUserPoolsAuthorizer | undefined;
    return new ServiceAuthorization('cognito', (scope) => {
      authorizer ??= new apigateway.CognitoUserPoolsAuthorizer(scope, 'Authorizer', { cognitoUserPools: userPools });
      return {
        authorizationType: apigateway.AuthorizationType.COGNITO,
        authorizer,
        ...(scopes ? { authorizationScopes: scopes } : {}),
      };
    });
  }

  /** A Lambda authorizer decides from the request's Authorization header. */
  public static lambda(handler: lambda.IFunction): ServiceAuthorization {
    let authorizer: apigateway.RequestAuthorizer | undefined;
    return new ServiceAuthorization('lambda', (scope) => {
      authorizer ??= new apigateway.RequestAuthorizer(scope, 'Authorizer', {
        handler,
        identitySources: [apigateway.IdentitySource.header('Authorization')],
      });
      return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer };
    });
  }

  private constructor(
    /** Which kind of authorization this is. */
    public readonly kind: 'iam' | 'cognito' | 'lambda',
    private readonly options: (scope: Construct) => apigateway.MethodOptions,
  ) {}

  /** The method options that apply this authorization; authorizers are created once, under `scope`. */
  public methodOptions(scope: Construct): apigateway.MethodOptions {
    return this.options(scope);
  }
}
