import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { KeelValidationError, type Problem } from '../errors';
import { RULE_PACK_NAMES } from './rule-packs';
import { parseIsoDate } from './iso-date';
import { callSite, renewalProblems, type Renewal } from './acknowledgment-lifecycle';

/** Metadata type under which Keel records who acknowledged what, why, and until when. */
export const ACKNOWLEDGMENT_METADATA = 'keel:acknowledgment';

/** The shortest reason Keel accepts: long enough to say why, not just "false positive". */
export const MIN_REASON_LENGTH = 20;

export interface Acknowledgment {
  /**
   * The rule id as the finding shows it: `AwsSolutions-IAM5[Resource::*]`, `KeelChecks-LogGroupRetention`,
   * `NIST.800.53.R5-LambdaInsideVPC`, or `CloudFormation-Validate::W3045` for aws-cdk-lib's validator.
   */
  readonly id: string;
  /** Why the finding is acceptable here: at least 20 characters, specific enough for an auditor. */
  readonly reason: string;
  /** The id of the team that owns this decision and will revisit it. */
  readonly owner: string;
  /** The last day (ISO date, `YYYY-MM-DD`) the acknowledgment holds; after it, synth fails until someone decides again. */
  readonly expires: string;
  /**
   * Set when the expiry is moved later: the expiry before, and a reviewer, a new reason or (for a hotfix) an incident.
   * @default - a first decision, not a renewal
   */
  readonly renewal?: Renewal;
}

/** An acknowledgment as recorded on the construct tree. */
export interface RecordedAcknowledgment extends Acknowledgment {
  /** The construct path it was made at; it covers findings on that construct and everything under it. */
  readonly path: string;
  /**
   * `file:line` of the `acknowledge()` call (of the decision's entry, for Keel's own decisions).
   * @default - absent when no stack frame outside Keel's acknowledgment code was found
   */
  readonly site?: string;
}

/**
 * Acknowledges a compliance finding on a construct and everything under it, with an owner and an expiry.
 *
 * Wraps `Validations.of(scope).acknowledge`; the owner and expiry are recorded for the compliance report,
 * which fails the synth once the expiry has passed.
 *
 * @param site `file:line` of the decision, recorded for errors and the report; by default the caller's line.
 * @throws KeelValidationError when the id, reason, owner, expiry or renewal is missing or malformed.
 */
export function acknowledge(
  scope: IConstruct,
  acknowledgment: Acknowledgment,
  site: string | undefined = callSite(),
): void {
  const problems = acknowledgmentProblems(scope.node.path, acknowledgment);
  if (problems.length > 0) {
    const at = site ? ` (${site})` : '';
    throw new KeelValidationError(`Invalid acknowledgment at ${scope.node.path || '(app)'}${at}:`, problems);
  }
  const id = normalizeRuleId(acknowledgment.id.trim());
  const record: Omit<RecordedAcknowledgment, 'path'> = {
    id,
    reason: acknowledgment.reason.trim(),
    owner: acknowledgment.owner.trim(),
    expires: acknowledgment.expires,
    ...(acknowledgment.renewal ? { renewal: acknowledgment.renewal } : {}),
    ...(site ? { site } : {}),
  };
  scope.node.addMetadata(ACKNOWLEDGMENT_METADATA, record);
  Validations.of(scope).acknowledge({
    id,
    reason: `${record.reason} [owner: ${record.owner}, expires: ${record.expires}]`,
  });
}

/** `AwsSolutions::AwsSolutions-IAM5` (as aws-cdk-lib's report prints it) and `AwsSolutions-IAM5` are one rule. */
export function normalizeRuleId(id: string): string {
  const match = /^([^:]+)::(.+)$/.exec(id);
  if (match && (RULE_PACK_NAMES as readonly string[]).includes(match[1]) && match[2].startsWith(`${match[1]}-`)) {
    return match[2];
  }
  return id;
}

export { parseIsoDate };

function acknowledgmentProblems(path: string, ack: Acknowledgment): Problem[] {
  const subject = `acknowledgment ${JSON.stringify(ack.id ?? '')} at ${path || '(app)'}`;
  const where = (field: string) => `${subject}: ${field}`;
  const example = "e.g. acknowledge(construct, { id, reason, owner: 'commerce', expires: '2027-03-31' })";
  const problems: Problem[] = [];
  if (typeof ack.id !== 'string' || ack.id.trim() === '') {
    problems.push({
      where: where('id'),
      what: 'no rule id is given',
      fix: "copy the rule id from the finding, e.g. 'AwsSolutions-IAM5[Resource::*]'",
    });
  }
  const reason = typeof ack.reason === 'string' ? ack.reason.trim() : '';
  if (reason === '') {
    problems.push({
      where: where('reason'),
      what: 'no reason is given',
      fix: `say why the finding is acceptable here, in at least ${MIN_REASON_LENGTH} characters`,
    });
  } else if (reason.length < MIN_REASON_LENGTH) {
    problems.push({
      where: where('reason'),
      what: `${JSON.stringify(reason)} is ${reason.length} characters; at least ${MIN_REASON_LENGTH} are required`,
      fix: 'say specifically why the finding is acceptable here, so an auditor can judge the decision',
    });
  }
  if (typeof ack.owner !== 'string' || ack.owner.trim() === '') {
    problems.push({
      where: where('owner'),
      what: 'no owner team is given',
      fix: `name the team that owns the decision, ${example}`,
    });
  }
  if (ack.expires === undefined || ack.expires === null || ack.expires === '') {
    problems.push({
      where: where('expires'),
      what: 'no expiry date is given; acknowledgments must be revisited',
      fix: `set the last day it holds as an ISO date, ${example}`,
    });
  } else if (!parseIsoDate(ack.expires)) {
    problems.push({
      where: where('expires'),
      what: `${JSON.stringify(ack.expires)} is not an ISO date`,
      fix: "write it as YYYY-MM-DD, e.g. '2027-03-31'",
    });
  }
  problems.push(...renewalProblems(subject, ack));
  return problems;
}
