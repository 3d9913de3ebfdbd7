import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseIsoDate } from '../../../constructs/governance/iso-date';
import { DECISIONS, PERMISSION_REVIEW_FUNCTION_DECISIONS } from '../../../constructs/private/decisions';
import { CFN_LINT_ACKNOWLEDGMENTS_FILE } from '../../../lib/ops/cfn-lint-acknowledgments';
import { platform } from '../../../lib/config/platform';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Every decision the platform team owns, each counted once: a decision and its equivalents in other packs, and the
 * permission-review function's six findings (one reason), are one decision, reviewed and renewed together.
 */
const cfnLint = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', CFN_LINT_ACKNOWLEDGMENTS_FILE), 'utf8'),
) as Record<string, { expires: string; owner: string }>;
const platformDecisions = [
  ...Object.entries(DECISIONS).map(([name, d]) => ({ name, expires: d.expires })),
  { name: 'PERMISSION_REVIEW_FUNCTION_DECISIONS', expires: PERMISSION_REVIEW_FUNCTION_DECISIONS[0].expires },
  ...Object.entries(cfnLint).map(([rule, entry]) => ({ name: `${CFN_LINT_ACKNOWLEDGMENTS_FILE} ${rule}`, ...entry })),
];

/**
 * The rule: no 7-day window holds the expiries of more than a quarter of the platform's decisions. A week, not a day,
 * because three expiries on three consecutive days are the same outage; a quarter, because then a missed renewal
 * breaks only the constructs of one family (APIs, pipelines, ...), and the platform team reviews at most one family a
 * week, each announced by synth 30 days ahead.
 */
const MAX_SHARE_PER_WEEK = 0.25;

test('no week holds the expiries of more than a quarter of the platform decisions', () => {
  const days = platformDecisions.map((d) => ({ ...d, day: parseIsoDate(d.expires)?.getTime() ?? NaN }));
  const crowded = days
    .map(({ day, expires }) => ({
      from: expires,
      names: days.filter((d) => d.day >= day && d.day < day + 7 * DAY_MS).map((d) => d.name),
    }))
    .filter(({ names }) => names.length > platformDecisions.length * MAX_SHARE_PER_WEEK);
  expect(crowded).toEqual([]);
});

test('every platform decision names an ISO expiry no further ahead than platform.maxAcknowledgmentDays', () => {
  const latest = Date.now() + platform.maxAcknowledgmentDays * DAY_MS;
  const tooFar = platformDecisions.filter((d) => !((parseIsoDate(d.expires)?.getTime() ?? Infinity) <= latest));
  expect(tooFar).toEqual([]);
});

test('every platform decision records the line of its entry, the line to change when it is renewed', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'constructs/private/decisions.ts'), 'utf8');
  const lines = source.split('\n');
  for (const [name, decision] of Object.entries(DECISIONS)) {
    const line = Number(/^constructs\/private\/decisions\.ts:(\d+)$/.exec(decision.site ?? '')?.[1]);
    expect(`${name}: ${lines[line - 1]?.trim()}`).toBe(`${name}: ${name}: platformDecision({`);
  }
  expect(PERMISSION_REVIEW_FUNCTION_DECISIONS[0].site).toMatch(/^constructs\/private\/decisions\.ts:\d+$/);
});

test('the cfn-lint acknowledgments are owned by the platform team', () => {
  expect(Object.values(cfnLint).map((entry) => entry.owner)).toEqual(Object.keys(cfnLint).map(() => 'platform'));
});
