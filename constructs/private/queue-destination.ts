import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * An SQS on-failure destination that grants nothing by itself. aws-cdk-lib's `SqsDestination` grants through
 * the role's inline default policy, with wildcard KMS actions; Keel functions grant the two exact actions in
 * their own managed policy instead.
 */
export function queueDestination(queue: sqs.IQueue): lambda.IDestination {
  return { bind: () => ({ destination: queue.queueArn }) };
}
