import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ContainerTaskProps } from '../container-task-props';
import { DeploymentStrategy } from '../deployment-strategy';

/**
 * Properties of `WorkerService`.
 */
export interface WorkerServiceProps extends ContainerTaskProps {
  /**
   * The worker's name: its container name and log stream prefix, and part of its alarm names.
   * A DNS label (lowercase letters, digits, hyphens).
   */
  readonly serviceName: string;

  /**
   * How long the worker takes to process one message, on average. With `acceptableLatency` it
   * sets the backlog per task the worker scales to (`acceptableLatency` ÷ `processingTime`), and
   * it bounds the visibility and stop timeouts.
   */
  readonly processingTime: Duration;

  /**
   * How long a message may wait in the queue before it is processed. The worker scales to keep
   * each task's backlog at what one task processes in this time, and an alarm fires when the
   * oldest message is older.
   *
   * @default Duration.minutes(5)
   */
  readonly acceptableLatency?: Duration;

  /**
   * An existing queue to consume, instead of creating one. Its visibility timeout, retention and
   * dead-letter queue are its own: `visibilityTimeout`, `retentionPeriod` and `maxReceiveCount`
   * cannot be set with it.
   *
   * @default - a queue encrypted with SQS-managed keys, SSL only, with a dead-letter queue
   */
  readonly queue?: sqs.IQueue;

  /**
   * How long a received message stays invisible to other consumers. It must cover
   * `processingTime`, otherwise a second task receives the message while the first still
   * processes it.
   *
   * @default - twice `processingTime`, at least 30 seconds
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long the created queue keeps a message nobody processed.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How many times a message is received before it moves to the dead-letter queue (it was
   * received and not deleted, so its processing failed that often).
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * SNS topics whose messages land in the queue, delivered raw (the message body as published).
   *
   * @default - none
   */
  readonly topics?: sns.ITopic[];

  /**
   * An EventBridge event pattern whose events land in the queue, through a rule on `eventBus`.
   *
   * @default - no rule
   */
  readonly eventPattern?: events.EventPattern;

  /**
   * The event bus the `eventPattern` rule listens on.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The fewest tasks. 0 scales the worker to zero when the queue is empty; a step policy starts
   * one task when messages arrive while none runs.
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * The most tasks.
   *
   * @default 10
   */
  readonly maxCapacity?: number;

  /**
   * How long after a scale-in the next one may start.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * How long after a scale-out the next one may start.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * How long a stopping task has between SIGTERM and SIGKILL (scale-in, deployment): the
   * application stops receiving on SIGTERM and finishes the message in hand. It must cover
   * `processingTime` unless `taskProtection` is on. Fargate allows at most 120 seconds.
   *
   * @default - `processingTime` + 5 s, at least 30 s, at most 120 s on Fargate
   */
  readonly stopTimeout?: Duration;

  /**
   * Whether the application protects its task while it processes a message, through the ECS
   * agent's task scale-in protection endpoint (`PUT $ECS_AGENT_URI/task-protection/v1/state`
   * with `{"ProtectionEnabled": true, "ExpiresInMinutes": n}`, and `false` when done). Neither
   * scale-in nor a deployment stops a protected task, so messages longer than `stopTimeout`
   * finish. Set it when `processingTime` is longer than Fargate's 120-second stop timeout.
   *
   * @default false
   */
  readonly taskProtection?: boolean;

  /**
   * How new versions replace running ones. Only rolling updates: a worker has no traffic to shift.
   *
   * @default DeploymentStrategy.rolling()
   */
  readonly deploymentStrategy?: DeploymentStrategy;

  /**
   * Alarms that roll a deployment back when they fire while it runs. Their names must be known at
   * synth (set `alarmName`). The worker's own `deadLetterAlarm` can be one:
   * `worker.addDeploymentAlarms(worker.deadLetterAlarm)`.
   *
   * @default - none; the circuit breaker alone decides
   */
  readonly deploymentAlarms?: cloudwatch.IAlarm[];
}
