import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import * as rotation from '../../../../constructs/secrets/rotation/random-value-rotation';

// The handler logs each step through Powertools Logger, which writes straight to stdout: keep test output quiet.
jest.spyOn(Logger.prototype, 'info').mockImplementation(() => undefined);

const secretsManager = mockClient(SecretsManagerClient);

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders-api-key-AbCdEf';
const TOKEN = 'token-new';
const OLD_VERSION = 'version-old';

function event(step: rotation.RotationEvent['Step'], token = TOKEN): rotation.RotationEvent {
  return { SecretId: SECRET_ID, ClientRequestToken: token, Step: step };
}

/** A secret with rotation on, its current value at OLD_VERSION and TOKEN staged as pending. */
function describes(output: Partial<DescribeSecretCommandOutput> = {}): void {
  secretsManager.on(DescribeSecretCommand).resolves({
    ARN: SECRET_ID,
    RotationEnabled: true,
    VersionIdsToStages: { [OLD_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
    ...output,
  });
}

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: 'x', $metadata: {} });
}

/** The commands the handler sent, by name, in order. */
function commandsSent(): string[] {
  return secretsManager.calls().map((call) => call.args[0].constructor.name);
}

beforeEach(() => {
  secretsManager.reset();
});

describe('createSecret', () => {
  beforeEach(() => {
    describes();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: 'the-current-value-which-is-long-enough', VersionId: OLD_VERSION });
  });

  test('stages a new random value as pending under the request token when none exists', async () => {
    secretsManager.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(notFound());
    secretsManager.on(PutSecretValueCommand).resolves({});

    await rotation.handler(event('createSecret'));

    const puts = secretsManager.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0].args[0].input;
    expect(input).toEqual({
      SecretId: SECRET_ID,
      ClientRequestToken: TOKEN,
      VersionStages: ['AWSPENDING'],
      SecretString: expect.any(String),
    });
    expect(input.SecretString?.length).toBeGreaterThanOrEqual(32);
  });

  test('stages a different value on each rotation', async () => {
    secretsManager.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(notFound());
    secretsManager.on(PutSecretValueCommand).resolves({});

    await rotation.handler(event('createSecret'));
    await rotation.handler(event('createSecret'));

    const values = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input.SecretString);
    expect(values).toHaveLength(2);
    expect(values[0]).not.toEqual(values[1]);
  });

  test('does nothing when the pending value already exists, so a retried step keeps the staged value', async () => {
    secretsManager
      .on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' })
      .resolves({ SecretString: 'an-already-staged-value-long-enough', VersionId: TOKEN });

    await rotation.handler(event('createSecret'));

    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test('fails when reading the pending value fails for a reason other than its absence, and stages nothing', async () => {
    secretsManager
      .on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' })
      .rejects(new Error('AccessDenied'));

    await expect(rotation.handler(event('createSecret'))).rejects.toThrow('AccessDenied');
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('setSecret', () => {
  test('changes nothing, because the value lives only in Secrets Manager', async () => {
    describes();

    await rotation.handler(event('setSecret'));

    expect(commandsSent()).toEqual(['DescribeSecretCommand']);
  });
});

describe('testSecret', () => {
  beforeEach(() => describes());

  test('fails when the pending value is missing', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ VersionId: TOKEN });

    await expect(rotation.handler(event('testSecret'))).rejects.toThrow('the pending value is missing or too short');
  });

  test('fails when the pending value is shorter than 32 characters', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'x'.repeat(31), VersionId: TOKEN });

    await expect(rotation.handler(event('testSecret'))).rejects.toThrow('the pending value is missing or too short');
  });

  test('passes when the pending value is long enough, reading the pending version of the token', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'x'.repeat(32), VersionId: TOKEN });

    await expect(rotation.handler(event('testSecret'))).resolves.toBeUndefined();

    expect(secretsManager.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ID,
      VersionId: TOKEN,
      VersionStage: 'AWSPENDING',
    });
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });
});

describe('finishSecret', () => {
  test('makes the token current, taking the stage from the old current version', async () => {
    describes();
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({});

    await rotation.handler(event('finishSecret'));

    const updates = secretsManager.commandCalls(UpdateSecretVersionStageCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0].args[0].input).toEqual({
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: OLD_VERSION,
    });
  });
});

describe('every step', () => {
  const steps: rotation.RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

  test.each(steps)('fails when rotation is not enabled for the secret (%s)', async (step) => {
    describes({ RotationEnabled: false });

    await expect(rotation.handler(event(step))).rejects.toThrow(`rotation is not enabled for ${SECRET_ID}`);
    expect(commandsSent()).toEqual(['DescribeSecretCommand']);
  });

  test.each(steps)('fails when the token is not staged for rotation (%s)', async (step) => {
    describes({ VersionIdsToStages: { [OLD_VERSION]: ['AWSCURRENT'] } });

    await expect(rotation.handler(event(step))).rejects.toThrow(
      `version ${TOKEN} of ${SECRET_ID} is not staged for rotation`,
    );
    expect(commandsSent()).toEqual(['DescribeSecretCommand']);
  });

  test.each(steps)('does nothing when the token is already current and no longer pending (%s)', async (step) => {
    describes({ VersionIdsToStages: { [OLD_VERSION]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT'] } });

    await expect(rotation.handler(event(step))).resolves.toBeUndefined();
    expect(commandsSent()).toEqual(['DescribeSecretCommand']);
  });
});

describe('randomValue', () => {
  test('gives 32 bytes of entropy as 43 URL-safe characters by default', () => {
    expect(rotation.randomValue()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('gives as many bytes as asked for, without padding', () => {
    expect(rotation.randomValue(48)).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(rotation.randomValue(1)).toMatch(/^[A-Za-z0-9_-]{2}$/);
  });

  test('never gives the same value twice', () => {
    const values = new Set(Array.from({ length: 100 }, () => rotation.randomValue()));
    expect(values.size).toBe(100);
  });
});
