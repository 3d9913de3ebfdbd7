import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ProtectionLevel } from './protection';

/**
 * What every construct of a service shares with it: names, protection, key, log retention and who owns its
 * acknowledgments. ProductionService is one; functions, secrets and deployments take it instead of five props.
 */
export interface IServiceContext {
  /** Kebab-case service name. */
  readonly serviceName: string;
  readonly environment: string;
  readonly protection: ProtectionLevel;
  /** Encrypts everything the service stores. */
  readonly key: kms.IKey;
  /** How long every log group of the service keeps its events. */
  readonly logRetention: logs.RetentionDays;
  /** The team that owns Keel's construct-level acknowledgments. */
  readonly decisionOwner: string;
  /** `<service>-<env>`. */
  readonly qualifiedName: string;
}
