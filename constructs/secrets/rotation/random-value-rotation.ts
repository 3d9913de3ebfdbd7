import { randomBytes } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';

/** What Secrets Manager sends a rotation function, once per step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

const client = new SecretsManagerClient({});
const logger = new Logger();

/** A URL-safe random value with `bytes` bytes of entropy. */
export function randomValue(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Rotates a secret whose value is a random string nobody else has to be told about (an API key that Keel's own
 * handlers issue and check): each rotation stages a new random value, tests it, and makes it current.
 */
export async function handler(event: RotationEvent): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  logger.appendKeys({ secretId, step });
  const description = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!description.RotationEnabled) throw new Error(`rotation is not enabled for ${secretId}`);
  const stages = description.VersionIdsToStages?.[token];
  if (!stages) throw new Error(`version ${token} of ${secretId} is not staged for rotation`);
  if (stages.includes('AWSCURRENT')) {
    logger.info('version is already current; nothing to do');
    return;
  }
  if (!stages.includes('AWSPENDING')) throw new Error(`version ${token} of ${secretId} is not pending rotation`);

  switch (step) {
    case 'createSecret':
      await createSecret(secretId, token);
      break;
    case 'setSecret':
      // The value lives only in Secrets Manager: there is no other system to tell.
      break;
    case 'testSecret': {
      const pending = await client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }),
      );
      if (!pending.SecretString || pending.SecretString.length < 32)
        throw new Error('the pending value is missing or too short');
      break;
    }
    case 'finishSecret': {
      const current = Object.entries(description.VersionIdsToStages ?? {}).find(([, s]) =>
        s.includes('AWSCURRENT'),
      )?.[0];
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: current,
        }),
      );
      break;
    }
    default:
      throw new Error(`unknown rotation step ${String(step)}`);
  }
  logger.info('rotation step done');
}

async function createSecret(secretId: string, token: string): Promise<void> {
  await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  try {
    await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
    logger.info('pending value already exists');
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: randomValue(),
        VersionStages: ['AWSPENDING'],
      }),
    );
  }
}
