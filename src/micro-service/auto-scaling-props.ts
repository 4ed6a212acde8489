import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';

/**
 * Step scaling on average CPU: add tasks above one threshold, remove them below another.
 */
export interface CpuStepScaling {
  /**
   * Average CPU utilization (percent) above which tasks are added.
   *
   * @default 70
   */
  readonly scaleOutAbove?: number;

  /**
   * Average CPU utilization (percent) below which tasks are removed.
   *
   * @default 30
   */
  readonly scaleInBelow?: number;

  /**
   * How many tasks one step adds or removes.
   *
   * @default 1
   */
  readonly tasksPerStep?: number;
}

/**
 * A capacity change on a schedule, such as more tasks in business hours.
 */
export interface ScheduledScaling {
  /** A name for the schedule, unique within the service (it becomes a construct ID). */
  readonly name: string;

  /** When the change happens, for example `appscaling.Schedule.cron({ hour: '8', minute: '0' })`. */
  readonly schedule: appscaling.Schedule;

  /**
   * The new minimum number of tasks.
   *
   * @default - unchanged
   */
  readonly minCapacity?: number;

  /**
   * The new maximum number of tasks.
   *
   * @default - unchanged
   */
  readonly maxCapacity?: number;
}

/**
 * Auto scaling of a MicroService's task count. Set at least one policy or schedule.
 */
export interface ServiceAutoScaling {
  /**
   * The fewest tasks. It is also the task count the service starts with.
   *
   * @default 2
   */
  readonly minCapacity?: number;

  /** The most tasks. */
  readonly maxCapacity: number;

  /**
   * Keep average CPU utilization near this percentage (target tracking).
   *
   * @default - no CPU target tracking
   */
  readonly targetCpuUtilizationPercent?: number;

  /**
   * Keep average memory utilization near this percentage (target tracking).
   *
   * @default - no memory target tracking
   */
  readonly targetMemoryUtilizationPercent?: number;

  /**
   * Keep the load balancer's requests per task near this number per minute (target tracking).
   * Needs a load balancer.
   *
   * @default - no request-count target tracking
   */
  readonly targetRequestsPerTarget?: number;

  /**
   * Step scaling on CPU utilization. Not combinable with `targetCpuUtilizationPercent`, which
   * would fight it.
   *
   * @default - no step scaling
   */
  readonly cpuStepScaling?: CpuStepScaling;

  /**
   * Scheduled capacity changes.
   *
   * @default - none
   */
  readonly schedules?: ScheduledScaling[];

  /**
   * How long after a scale-in before another scale-in.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * How long after a scale-out before another scale-out.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}
