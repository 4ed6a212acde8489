import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ContainerTaskProps } from '../container-task-props';

/**
 * Properties of `ScheduledTask`.
 */
export interface ScheduledTaskProps extends ContainerTaskProps {
  /**
   * The task's name: its container name, log stream prefix and ECS task group
   * (`scheduled:<taskName>`), and part of its alarm name. A DNS label.
   */
  readonly taskName: string;

  /**
   * When the task runs: `scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone })`,
   * `.rate(Duration.hours(6))` or `.expression('cron(0 3 * * ? *)', TimeZone.EUROPE_BERLIN)`.
   * Cron and rate expressions are checked at synth. Cron schedules follow the expression's time
   * zone, daylight saving time included.
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * A window after the scheduled time in which EventBridge Scheduler starts the task, spreading
   * runs of many schedules. 1 to 1440 minutes.
   *
   * @default - no window: the task starts at the scheduled time
   */
  readonly flexibleTimeWindow?: Duration;

  /**
   * How many times EventBridge Scheduler retries starting a task when ECS refuses it (RunTask
   * fails: no capacity, throttling), 0 to 185. A run that starts and then fails is not retried.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long after its scheduled time a run may still start, 1 minute to 24 hours. A run not
   * started by then goes to the dead-letter queue.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * The longest one run may take. A run still going after this long is stopped (ECS StopTask,
   * SIGTERM then SIGKILL after the container's stop timeout) and counts as failed.
   *
   * @default Duration.hours(1)
   */
  readonly maxRunTime?: Duration;

  /**
   * Whether the schedule runs.
   *
   * @default true
   */
  readonly enabled?: boolean;
}
