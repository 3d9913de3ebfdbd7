import { parseIsoDate } from '../../../constructs/governance/iso-date';

test('reads an ISO calendar date as midnight UTC', () => {
  expect(parseIsoDate('2027-01-31')?.toISOString()).toBe('2027-01-31T00:00:00.000Z');
  expect(parseIsoDate('2028-02-29')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
});

test('answers undefined for a day the calendar does not have', () => {
  expect(parseIsoDate('2027-02-29')).toBeUndefined();
  expect(parseIsoDate('2027-02-30')).toBeUndefined();
  expect(parseIsoDate('2027-13-01')).toBeUndefined();
});

test('answers undefined for anything but YYYY-MM-DD: other formats, times, numbers, nothing', () => {
  for (const value of ['31/01/2027', '2027-1-31', '2027-01-31T00:00:00Z', ' 2027-01-31', '', 20270131, undefined]) {
    expect(parseIsoDate(value)).toBeUndefined();
  }
});
