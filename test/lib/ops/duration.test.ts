import { formatDuration, parseDuration } from '../../../lib/ops/duration';
import { KeelCliError } from '../../../lib/ops/errors';

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1.5h', 5_400_000],
    [' 0s ', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration('--bake', text)).toBe(ms);
  });

  test.each(['', 'ten minutes', '10', '10m5', '5 m', '-1m', '1w'])(
    'fails when the value is %j, as a usage error naming the flag, the value and the format',
    (text) => {
      let error: unknown;
      try {
        parseDuration('--since', text);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(KeelCliError);
      expect(error).toMatchObject({
        exitCode: 2,
        message: `--since ${JSON.stringify(text)} is not a duration; use e.g. 30s, 10m, 1h30m or 2d`,
      });
    },
  );
});

describe('formatDuration', () => {
  test.each([
    [630_000, '10m30s'],
    [0, '0s'],
    [59_400, '59s'],
    [3_600_000, '1h'],
    [3_661_000, '1h1m1s'],
    [7_200_000 + 60_000, '2h1m'],
    [-5_000, '0s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('reads back what parseDuration reads', () => {
    for (const text of ['10m30s', '1h1m1s', '45s']) expect(formatDuration(parseDuration('--poll', text))).toBe(text);
  });
});
