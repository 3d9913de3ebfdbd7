import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Renewal } from '../../../constructs/governance/acknowledgment-lifecycle';
import type { Problem } from '../../../constructs/errors';
import { acknowledgmentFieldProblems, type AcknowledgmentLimits } from '../acknowledgment-fields';
import { closest } from '../arguments';
import { usageError } from '../errors';

/** The one reviewed file, at the repository root, that lists the security gates' accepted findings. */
export const SECURITY_ACKNOWLEDGMENTS_FILE = 'security-acknowledgments.json';

/** The gates whose findings may be acknowledged, in the order `keel security all` runs them. */
export const SECURITY_GATES = ['secrets', 'audit', 'licences'] as const;
export type SecurityGate = (typeof SECURITY_GATES)[number];

/** A gate's finding accepted by a team, why, and until when. */
export interface SecurityAcknowledgment {
  readonly gate: SecurityGate;
  /** The finding's id, as the gate prints it: `<rule id>:<file>`, a GHSA id or advisory URL, `<package>[@<version>]`. */
  readonly id: string;
  /** Why the finding is acceptable, specific enough for a reviewer. */
  readonly reason: string;
  /** The team that owns the decision and revisits it. */
  readonly owner: string;
  /** The last day (`YYYY-MM-DD`) it holds; after it, the finding fails the gate again. */
  readonly expires: string;
  /** Set when the expiry is moved later (as for `acknowledge()`): the expiry before, and a reviewer or a new reason. */
  readonly renewal?: Renewal;
}

/** What a finding id looks like in each gate, and an example of one. */
const ID_FORMS: Readonly<Record<SecurityGate, { readonly test: RegExp; readonly example: string }>> = {
  secrets: {
    test: /^[^\s:]+:\S+$/,
    example: '"@secretlint/secretlint-rule-aws:test/fixture.ts:3f9a1c0b7e2d" (<rule id>:<file>:<line fingerprint>)',
  },
  audit: {
    test: /^GHSA-[2-9cfghjmpqrvwx]{4}-[2-9cfghjmpqrvwx]{4}-[2-9cfghjmpqrvwx]{4}$|^https:\/\/\S+$|^npm-\d+$/,
    example: '"GHSA-jrc7-96c5-q579", or the advisory URL npm audit gives',
  },
  licences: {
    test: /^@?[A-Za-z0-9-~][\w.~/@+-]*$/,
    example: '"spdx-exceptions@2.5.0", or "spdx-exceptions" for every version',
  },
};

const EXAMPLE = '{ "reason": "<why it is acceptable>", "owner": "<team id>", "expires": "YYYY-MM-DD" }';

const shown = (field: unknown): string => (field === undefined ? 'missing' : JSON.stringify(field));

function gateProblems(gate: string, entries: unknown, limits: AcknowledgmentLimits): Problem[] {
  if (!(SECURITY_GATES as readonly string[]).includes(gate)) {
    const meant = closest(gate, SECURITY_GATES);
    return [
      {
        where: JSON.stringify(gate),
        what: 'is not a security gate whose findings can be acknowledged',
        fix: `use ${meant ? `"${meant}"` : `one of ${SECURITY_GATES.join(', ')}`}`,
      },
    ];
  }
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    return [
      { where: gate, what: `is ${shown(entries)}, not an object`, fix: `write it as { "<finding id>": ${EXAMPLE} }` },
    ];
  }
  return Object.entries(entries).flatMap(([id, entry]): Problem[] => {
    const where = `${gate}[${JSON.stringify(id)}]`;
    const form = ID_FORMS[gate as SecurityGate];
    if (!form.test.test(id)) {
      return [
        { where, what: `is not a ${gate} finding id`, fix: `use the id the finding shows, e.g. ${form.example}` },
      ];
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return [{ where, what: `is ${shown(entry)}, not an object`, fix: `write it as ${EXAMPLE}` }];
    }
    return acknowledgmentFieldProblems(
      where,
      entry as Record<string, unknown>,
      limits,
      'say why this finding is acceptable, specifically enough for a reviewer to judge',
    );
  });
}

/**
 * The acknowledgments in `security-acknowledgments.json` under `root`; none when there is no such file. Whether one
 * has expired is judged where it is used, against the day of the run.
 * @throws KeelCliError (usage): one line for each malformed entry, naming its gate, id and field, and the fix.
 */
export function loadSecurityAcknowledgments(root: string, limits: AcknowledgmentLimits = {}): SecurityAcknowledgment[] {
  const file = path.join(root, SECURITY_ACKNOWLEDGMENTS_FILE);
  if (!fs.existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${(error as Error).message}); fix the syntax`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${file} must hold one object of gates, e.g. { "secrets": { "<finding id>": ${EXAMPLE} } }`);
  }
  const problems = Object.entries(parsed).flatMap(([gate, entries]) => gateProblems(gate, entries, limits));
  if (problems.length > 0) {
    throw usageError(
      problems.map((p) => `${SECURITY_ACKNOWLEDGMENTS_FILE}: ${p.where} ${p.what}; fix: ${p.fix}`).join('\n'),
    );
  }
  return Object.entries(
    parsed as Record<SecurityGate, Record<string, Omit<SecurityAcknowledgment, 'gate' | 'id'>>>,
  ).flatMap(([gate, entries]) =>
    Object.entries(entries).map(([id, entry]) => ({
      gate: gate as SecurityGate,
      id,
      reason: entry.reason.trim(),
      owner: entry.owner.trim(),
      expires: entry.expires,
      ...(entry.renewal ? { renewal: entry.renewal } : {}),
    })),
  );
}
