import type { PlatformConfig } from './model';

export const platform: PlatformConfig = {
  repositoryUrl: 'https://github.com/example-org/keel',
  platformTeam: 'platform',
  maxAcknowledgmentDays: 180,
};
