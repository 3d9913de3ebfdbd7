import type { EnvironmentConfig, EnvironmentName } from './model';

/** An environment's settings apart from where it lives. */
export type EnvironmentDefaults = Omit<EnvironmentConfig, 'name' | 'account' | 'region' | 'certificateArn'>;

/**
 * What each environment is, apart from where it lives. Accounts and regions come from `cdk.json` context
 * (`keel:<env>:account`, `keel:<env>:region`), overridable by `-c` or by `KEEL_<ENV>_ACCOUNT` /
 * `KEEL_<ENV>_REGION` environment variables.
 */
export const environmentDefaults: Readonly<Record<EnvironmentName, EnvironmentDefaults>> = {
  // bakeMinutes: how long `keel gate` watches the alarms after a deploy before the pipeline promotes (1 to 1440).
  // Dev has no gate: too little traffic to judge.
  dev: { protection: 'basic', extraRulePacks: [] },
  staging: { protection: 'standard', extraRulePacks: [], bakeMinutes: 3 },
  prod: {
    protection: 'maximum',
    extraRulePacks: ['NIST.800.53.R5'],
    bakeMinutes: 10,
    // Releases reach prod Monday to Thursday, 09:00 to 16:59 Berlin time; Fridays and weekends are frozen.
    deploymentWindows: [{ cron: '* * 9-16 ? * MON-THU *', timeZone: 'Europe/Berlin' }],
  },
};
