// The lifecycle of an acknowledgment: where it is made, its renewal, and the errors and warnings near its expiry.
import { frameOutside, inNodeModules } from '../call-site';
import type { Problem } from '../errors';
import { parseIsoDate } from './iso-date';

/** An emergency renewal holds at most this many days past the expiry it renews. */
export const EMERGENCY_RENEWAL_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How an acknowledgment was renewed: the expiry it had, and why the new one may be trusted, which is a reviewer, a
 * new reason (the previous one is kept here to show it changed), or, for a hotfix, an incident id.
 */
export interface Renewal {
  /** The expiry (`YYYY-MM-DD`) the acknowledgment had before this renewal; the new one must be later. */
  readonly previousExpiry: string;
  /**
   * Who reviewed the renewal and agrees the reason still holds (a person or a team id).
   * @default - none: then `previousReason` or `emergency` must be given
   */
  readonly reviewer?: string;
  /**
   * The reason before this renewal, when the reason changed; it must differ from the current reason.
   * @default - none: then `reviewer` or `emergency` must be given
   */
  readonly previousReason?: string;
  /**
   * An incident or change id, for a hotfix that meets a just-expired acknowledgment with no reviewer at hand. The new
   * expiry may then lie at most 14 days after `previousExpiry`, and every synth warns until it is renewed properly.
   * @default - none: not an emergency renewal
   */
  readonly emergency?: string;
}

/** The fields of an acknowledgment its lifecycle is judged on. */
export interface LifecycleFields {
  readonly id: string;
  readonly path: string;
  readonly owner: string;
  readonly reason: string;
  readonly expires: string;
  readonly renewal?: Renewal;
  /** `file:line` of the `acknowledge()` call, when it could be found. */
  readonly site?: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The first day of `now`, in UTC, as expiries are compared. */
const dayOf = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * The last day an emergency renewal may hold: 14 days after the previous expiry, or after today when that expiry
 * has already passed (an acknowledgment that expired long ago can still be renewed in an incident).
 */
export function emergencyLimit(previous: Date, today: Date): Date {
  return new Date(Math.max(previous.getTime(), today.getTime()) + EMERGENCY_RENEWAL_DAYS * DAY_MS);
}

/** What is wrong with a renewal record; `now` only bounds an emergency renewal (see emergencyLimit). */
export function renewalProblems(where: string, ack: Omit<LifecycleFields, 'path'>, now = new Date()): Problem[] {
  const renewal = ack.renewal;
  if (renewal === undefined) return [];
  const example = `renewal: { previousExpiry: '<the expiry before>', reviewer: '<who reviewed it>' }`;
  if (typeof renewal !== 'object' || renewal === null) {
    return [{ where: `${where}: renewal`, what: `is ${JSON.stringify(renewal)}, not an object`, fix: example }];
  }
  const problems: Problem[] = [];
  const previous = parseIsoDate(renewal.previousExpiry);
  const expires = parseIsoDate(ack.expires);
  if (!previous) {
    problems.push({
      where: `${where}: renewal.previousExpiry`,
      what: `is ${JSON.stringify(renewal.previousExpiry)}, not an ISO date`,
      fix: 'give the expiry the acknowledgment had before this renewal, as YYYY-MM-DD',
    });
  } else if (expires && expires <= previous) {
    problems.push({
      where: `${where}: expires`,
      what: `${ack.expires} is not later than renewal.previousExpiry ${renewal.previousExpiry}`,
      fix: 'a renewal moves the expiry later; remove renewal if the expiry was only shortened',
    });
  }
  const reviewer = text(renewal.reviewer);
  const previousReason = text(renewal.previousReason);
  const emergency = text(renewal.emergency);
  if (previousReason !== '' && previousReason === text(ack.reason)) {
    problems.push({
      where: `${where}: renewal.previousReason`,
      what: 'is the same as the reason: a renewal by a new reason must change the reason',
      fix: 'write the reason as it stands today, or keep the reason and name a reviewer instead',
    });
  } else if (reviewer === '' && previousReason === '' && emergency === '') {
    problems.push({
      where: `${where}: renewal`,
      what: `renews the expiry from ${String(renewal.previousExpiry)} to ${ack.expires} with neither a reviewer nor a new reason`,
      fix: "add reviewer: '<who reviewed it>', or change the reason and keep the old one as previousReason",
    });
  }
  if (emergency !== '' && reviewer === '' && previousReason === '' && previous && expires) {
    const today = dayOf(now);
    const latest = emergencyLimit(previous, today);
    if (expires > latest) {
      const from = previous >= today ? renewal.previousExpiry : `today (${isoDay(today)})`;
      problems.push({
        where: `${where}: expires`,
        what: `${ack.expires} is more than ${EMERGENCY_RENEWAL_DAYS} days after ${from}, which an emergency renewal (${emergency}) may not exceed`,
        fix: `choose a date on or before ${isoDay(latest)}, or have the renewal reviewed and add reviewer`,
      });
    }
  }
  return problems;
}

/** How to renew an acknowledgment that expired on `expires`, up to `latest`: an edit that, applied, passes. */
function renewalFix(ack: LifecycleFields, latest: Date, today: Date): string {
  const previous = parseIsoDate(ack.expires) ?? today;
  const at = ack.site ? ` at ${ack.site}` : '';
  return (
    `the owner decides again: fix the finding and remove the acknowledgment${at}, or renew it there with ` +
    `expires: '<a date on or before ${isoDay(latest)}>' and renewal: { previousExpiry: '${ack.expires}', reviewer: ` +
    `'<who reviewed it>' } (or a new reason, the old one as previousReason); for a hotfix with no reviewer at hand, ` +
    `renewal: { previousExpiry: '${ack.expires}', emergency: '<incident id>' } with expires on or before ` +
    `${isoDay(emergencyLimit(previous, today))} (see constructs/governance/README.md)`
  );
}

/** Names an acknowledgment in errors and warnings: where it is made (`file:line: `), id, construct path and owner. */
export function describeAcknowledgment(ack: LifecycleFields): string {
  return `${ack.site ? `${ack.site}: ` : ''}acknowledgment '${ack.id}' at ${ack.path} (owner: ${ack.owner})`;
}

/** Expired and too distant acknowledgments: each fails the synth. */
export function expiryProblems(ack: LifecycleFields, today: Date, maxDays: number): Problem[] {
  const expires = parseIsoDate(ack.expires);
  if (!expires) return [];
  const latest = new Date(today.getTime() + maxDays * DAY_MS);
  if (expires < today) {
    return [
      { where: describeAcknowledgment(ack), what: `expired on ${ack.expires}`, fix: renewalFix(ack, latest, today) },
    ];
  }
  if (expires > latest) {
    const days = Math.round((expires.getTime() - today.getTime()) / DAY_MS);
    return [
      {
        where: describeAcknowledgment(ack),
        what: `expires on ${ack.expires}, ${days} days ahead; at most ${maxDays} days are allowed`,
        fix: `choose a date on or before ${isoDay(latest)}`,
      },
    ];
  }
  return [];
}

/**
 * The warnings every synth prints about acknowledgments at most `warningDays` from their expiry (expired ones too),
 * and about emergency renewals.
 */
export function lifecycleWarnings(
  acks: readonly (LifecycleFields & { readonly daysLeft: number })[],
  warningDays: number,
): string[] {
  const expiring = acks
    .filter((ack) => ack.daysLeft >= 0 && ack.daysLeft <= warningDays)
    .sort((a, b) => a.daysLeft - b.daysLeft);
  const warnings = expiring.map(
    (ack) =>
      `${describeAcknowledgment(ack)} ${ack.daysLeft < 0 ? 'expired' : 'expires'} on ${ack.expires} ` +
      `(${ack.daysLeft} day(s) left): fix the finding, or renew it ${ack.site ? `at ${ack.site} ` : ''}with a ` +
      `reviewer or a new reason before then (constructs/governance/README.md, "Renew an acknowledgment")`,
  );
  for (const ack of acks) {
    const emergency = text(ack.renewal?.emergency);
    if (emergency !== '' && text(ack.renewal?.reviewer) === '' && text(ack.renewal?.previousReason) === '') {
      warnings.push(
        `${describeAcknowledgment(ack)} holds until ${ack.expires} by emergency renewal ${emergency}: renew it with ` +
          'a reviewer or a new reason, or fix the finding',
      );
    }
  }
  return warnings;
}

/**
 * `file:line` of the first stack frame outside Keel's acknowledgment code (then `framesAbove` frames further up),
 * relative to the working directory; `undefined` when the stack holds no such frame. Stack traces name `.ts` lines because
 * `bin/typescript-hook.cjs` and jest both apply source maps.
 */
export function callSite(framesAbove = 0): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return frameOutside(stack, (file) => INTERNAL_FRAMES.test(file) || inNodeModules(file), framesAbove);
}

/** Frames of the code that records acknowledgments for its callers. */
const INTERNAL_FRAMES = /governance[\\/](acknowledge|acknowledgment-lifecycle)\.[cm]?[jt]s$/;

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
