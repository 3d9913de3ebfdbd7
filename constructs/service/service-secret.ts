import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { KeelValidationError } from '../errors';
import type { IServiceContext } from './service-context';
import { ServiceFunction } from './service-function';

const DEFAULT_ROTATION_INTERVAL = Duration.days(30);

/** How a ServiceSecret rotates. Every secret rotates: there is no option for none. */
export class SecretRotation {
  /**
   * A Keel rotation function that issues a new random value: right for API keys Keel's own handlers issue and check.
   * @param every how often it rotates (default 30 days)
   */
  public static randomValue(every: Duration = DEFAULT_ROTATION_INTERVAL): SecretRotation {
    return new SecretRotation(every);
  }

  /** AWS's hosted rotation, for the databases and services it supports (e.g. `HostedRotation.postgreSqlSingleUser()`). */
  public static hosted(
    rotation: secretsmanager.HostedRotation,
    every: Duration = DEFAULT_ROTATION_INTERVAL,
  ): SecretRotation {
    return new SecretRotation(every, rotation);
  }

  /** Your own rotation function; it needs read and write access to the secret and its key. */
  public static withFunction(
    rotationFunction: lambda.IFunction,
    every: Duration = DEFAULT_ROTATION_INTERVAL,
  ): SecretRotation {
    return new SecretRotation(every, undefined, rotationFunction);
  }

  private constructor(
    public readonly every: Duration,
    public readonly hostedRotation?: secretsmanager.HostedRotation,
    public readonly rotationFunction?: lambda.IFunction,
  ) {}
}

export interface ServiceSecretProps {
  /** The service the secret belongs to; the secret is encrypted with its key, and a Keel rotator runs as its function. */
  readonly service: IServiceContext;
  /** How the secret rotates; required. */
  readonly rotation: SecretRotation;
  /**
   * What the secret is for.
   * @default - none
   */
  readonly description?: string;
  /**
   * How Secrets Manager generates the value. Hosted database rotations need a JSON value: pass a
   * `secretStringTemplate` with the connection fields and `generateStringKey: 'password'`.
   * @default - a 48-character string without punctuation
   */
  readonly generate?: secretsmanager.SecretStringGenerator;
}

/**
 * A Secrets Manager secret encrypted with the service key, generated (never written in code), and rotated on a
 * schedule. Functions get its name and a read grant on this one secret through `ServiceFunction.readSecret`.
 */
export class ServiceSecret extends Construct {
  public readonly secret: secretsmanager.Secret;
  /** The Keel rotation function, when the rotation is `SecretRotation.randomValue()`. */
  public readonly rotationFunction?: ServiceFunction;

  constructor(scope: Construct, id: string, props: ServiceSecretProps) {
    super(scope, id);
    if (!(props.rotation instanceof SecretRotation)) {
      throw new KeelValidationError(`Invalid secret ${this.node.path}:`, [
        {
          where: `${this.node.path} rotation`,
          what: 'the secret has no rotation; a secret that never changes stays valid for whoever once copied it',
          fix: 'pass rotation: SecretRotation.randomValue(), SecretRotation.hosted(...) or SecretRotation.withFunction(...)',
        },
      ]);
    }
    const hours = props.rotation.every.toHours({ integral: false });
    if (!Number.isInteger(hours / 24) || hours / 24 < 1 || hours / 24 > 1000) {
      throw new KeelValidationError(`Invalid secret ${this.node.path}:`, [
        {
          where: `${this.node.path} rotation`,
          what: `every ${props.rotation.every.toHumanString()} is not a whole number of days from 1 to 1000`,
          fix: 'rotate every Duration.days(n) with n from 1 to 1000; 30 is the default',
        },
      ]);
    }
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: props.description,
      encryptionKey: props.service.key,
      generateSecretString: props.generate ?? { passwordLength: 48, excludePunctuation: true },
    });
    const { rotation } = props;
    if (rotation.hostedRotation) {
      this.secret.addRotationSchedule('Rotation', {
        hostedRotation: rotation.hostedRotation,
        automaticallyAfter: rotation.every,
      });
      return;
    }
    let rotationArn: string;
    if (rotation.rotationFunction) {
      rotationArn = rotation.rotationFunction.functionArn;
      rotation.rotationFunction.addPermission(`${id}SecretsManagerInvokes`, {
        principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
        sourceArn: this.secret.secretArn,
      });
    } else {
      this.rotationFunction = new ServiceFunction(this, 'Rotator', {
        entry: path.join(__dirname, '..', 'secrets', 'rotation', 'random-value-rotation.ts'),
        service: props.service,
        timeout: Duration.seconds(30),
        reservedConcurrency: 1,
      });
      const secretArn = this.secret.secretArn;
      this.rotationFunction.allow(
        [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        [secretArn],
      );
      this.rotationFunction.allowKeyVia(props.service.key, ['kms:Decrypt', 'kms:GenerateDataKey'], 'secretsmanager');
      this.rotationFunction.alias.addPermission('SecretsManagerInvokes', {
        principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
        sourceArn: secretArn,
      });
      rotationArn = this.rotationFunction.alias.functionArn;
    }
    // The L1, because the L2 schedule grants the rotation function through an inline policy with wildcard actions.
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'Rotation', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: rotationArn,
      rotationRules: { scheduleExpression: `rate(${rotation.every.toDays()} days)` },
    });
    schedule.node.addDependency(this.rotationFunction ?? rotation.rotationFunction ?? this.secret);
  }
}
