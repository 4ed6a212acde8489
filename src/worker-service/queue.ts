import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ResolvedWorker } from './resolve';
import { deadLetterQueue as createDeadLetterQueue } from '../private/dead-letter-queue';

/** The queue the worker consumes and its dead-letter queue (undefined for a passed-in queue without one). */
export interface WorkerQueues {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue?: sqs.IQueue;
  readonly eventRule?: events.Rule;
}

/**
 * The worker's queue, created or passed in, and what feeds it: SNS topics (raw delivery) and an
 * EventBridge rule.
 */
export function addQueues(scope: Construct, r: ResolvedWorker): WorkerQueues {
  const { props } = r;
  const created = props.queue ? undefined : createQueues(scope, r);
  const queue = props.queue ?? created!.queue;
  const deadLetterQueue = created?.deadLetterQueue ?? (queue instanceof sqs.Queue ? queue.deadLetterQueue?.queue : undefined);
  for (const topic of props.topics ?? []) {
    topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
  }
  const eventRule = props.eventPattern && new events.Rule(scope, 'EventRule', {
    eventBus: props.eventBus,
    eventPattern: props.eventPattern,
    description: `Sends matching events to the queue of ${props.serviceName}`,
    targets: [new targets.SqsQueue(queue)],
  });
  return { queue, deadLetterQueue, eventRule };
}

function createQueues(scope: Construct, r: ResolvedWorker): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const { props } = r;
  const deadLetterQueue = createDeadLetterQueue(scope, r.removalPolicy,
    'This is the dead-letter queue of the worker\'s queue; a dead-letter queue of its own would only hold what nobody redrives.');
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: r.visibilityTimeout,
    retentionPeriod: props.retentionPeriod ?? Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    removalPolicy: r.removalPolicy,
  });
  return { queue, deadLetterQueue };
}
