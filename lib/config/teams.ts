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
];
