import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeploymentStrategy } from '../../constructs';
import { paymentsTableDeletionProtection } from '../teams/payments/rules/payments-table-deletion-protection';
import type { TeamConfig } from './model';

/** The team registry: who owns what, who pays for it, and where its alerts go. */
export const teams: readonly TeamConfig[] = [
  {
    id: 'platform',
    displayName: 'Platform Engineering',
    costCenter: 'CC-1000',
    onCallEndpoint: 'platform-oncall@example.com',
    ticketEndpoint: 'platform-tickets@example.com',
  },
  {
    id: 'commerce',
    displayName: 'Commerce',
    costCenter: 'CC-2040',
    onCallEndpoint: 'commerce-oncall@example.com',
    ticketEndpoint: 'commerce-tickets@example.com',
  },
  {
    id: 'payments',
    displayName: 'Payments',
    costCenter: 'CC-3100',
    onCallEndpoint: 'payments-oncall@example.com',
    ticketEndpoint: 'payments-tickets@example.com',
    // The worked example of a team profile; lib/teams/payments/ holds the team's construct and rule.
    profile: {
      standardAlarms: { api5xxPercent: 0.5, apiP99Latency: Duration.seconds(1) },
      deployment: { prod: DeploymentStrategy.canary(5, Duration.minutes(15)) },
      logRetention: { prod: RetentionDays.TWO_YEARS },
      extraRequiredTagKeys: ['PciScope'],
      extraRulePacks: ['PCI.DSS.321'],
      extraRules: [paymentsTableDeletionProtection],
    },
  },
];
