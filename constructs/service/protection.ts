import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * How much an environment protects its data and its users. Constructs derive every difference between
 * environments from this level, never from the environment's name.
 * - `basic`: dev; resources may be destroyed when a service asks for it explicitly.
 * - `standard`: staging; data is retained and protected like production.
 * - `maximum`: prod; everything in `standard`, plus reserved concurrency and the strictest rule packs.
 */
export const PROTECTION_LEVELS = ['basic', 'standard', 'maximum'] as const;
export type ProtectionLevel = (typeof PROTECTION_LEVELS)[number];

/** The defaults a protection level implies; every one can be overridden through the construct's props. */
export interface ProtectionDefaults {
  /** How long logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Whether tables refuse deletion. */
  readonly deletionProtection: boolean;
  /** Whether a resource may ever be destroyed with its stack. */
  readonly allowDestroy: boolean;
  /** Whether a public API gets a WAF web ACL. */
  readonly webAcl: boolean;
  /** Reserved concurrency of each function, or `undefined` for the unreserved pool. */
  readonly reservedConcurrency?: number;
}

const DEFAULTS: Readonly<Record<ProtectionLevel, ProtectionDefaults>> = {
  basic: { logRetention: logs.RetentionDays.ONE_MONTH, deletionProtection: false, allowDestroy: true, webAcl: false },
  standard: {
    logRetention: logs.RetentionDays.THREE_MONTHS,
    deletionProtection: true,
    allowDestroy: false,
    webAcl: true,
  },
  maximum: {
    logRetention: logs.RetentionDays.ONE_YEAR,
    deletionProtection: true,
    allowDestroy: false,
    webAcl: true,
    reservedConcurrency: 25,
  },
};

export function protectionDefaults(level: ProtectionLevel): ProtectionDefaults {
  return DEFAULTS[level];
}
