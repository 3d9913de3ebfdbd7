import { colourWanted, paint } from '../../../lib/ops/colour';

test('colour is wanted on a terminal only, and never when NO_COLOR is set', () => {
  expect(colourWanted({ isTTY: true }, {})).toBe(true);
  expect(colourWanted({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  expect(colourWanted({ isTTY: false }, {})).toBe(false);
  expect(colourWanted({}, {})).toBe(false);
});

test('paints text in ANSI colour when on, and leaves it as it is when off', () => {
  expect(paint('FAILED', 'red', true)).toBe('\u001b[31mFAILED\u001b[0m');
  expect(paint('FAILED', 'red', false)).toBe('FAILED');
  expect(paint('FAILED', 'red', undefined)).toBe('FAILED');
});
