import { EXIT, KeelCliError, usageError } from '../../../lib/ops/errors';

test('the exit codes are the CLI contract: 0 ok, 1 unhealthy, 2 usage, 3 AWS', () => {
  expect(EXIT).toEqual({ ok: 0, unhealthy: 1, usage: 2, aws: 3 });
});

test('a keel error carries its message, exit code and cause', () => {
  const cause = new Error('socket hang up');
  const error = new KeelCliError('reading alarms failed', EXIT.aws, cause);

  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name: 'KeelCliError', message: 'reading alarms failed', exitCode: 3, cause });
});

test('a usage error exits 2', () => {
  expect(usageError('keel gate needs --bake')).toMatchObject({ exitCode: 2, message: 'keel gate needs --bake' });
});
