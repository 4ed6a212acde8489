import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ResolvedScheduledTask } from './resolve';

/** The rule that catches failed runs, and the alarm on failed runs. */
export interface RunMonitoring {
  readonly failedRunRule: events.Rule;
  readonly failureAlarm: cloudwatch.Alarm;
}

/**
 * Failed runs land in the dead-letter queue from two sides: EventBridge Scheduler sends the
 * invocations it could not start (after its retries), and a rule sends ECS's "Task State Change"
 * event of every run that stopped with a non-zero exit code or failed to start ("Amazon ECS task
 * state change events", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html;
 * `$or` and `anything-but` in "Comparison operators for use in event patterns",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 * Both send with SendMessage, so the queue's NumberOfMessagesSent counts failed runs, and one
 * alarm watches it; the messages say what failed.
 */
export function addRunMonitoring(scope: Construct, r: ResolvedScheduledTask, deadLetterQueue: sqs.IQueue): RunMonitoring {
  const { props } = r;
  const failedRunRule = new events.Rule(scope, 'FailedRunRule', {
    description: `Sends the failed runs of ${props.taskName} to its dead-letter queue`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: {
        clusterArn: [props.infra.cluster.clusterArn],
        group: [r.group],
        lastStatus: ['STOPPED'],
        $or: [
          { containers: { exitCode: [{ 'anything-but': 0 }] } },
          { stopCode: ['TaskFailedToStart'] },
        ],
      },
    },
    targets: [new targets.SqsQueue(deadLetterQueue)],
  });
  const stackName = Stack.of(scope).stackName;
  const failureAlarm = new cloudwatch.Alarm(scope, 'FailureAlarm', {
    alarmName: Token.isUnresolved(stackName) ? undefined : `${stackName}-${props.taskName}-failed`,
    alarmDescription: `${props.taskName}: a scheduled run failed to start, exited with a non-zero code or ran longer than ${r.maxRunTime.toHumanString()}; its event is in the dead-letter queue.`,
    metric: metricFailedRuns(deadLetterQueue),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { failedRunRule, failureAlarm };
}

/** Failed runs: messages sent to the dead-letter queue, sum over 1 minute by default. */
export function metricFailedRuns(deadLetterQueue: sqs.IQueue, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return deadLetterQueue.metricNumberOfMessagesSent({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1), ...props });
}
