import * as path from 'node:path';
import type { PlatformConfig } from './model';

export const platform: PlatformConfig = {
  repositoryUrl: 'https://github.com/example-org/keel',
  runbooksDirectory: path.join(__dirname, '..', '..', 'runbooks'),
  platformTeam: 'platform',
  maxAcknowledgmentDays: 180,
};
