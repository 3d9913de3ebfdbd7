import * as path from 'node:path';
import { repositoryDefinition } from '../../config/load';
import type { Repository } from './command';

/**
 * The repository this CLI belongs to, and its team registry. The registry is code that imports the teams' constructs
 * (and so aws-cdk-lib): only the commands that need it import this file.
 */
export function thisRepository(): Repository {
  return { root: path.resolve(__dirname, '..', '..', '..'), registry: repositoryDefinition };
}
