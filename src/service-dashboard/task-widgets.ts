import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ScheduledTask } from '../scheduled-task';
import { WorkerService } from '../worker-service';

/**
 * The rows of a WorkerService and of a ScheduledTask on a ServiceDashboard: a heading, then one row
 * of graphs. Every metric comes from the construct's own `metricXxx()` methods and alarms.
 */

/** Four graphs per row. */
const WIDTH = 6;
const HEIGHT = 6;

/** Queue depth and messages in flight, the oldest message's age against the acceptable latency, the dead-letter queue, running tasks. */
export function workerRows(worker: WorkerService): cloudwatch.IWidget[][] {
  const name = worker.serviceName;
  const heading = new cloudwatch.TextWidget({
    markdown: `### ${name} (worker)\nScales to ${worker.backlogPerTaskTarget} messages visible per running task`,
    width: 24,
    height: 1,
  });
  const age = worker.oldestMessageAgeAlarm;
  const graphs: cloudwatch.IWidget[] = [
    graph(`${name}: queue depth`, [
      worker.metricApproximateNumberOfMessagesVisible({ label: 'Visible' }),
      worker.metricApproximateNumberOfMessagesNotVisible({ label: 'In flight' }),
    ]),
    new cloudwatch.GraphWidget({
      title: `${name}: age of oldest message (s)`,
      left: [age.metric],
      leftAnnotations: [age.toAnnotation()],
      leftYAxis: { min: 0, showUnits: false },
      width: WIDTH,
      height: HEIGHT,
    }),
    worker.deadLetterAlarm
      ? new cloudwatch.GraphWidget({
        title: `${name}: dead-letter queue`,
        left: [worker.deadLetterAlarm.metric],
        leftAnnotations: [worker.deadLetterAlarm.toAnnotation()],
        leftYAxis: { min: 0, showUnits: false },
        width: WIDTH,
        height: HEIGHT,
      })
      : new cloudwatch.TextWidget({ markdown: 'The queue passed in has no dead-letter queue.', width: WIDTH, height: HEIGHT }),
    graph(`${name}: running tasks`, [worker.metricRunningTaskCount({ label: 'Running' })]),
  ];
  return [[heading], graphs];
}

/**
 * The alarm's state (the last run failed or not), failed runs and runs started, and the last runs
 * with their duration: the first to the last log line of each run's log stream (each task writes
 * its own stream), which is what CloudWatch knows of a standalone task's duration.
 */
export function scheduledTaskRows(task: ScheduledTask): cloudwatch.IWidget[][] {
  const name = task.taskName;
  const heading = new cloudwatch.TextWidget({
    markdown: `### ${name} (scheduled)\nStopped after ${task.maxRunTime.toHumanString()}; failed runs are in the dead-letter queue`,
    width: 24,
    height: 1,
  });
  return [[heading], [
    new cloudwatch.AlarmStatusWidget({ title: `${name}: last run`, alarms: [task.failureAlarm], width: WIDTH, height: HEIGHT }),
    new cloudwatch.GraphWidget({
      title: `${name}: runs`,
      left: [task.metricRunsStarted({ label: 'Started' }), task.metricFailedRuns({ label: 'Failed', color: cloudwatch.Color.RED })],
      leftYAxis: { min: 0, showUnits: false },
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.LogQueryWidget({
      title: `${name}: last runs (duration from first to last log line)`,
      logGroupNames: [task.logGroup.logGroupName],
      queryLines: [
        'fields @timestamp, @logStream',
        'stats min(@timestamp) as started, max(@timestamp) as lastLine, (max(@timestamp) - min(@timestamp)) / 1000 as seconds by @logStream',
        'sort started desc',
        'limit 10',
      ],
      view: cloudwatch.LogQueryVisualizationType.TABLE,
      width: 2 * WIDTH,
      height: HEIGHT,
    }),
  ]];
}

function graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, leftYAxis: { min: 0, showUnits: false }, width: WIDTH, height: HEIGHT });
}
