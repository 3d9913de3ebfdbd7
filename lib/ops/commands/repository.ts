import * as path from 'node:path';
import { repositoryDefinition } from '../../config/load';
import type { Repository } from './command';

/**
 * The repository this CLI belongs to, and its teams and services. Its config is code that imports the team's
 * constructs (and so aws-cdk-lib): only the commands that need the registry import this file.
 */
export function thisRepository(): Repository {
  return { root: path.resolve(__dirname, '..', '..', '..'), registry: repositoryDefinition };
}
