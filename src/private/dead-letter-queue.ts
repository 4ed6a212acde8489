import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * A dead-letter queue: SSE-SQS, TLS only, and the longest retention SQS has (14 days), time to find
 * out why a message failed and redrive it. `reason` says why it has no dead-letter queue itself.
 */
export function deadLetterQueue(scope: Construct, removalPolicy: RemovalPolicy, reason: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy,
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}
