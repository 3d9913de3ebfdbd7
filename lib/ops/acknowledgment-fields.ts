import { renewalProblems, type Renewal } from '../../constructs/governance/acknowledgment-lifecycle';
import { parseIsoDate } from '../../constructs/governance/iso-date';
import type { Problem } from '../../constructs/errors';

/** What an acknowledgment may say: the owners it may name, and the last day it may hold. */
export interface AcknowledgmentLimits {
  /** The team ids an owner must be one of; any non-empty owner when absent. */
  readonly knownOwners?: readonly string[];
  /** The last day an expiry may name, as the compliance engine allows (`platform.maxAcknowledgmentDays`). */
  readonly latestExpiry?: Date;
}

const shown = (field: unknown): string => (field === undefined ? 'missing' : JSON.stringify(field));

/**
 * Everything wrong with the reason, owner, expiry and renewal of one entry of a reviewed acknowledgment file
 * (`cfn-lint-acknowledgments.json`, `security-acknowledgments.json`), each field named under `where`.
 * @param reasonFix how to write the reason, in the words of that file's findings.
 */
export function acknowledgmentFieldProblems(
  where: string,
  entry: Record<string, unknown>,
  { knownOwners, latestExpiry }: AcknowledgmentLimits,
  reasonFix: string,
): Problem[] {
  const { reason, owner, expires } = entry;
  const problems: Problem[] = [];
  if (typeof reason !== 'string' || reason.trim() === '') {
    problems.push({
      where: `${where}.reason`,
      what: `is ${shown(reason)}: an acknowledgment without a reason cannot be reviewed`,
      fix: reasonFix,
    });
  }
  if (typeof owner !== 'string' || owner.trim() === '') {
    problems.push({
      where: `${where}.owner`,
      what: `is ${shown(owner)}`,
      fix: 'name the team that owns the decision and will revisit it, e.g. "platform"',
    });
  } else if (knownOwners && !knownOwners.includes(owner.trim())) {
    problems.push({
      where: `${where}.owner`,
      what: `is ${shown(owner)}, not a team in the team registry`,
      fix: `use one of ${knownOwners.join(', ')}, or add the team to lib/config/teams.ts`,
    });
  }
  const expiry = parseIsoDate(expires);
  if (!expiry) {
    problems.push({
      where: `${where}.expires`,
      what: `is ${shown(expires)}, not a date`,
      fix: 'give the last day the acknowledgment holds as YYYY-MM-DD, e.g. "2027-03-31"',
    });
  } else if (latestExpiry && expiry > latestExpiry) {
    const latest = latestExpiry.toISOString().slice(0, 10);
    problems.push({
      where: `${where}.expires`,
      what: `is ${shown(expires)}, later than ${latest}: every acknowledgment is revisited within the platform's limit`,
      fix: `choose a date on or before ${latest} (platform.maxAcknowledgmentDays in lib/config/platform.ts)`,
    });
  }
  const fields = { id: where, reason: String(reason), owner: String(owner), expires: String(expires) };
  for (const problem of renewalProblems(where, { ...fields, renewal: entry.renewal as Renewal | undefined })) {
    problems.push({ ...problem, where: problem.where.replace(`${where}: `, `${where}.`) });
  }
  return problems;
}
