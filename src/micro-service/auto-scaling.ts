import { Duration, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ScheduledScaling, ServiceAutoScaling } from './auto-scaling-props';
import { ResolvedAutoScaling, ResolvedProps } from './resolve';
import { checkSchedule } from '../private/schedule-expression';
import { SCHEDULED_ACTION_NAME_FIX, scheduledActionNameProblem } from '../private/scheduled-action-name';
import { checkGrammar, checkRange, fail } from '../private/validation';

/** Task-count scaling: target tracking on CPU, memory and requests, CPU steps and schedules. */
export function addAutoScaling(scope: Construct, r: ResolvedProps, service: ecs.BaseService,
  targetGroup: elbv2.ApplicationTargetGroup | undefined): ecs.ScalableTaskCount | undefined {
  const options = r.props.autoScaling;
  const s = r.autoScaling;
  if (!options || !s) {
    return undefined;
  }
  validateAutoScaling(scope, r, options, s);
  const scaling = service.autoScaleTaskCount({ minCapacity: s.minCapacity, maxCapacity: s.maxCapacity });
  const cooldowns = { scaleInCooldown: s.scaleInCooldown, scaleOutCooldown: s.scaleOutCooldown };
  if (options.targetCpuUtilizationPercent !== undefined) {
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: options.targetCpuUtilizationPercent, ...cooldowns });
  }
  if (options.targetMemoryUtilizationPercent !== undefined) {
    scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: options.targetMemoryUtilizationPercent, ...cooldowns });
  }
  if (options.targetRequestsPerTarget !== undefined) {
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: options.targetRequestsPerTarget, targetGroup: targetGroup!, ...cooldowns });
  }
  if (s.cpuStep) {
    scaling.scaleOnMetric('CpuStep', {
      metric: service.metricCpuUtilization({ period: Duration.minutes(1) }),
      scalingSteps: [
        { upper: s.cpuStep.scaleInBelow, change: -s.cpuStep.tasksPerStep },
        { lower: s.cpuStep.scaleOutAbove, change: +s.cpuStep.tasksPerStep },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: s.scaleOutCooldown,
    });
  }
  for (const schedule of options.schedules ?? []) {
    scaling.scaleOnSchedule(schedule.name, {
      schedule: schedule.schedule,
      minCapacity: schedule.minCapacity,
      maxCapacity: schedule.maxCapacity,
    });
  }
  return scaling;
}

function validateAutoScaling(scope: Construct, r: ResolvedProps, options: ServiceAutoScaling, s: ResolvedAutoScaling): void {
  if (r.props.desiredCount !== undefined) {
    fail(scope, `desiredCount (${r.props.desiredCount}) and autoScaling are both set: autoScaling.minCapacity sets the starting task count, so remove desiredCount`);
  }
  if (options.targetRequestsPerTarget !== undefined && !r.loadBalancer) {
    fail(scope, 'autoScaling.targetRequestsPerTarget needs a load balancer, but loadBalancerType is NONE: scale on CPU or memory instead');
  }
  // "The ALBRequestCountPerTarget metric for target tracking scaling policies is not supported for
  // the blue/green deployment type": it reads one target group, which is empty after every other
  // cut-over ("Use a target metric to scale Amazon ECS services",
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html).
  if (options.targetRequestsPerTarget !== undefined && r.strategy._isBlueGreen) {
    fail(scope, `autoScaling.targetRequestsPerTarget (${options.targetRequestsPerTarget}) reads one target group, but deploymentStrategy ${r.strategy._describe()} moves the tasks between two, so after every other deployment it would read zero and scale in: scale on CPU or memory (targetCpuUtilizationPercent, targetMemoryUtilizationPercent), or use DeploymentStrategy.rolling()`);
  }
  checkRange(scope, 'autoScaling.minCapacity', s.minCapacity, 0, 5000);
  checkRange(scope, 'autoScaling.maxCapacity', s.maxCapacity, 1, 5000);
  if (!Token.isUnresolved(s.minCapacity) && !Token.isUnresolved(s.maxCapacity) && s.minCapacity > s.maxCapacity) {
    fail(scope, `autoScaling.minCapacity (${s.minCapacity}) must not exceed autoScaling.maxCapacity (${s.maxCapacity})`);
  }
  checkRange(scope, 'autoScaling.targetCpuUtilizationPercent', options.targetCpuUtilizationPercent, 1, 100);
  checkRange(scope, 'autoScaling.targetMemoryUtilizationPercent', options.targetMemoryUtilizationPercent, 1, 100);
  checkRange(scope, 'autoScaling.targetRequestsPerTarget', options.targetRequestsPerTarget, 1, 1000000);
  const hasPolicy = [options.targetCpuUtilizationPercent, options.targetMemoryUtilizationPercent,
    options.targetRequestsPerTarget, options.cpuStepScaling].some(p => p !== undefined) || (options.schedules ?? []).length > 0;
  if (!hasPolicy) {
    fail(scope, 'autoScaling has no policy: set targetCpuUtilizationPercent, targetMemoryUtilizationPercent, targetRequestsPerTarget, cpuStepScaling or schedules');
  }
  if (s.cpuStep) {
    if (options.targetCpuUtilizationPercent !== undefined) {
      fail(scope, 'autoScaling has both targetCpuUtilizationPercent and cpuStepScaling, which would fight over the task count: keep one');
    }
    const { scaleOutAbove, scaleInBelow, tasksPerStep } = s.cpuStep;
    checkRange(scope, 'autoScaling.cpuStepScaling.scaleOutAbove', scaleOutAbove, 1, 100);
    checkRange(scope, 'autoScaling.cpuStepScaling.scaleInBelow', scaleInBelow, 0, 99);
    checkRange(scope, 'autoScaling.cpuStepScaling.tasksPerStep', tasksPerStep, 1, 100);
    if (scaleInBelow >= scaleOutAbove) {
      fail(scope, `autoScaling.cpuStepScaling.scaleInBelow (${scaleInBelow}) must be lower than scaleOutAbove (${scaleOutAbove})`);
    }
  }
  const names = new Set<string>();
  for (const schedule of options.schedules ?? []) {
    if (names.has(schedule.name)) {
      fail(scope, `autoScaling.schedules has two schedules named '${schedule.name}': give each a unique name`);
    }
    names.add(schedule.name);
    validateSchedule(scope, s, schedule);
  }
}

/**
 * A scheduled action's name and expression as Application Auto Scaling reads them, and the
 * capacity it sets against the range the service scales in: a scheduled minimum above the maximum
 * in force (or a maximum below the minimum) is refused by Application Auto Scaling when the action
 * runs, not when it is created.
 */
function validateSchedule(scope: Construct, s: ResolvedAutoScaling, schedule: ScheduledScaling): void {
  const label = `autoScaling.schedules '${schedule.name}'`;
  checkGrammar(scope, 'autoScaling.schedules name', schedule.name, scheduledActionNameProblem, SCHEDULED_ACTION_NAME_FIX);
  checkSchedule(scope, `${label} schedule`, schedule.schedule, 'application-auto-scaling');
  checkRange(scope, `${label} minCapacity`, schedule.minCapacity, 0, 5000);
  checkRange(scope, `${label} maxCapacity`, schedule.maxCapacity, 0, 5000);
  if (schedule.minCapacity === undefined && schedule.maxCapacity === undefined) {
    fail(scope, `${label} changes nothing: set minCapacity, maxCapacity or both`);
  }
  const min = schedule.minCapacity ?? s.minCapacity;
  const max = schedule.maxCapacity ?? s.maxCapacity;
  if ([min, max].some(v => Token.isUnresolved(v)) || min <= max) {
    return;
  }
  const [minFrom, maxFrom] = [schedule.minCapacity === undefined ? 'autoScaling.minCapacity' : 'its minCapacity', schedule.maxCapacity === undefined ? 'autoScaling.maxCapacity' : 'its maxCapacity'];
  fail(scope, `${label} sets minCapacity (${min}, ${minFrom}) above maxCapacity (${max}, ${maxFrom}), which Application Auto Scaling refuses when the action runs: set the schedule's maxCapacity too, or keep minCapacity at most ${max}`);
}
