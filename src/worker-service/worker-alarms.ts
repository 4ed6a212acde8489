import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ResolvedWorker } from './resolve';

/** The worker's alarms. The dead-letter one is undefined for a passed-in queue without a dead-letter queue. */
export interface WorkerAlarms {
  readonly deadLetter?: cloudwatch.Alarm;
  readonly oldestMessageAge: cloudwatch.Alarm;
}

const PERIOD = Duration.minutes(1);

/**
 * A message in the dead-letter queue (it failed `maxReceiveCount` times), and the oldest message
 * waiting longer than the acceptable latency (the worker falls behind). Named
 * `<stack>-<serviceName>-…` when the stack's name is known at synth, so either can be a
 * deployment alarm.
 */
export function addWorkerAlarms(scope: Construct, r: ResolvedWorker, queue: sqs.IQueue, deadLetterQueue: sqs.IQueue | undefined): WorkerAlarms {
  const name = r.props.serviceName;
  const stackName = Stack.of(scope).stackName;
  const alarmName = (suffix: string) => Token.isUnresolved(stackName) ? undefined : `${stackName}-${name}-${suffix}`;
  const deadLetter = deadLetterQueue && new cloudwatch.Alarm(scope, 'DeadLetterAlarm', {
    alarmName: alarmName('dead-letters'),
    alarmDescription: `${name}: messages in the dead-letter queue, each received ${r.props.maxReceiveCount ?? 5} times without being processed; inspect them and redrive.`,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const oldestMessageAge = new cloudwatch.Alarm(scope, 'OldestMessageAgeAlarm', {
    alarmName: alarmName('oldest-message-age'),
    alarmDescription: `${name}: the oldest message has waited longer than the acceptable latency (${r.latencySeconds} s) for 2 minutes; the worker falls behind or does not run.`,
    metric: queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD }),
    threshold: r.latencySeconds,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { deadLetter, oldestMessageAge };
}
