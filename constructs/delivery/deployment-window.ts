import type { Problem } from '../errors';

/**
 * When a pipeline may deploy into an environment: CodePipeline's `DeploymentWindow` rule, a cron expression of the
 * times deployments are allowed (everything outside it is frozen) in a time zone.
 *
 * The cron has CodePipeline's fields: `seconds minutes hours day-of-month month day-of-week [year]`, seconds always
 * `*`, and one of day-of-month and day-of-week `?`. `* * 9-16 ? * MON-THU` allows deployments Monday to Thursday
 * from 09:00 to 16:59.
 */
export interface DeploymentWindow {
  /** The times deployments are allowed, e.g. `* * 9-16 ? * MON-THU`. */
  readonly cron: string;
  /**
   * An IANA time zone, e.g. `Europe/Berlin`.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special characters the field allows beyond `, - * /`. */
  readonly special: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, special: '' },
  { name: 'hours', min: 0, max: 23, special: '' },
  { name: 'day-of-month', min: 1, max: 31, special: '?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: '' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: '?L#' },
  { name: 'year', min: 1970, max: 2199, special: '' },
];

/**
 * What is wrong with a deployment window, or nothing. Checks the cron field by field (values, ranges, steps and the
 * special characters each field allows) and the time zone against the IANA database Node.js carries.
 */
export function deploymentWindowProblems(where: string, window: DeploymentWindow): Problem[] {
  const problems: Problem[] = [];
  const cronProblem = cronExpressionProblem(window.cron);
  if (cronProblem) {
    problems.push({
      where: `${where} cron`,
      what: `${JSON.stringify(window.cron)} does not parse: ${cronProblem}`,
      fix:
        "write six or seven fields, 'seconds minutes hours day-of-month month day-of-week [year]', seconds '*' and " +
        "one of the day fields '?', e.g. '* * 9-16 ? * MON-THU' for weekdays but Friday, 09:00 to 16:59",
    });
  }
  if (window.timeZone !== undefined && !isTimeZone(window.timeZone)) {
    problems.push({
      where: `${where} timeZone`,
      what: `${JSON.stringify(window.timeZone)} is not an IANA time zone`,
      fix: "use a name such as 'UTC', 'Europe/Berlin' or 'America/New_York'",
    });
  }
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

/** The first thing wrong with a cron expression, in words, or undefined when it parses. */
function cronExpressionProblem(cron: string): string | undefined {
  const parts = typeof cron === 'string' ? cron.trim().split(/\s+/) : [];
  if (parts.length < 6 || parts.length > 7) return `it has ${parts.length} field(s), not 6 or 7`;
  const [seconds, ...rest] = parts;
  if (seconds !== '*') return `seconds must be '*', not '${seconds}'`;
  for (const [i, value] of rest.entries()) {
    const problem = fieldProblem(FIELDS[i], value);
    if (problem) return `${FIELDS[i].name} '${value}' ${problem}`;
  }
  const [dayOfMonth, dayOfWeek] = [rest[2], rest[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return `exactly one of day-of-month ('${dayOfMonth}') and day-of-week ('${dayOfWeek}') must be '?'`;
  }
  return undefined;
}

function fieldProblem(field: CronField, value: string): string | undefined {
  if (value === '*') return undefined;
  if (value === '?') return field.special.includes('?') ? undefined : "cannot be '?'";
  for (const item of value.split(',')) {
    const problem = itemProblem(field, item);
    if (problem) return problem;
  }
  return undefined;
}

function itemProblem(field: CronField, item: string): string | undefined {
  const number = (text: string): number | undefined => {
    const byName = field.names?.indexOf(text.toUpperCase()) ?? -1;
    if (byName >= 0) return byName + 1;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const inRange = (text: string): string | undefined => {
    const n = number(text);
    if (n === undefined) return `has '${text}', which is not a number${field.names ? ' or a name' : ''}`;
    if (n < field.min || n > field.max) return `has ${n}, outside ${field.min}-${field.max}`;
    return undefined;
  };
  if (field.special.includes('L') && /^(L|L-\d+|LW|[1-7A-Z]+L)$/i.test(item)) {
    const day = /^([1-7A-Z]+)L$/i.exec(item)?.[1];
    return day ? inRange(day) : undefined;
  }
  if (field.special.includes('W') && /^\d+W$/.test(item)) return inRange(item.slice(0, -1));
  if (field.special.includes('#') && item.includes('#')) {
    const [day, nth] = item.split('#');
    return inRange(day) ?? (/^[1-5]$/.test(nth ?? '') ? undefined : `has '#${nth}', not #1 to #5`);
  }
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `has more than one '/' in '${item}'`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `has step '${step}', not a positive whole number`;
  if (range === '*') return undefined;
  const [from, to, more] = range.split('-');
  if (more !== undefined) return `has '${range}', not a range of two values`;
  const problem = inRange(from) ?? (to === undefined ? undefined : inRange(to));
  if (problem) return problem;
  if (to !== undefined && (number(from) ?? 0) > (number(to) ?? 0)) return `has '${range}', which runs backwards`;
  return undefined;
}
