import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ScheduledTaskProps } from './props';
import { TaskSpec } from '../micro-service/task';
import { checkSchedule } from '../private/schedule-expression';
import { checkDnsLabel, checkRange, checkSeconds, checkWholeMinutes, fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';

/** Every default of a ScheduledTask, worked out and checked once. */
export interface ResolvedScheduledTask extends TaskSpec {
  /** The props, with the task's name where the shared task parts read the container's name. */
  readonly props: ScheduledTaskProps & { readonly serviceName: string };
  /** The ECS task group of every run: what the failure and run-time rules match. */
  readonly group: string;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly maxRunTime: Duration;
}

export function resolveScheduledTask(scope: Construct, props: ScheduledTaskProps): ResolvedScheduledTask {
  checkDnsLabel(scope, 'taskName', props.taskName);
  // EventBridge Scheduler reads the rate and cron grammar of EventBridge rules ("Schedule types on
  // EventBridge Scheduler", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
  const parsed = checkSchedule(scope, 'schedule', props.schedule, 'eventbridge');
  checkWholeMinutes(scope, 'flexibleTimeWindow', props.flexibleTimeWindow, 1, 1440);
  checkRange(scope, 'retryAttempts', props.retryAttempts, 0, 185);
  checkSeconds(scope, 'maxEventAge', props.maxEventAge, 60, 86_400);
  const maxRunTime = props.maxRunTime ?? Duration.hours(1);
  if (maxRunTime.isUnresolved()) {
    fail(scope, 'maxRunTime must be known at synth: the run-time limit waits this long');
  }
  checkSeconds(scope, 'maxRunTime', maxRunTime, 60, 7 * 86_400);
  if (parsed?.rateSeconds !== undefined && maxRunTime.toSeconds() > parsed.rateSeconds) {
    Annotations.of(scope).addWarningV2('cdk-ecs-devops:scheduled-task-overlap',
      `maxRunTime (${maxRunTime.toSeconds()} s) is longer than the schedule's interval (${parsed.rateSeconds} s): a slow run may still be going when the next one starts; shorten maxRunTime if runs must not overlap`);
  }
  return {
    props: { ...props, serviceName: props.taskName },
    cpu: props.cpu ?? 256,
    memoryLimitMiB: props.memoryLimitMiB ?? 512,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    capacity: (props.capacity ?? ServiceCapacity.fargate())._bind(scope, props.infra),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    group: `scheduled:${props.taskName}`,
    retryAttempts: props.retryAttempts ?? 3,
    maxEventAge: props.maxEventAge ?? Duration.hours(1),
    maxRunTime,
  };
}
