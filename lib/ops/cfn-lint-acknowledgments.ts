import * as fs from 'node:fs';
import * as path from 'node:path';
import { usageError } from './errors';
import type { Renewal } from '../../constructs/governance/acknowledgment-lifecycle';
import type { Problem } from '../../constructs/errors';
import { acknowledgmentFieldProblems, type AcknowledgmentLimits } from './acknowledgment-fields';

export type { AcknowledgmentLimits } from './acknowledgment-fields';

/** The one reviewed file, at the repository root, that lists the cfn-lint warning rules a team has accepted. */
export const CFN_LINT_ACKNOWLEDGMENTS_FILE = 'cfn-lint-acknowledgments.json';

/** A cfn-lint warning rule accepted in every template, by whom, why, and until when. */
export interface CfnLintAcknowledgment {
  /** The warning rule, e.g. `W3005`. */
  readonly rule: string;
  /** Why its warnings are acceptable, specific enough for a reviewer. */
  readonly reason: string;
  /** The team that owns the decision and revisits it. */
  readonly owner: string;
  /** The last day (`YYYY-MM-DD`) it holds; after it, the warnings fail again until someone decides again. */
  readonly expires: string;
  /**
   * Set when the expiry is moved later: the expiry before, and a reviewer or a new reason (as for `acknowledge()`).
   * @default - a first decision, not a renewal
   */
  readonly renewal?: Renewal;
}

const EXAMPLE =
  '{ "W3005": { "reason": "<why the warnings are acceptable>", "owner": "<team id>", "expires": "YYYY-MM-DD" } }';

function entryProblems(rule: string, entry: unknown, limits: AcknowledgmentLimits): Problem[] {
  if (/^E\d{4}$/.test(rule)) {
    return [
      { where: rule, what: 'is an error rule; errors always fail', fix: 'fix the template, and remove the entry' },
    ];
  }
  if (!/^W\d{4}$/.test(rule)) {
    return [
      {
        where: JSON.stringify(rule),
        what: 'is not a cfn-lint warning rule id',
        fix: 'use the rule id the finding shows, e.g. "W3005"',
      },
    ];
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return [{ where: rule, what: `is ${JSON.stringify(entry)}, not an object`, fix: `write it as ${EXAMPLE}` }];
  }
  return acknowledgmentFieldProblems(
    rule,
    entry as Record<string, unknown>,
    limits,
    'say why these warnings are acceptable in every template, specifically enough for a reviewer to judge',
  );
}

/**
 * The acknowledgments in `cfn-lint-acknowledgments.json` under `root`; none when there is no such file.
 * Whether one has expired is judged where it is used, against the time of the run.
 * @throws KeelCliError (usage) naming every malformed entry, its field and value, and how to fix it.
 */
export function loadCfnLintAcknowledgments(root: string, limits: AcknowledgmentLimits = {}): CfnLintAcknowledgment[] {
  const file = path.join(root, CFN_LINT_ACKNOWLEDGMENTS_FILE);
  if (!fs.existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${(error as Error).message}); write it as ${EXAMPLE}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${file} must hold one object of rule ids, e.g. ${EXAMPLE}`);
  }
  const problems = Object.entries(parsed).flatMap(([rule, entry]) => entryProblems(rule, entry, limits));
  if (problems.length > 0) {
    const listed = problems.map((p) => `  - ${p.where} ${p.what}\n    fix: ${p.fix}`).join('\n');
    throw usageError(`${file} has ${problems.length} problem(s); nothing was validated:\n${listed}`);
  }
  return Object.entries(parsed as Record<string, CfnLintAcknowledgment>).map(([rule, entry]) => ({
    rule,
    reason: entry.reason.trim(),
    owner: entry.owner.trim(),
    expires: entry.expires,
    ...(entry.renewal ? { renewal: entry.renewal } : {}),
  }));
}
