import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DECISIONS, DEFAULT_DECISION_OWNER, decide } from '../private/decisions';

/** `critical` pages the owner's on-call and is a rollback signal; `warning` opens a ticket. */
export type Severity = 'critical' | 'warning';

export interface AlertRoutingProps {
  /** `<service>-<env>`, for topic names people recognise. */
  readonly name: string;
  /** Encrypts both topics and the undelivered-alerts queue. */
  readonly key: kms.IKey;
  /** Where critical alerts page the owner team: an e-mail address or an https URL. */
  readonly onCallEndpoint: string;
  /** Where warnings open a ticket for the owner team: an e-mail address or an https URL. */
  readonly ticketEndpoint: string;
}

/**
 * The two KMS-encrypted topics a service's alarms notify, one per severity, subscribed to the owner team's
 * on-call and ticket endpoints from the team registry. Alarms notify them on ALARM and on OK.
 *
 * An alert SNS cannot deliver to its endpoint (a bounced address, a failing URL) is not lost: both subscriptions
 * send it to the encrypted `undelivered` queue, kept 14 days, on which ServiceMonitoring alarms.
 */
export class AlertRouting extends Construct {
  public readonly topics: Readonly<Record<Severity, sns.Topic>>;
  /** Alerts SNS could not deliver to either endpoint. */
  public readonly undelivered: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    this.undelivered = new sqs.Queue(this, 'Undelivered', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    decide(this.undelivered, DECISIONS.deadLetterQueueHasNoQueue, DEFAULT_DECISION_OWNER);
    const options = { deadLetterQueue: this.undelivered };
    const topic = (severity: Severity, endpoint: string): sns.Topic => {
      const created = new sns.Topic(this, severity === 'critical' ? 'Critical' : 'Warning', {
        displayName: `${props.name} ${severity} alerts`,
        masterKey: props.key,
        enforceSSL: true,
      });
      created.addSubscription(
        endpoint.startsWith('https://')
          ? new subscriptions.UrlSubscription(endpoint, options)
          : new subscriptions.EmailSubscription(endpoint, options),
      );
      return created;
    };
    this.topics = {
      critical: topic('critical', props.onCallEndpoint),
      warning: topic('warning', props.ticketEndpoint),
    };
  }
}
