import * as path from 'node:path';
import type { PlatformConfig } from './model';

export const platform: PlatformConfig = {
  repositoryUrl: 'https://github.com/example-org/keel',
  runbooksDirectory: path.join(__dirname, '..', '..', 'runbooks'),
  platformTeam: 'platform',
  maxAcknowledgmentDays: 180,
  delivery: {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'example-org/keel',
    branch: 'main',
  },
};
