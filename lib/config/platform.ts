import * as path from 'node:path';
import type { PlatformConfig } from './model';

export const platform: PlatformConfig = {
  repositoryUrl: 'https://github.com/example-org/keel',
  runbooksDirectory: path.join(__dirname, '..', '..', 'runbooks'),
  platformTeam: 'platform',
  maxAcknowledgmentDays: 180,
  licences: {
    // What the production dependencies use today (keel security licences lists each package); adding a licence is a
    // reviewed change here. spdx-exceptions (CC-BY-3.0, data) is acknowledged in security-acknowledgments.json.
    allowed: ['0BSD', 'Apache-2.0', 'BlueOak-1.0.0', 'BSD-2-Clause', 'CC0-1.0', 'ISC', 'MIT', 'MIT-0'],
  },
  delivery: {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'example-org/keel',
    branch: 'main',
  },
};
