import { deploymentWindowProblems } from '../../../constructs';

const problemOf = (cron: string, timeZone?: string) =>
  deploymentWindowProblems('prod', { cron, ...(timeZone ? { timeZone } : {}) }).map((p) => `${p.where}: ${p.what}`);

test.each([
  '* * 9-16 ? * MON-THU *',
  '* * 9-16 ? * 2-5',
  '* 0/15 * ? * MON,WED,FRI',
  '* * * L * ?',
  '* * 8-17 1W * ?',
  '* * * ? * 6L',
  '* * * ? * FRI#2 2027',
  '* * * 1-15 JAN-MAR ?',
])('accepts the window %s', (cron) => {
  expect(problemOf(cron, 'Europe/Berlin')).toEqual([]);
});

test.each([
  ['* * 9-16 ? *', 'it has 5 field(s), not 6 or 7'],
  ['0 * 9-16 ? * MON', "seconds must be '*', not '0'"],
  ['* * 25 ? * MON', "hours '25' has 25, outside 0-23"],
  ['* 60 * ? * MON', "minutes '60' has 60, outside 0-59"],
  ['* * * ? * FUNDAY', "day-of-week 'FUNDAY' has 'FUNDAY', which is not a number or a name"],
  ['* * 16-9 ? * MON', "hours '16-9' has '16-9', which runs backwards"],
  ['* * * * * MON', "exactly one of day-of-month ('*') and day-of-week ('MON') must be '?'"],
  ['* * * ? * ?', "exactly one of day-of-month ('?') and day-of-week ('?') must be '?'"],
  ['* ? * 1 * ?', "minutes '?' cannot be '?'"],
  ['* */0 * ? * MON', "minutes '*/0' has step '0', not a positive whole number"],
  ['* * * ? * MON#6', "day-of-week 'MON#6' has '#6', not #1 to #5"],
  ['* * * ? * MON 1900', "year '1900' has 1900, outside 1970-2199"],
])('fails when the cron is %s', (cron, why) => {
  expect(problemOf(cron)).toEqual([`prod cron: ${JSON.stringify(cron)} does not parse: ${why}`]);
});

test('fails when the time zone is not an IANA name', () => {
  expect(problemOf('* * 9-16 ? * MON-FRI', 'CET+1')).toEqual(['prod timeZone: "CET+1" is not an IANA time zone']);
});
