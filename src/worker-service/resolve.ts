import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { WorkerServiceProps } from './props';
import { DeploymentStrategy } from '../deployment-strategy';
import { TaskSpec } from '../micro-service/task';
import { checkDnsLabel, checkRange, checkSeconds, fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';

/** The longest stop timeout Fargate allows ("stopTimeout", Amazon ECS task definition parameters). */
export const FARGATE_MAX_STOP_TIMEOUT = 120;
/** SQS's longest visibility timeout, 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/** Every default of a WorkerService, worked out and checked once. */
export interface ResolvedWorker extends TaskSpec {
  readonly props: WorkerServiceProps;
  readonly strategy: DeploymentStrategy;
  readonly processingSeconds: number;
  readonly latencySeconds: number;
  /** Messages one task may have waiting: what it processes within the acceptable latency. */
  readonly backlogPerTask: number;
  readonly visibilityTimeout: Duration;
  readonly stopTimeout: Duration;
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

export function resolveWorker(scope: Construct, props: WorkerServiceProps): ResolvedWorker {
  checkDnsLabel(scope, 'serviceName', props.serviceName);
  const capacity = (props.capacity ?? ServiceCapacity.fargate())._bind(scope, props.infra);
  const strategy = props.deploymentStrategy ?? DeploymentStrategy.rolling();
  if (strategy._isBlueGreen) {
    fail(scope, `deploymentStrategy is ${strategy._describe()}, but a worker has no traffic to shift: use DeploymentStrategy.rolling()`);
  }
  const processingSeconds = known(scope, 'processingTime', props.processingTime);
  if (processingSeconds <= 0 || processingSeconds > MAX_VISIBILITY_SECONDS) {
    fail(scope, `processingTime (${processingSeconds} s) must be more than 0 and at most 12 hours, SQS's longest visibility timeout`);
  }
  const latency = props.acceptableLatency ?? Duration.minutes(5);
  const latencySeconds = known(scope, 'acceptableLatency', latency);
  const backlogPerTask = Math.floor(latencySeconds / processingSeconds);
  if (backlogPerTask < 1) {
    fail(scope, `acceptableLatency (${latencySeconds} s) must be at least processingTime (${processingSeconds} s): a task cannot process a message faster than processingTime, so no task count meets a shorter latency`);
  }

  const visibilityTimeout = props.visibilityTimeout
    ?? Duration.seconds(Math.min(MAX_VISIBILITY_SECONDS, Math.max(30, Math.ceil(2 * processingSeconds))));
  if (props.queue) {
    for (const [prop, value] of [['visibilityTimeout', props.visibilityTimeout], ['retentionPeriod', props.retentionPeriod], ['maxReceiveCount', props.maxReceiveCount]] as const) {
      if (value !== undefined) {
        fail(scope, `${prop} is set but so is queue, whose settings are its own: set ${prop} on the queue you pass, or leave queue unset to let the worker create one`);
      }
    }
  } else {
    checkSeconds(scope, 'visibilityTimeout', props.visibilityTimeout, 0, MAX_VISIBILITY_SECONDS);
    checkSeconds(scope, 'retentionPeriod', props.retentionPeriod, 60, 14 * 24 * 60 * 60);
    checkRange(scope, 'maxReceiveCount', props.maxReceiveCount, 1, 1000);
    if (!visibilityTimeout.isUnresolved() && visibilityTimeout.toSeconds() < processingSeconds) {
      fail(scope, `visibilityTimeout (${visibilityTimeout.toSeconds()} s) is shorter than processingTime (${processingSeconds} s): a message would become visible, and be processed a second time, while a task still works on it; raise visibilityTimeout or leave it unset (twice processingTime)`);
    }
  }

  const maxStop = capacity._onEc2 ? undefined : FARGATE_MAX_STOP_TIMEOUT;
  const stopTimeout = props.stopTimeout ?? Duration.seconds(Math.min(maxStop ?? Infinity, Math.max(30, Math.ceil(processingSeconds) + 5)));
  checkSeconds(scope, 'stopTimeout', props.stopTimeout, 2, maxStop ?? Infinity);
  if (!stopTimeout.isUnresolved() && stopTimeout.toSeconds() < processingSeconds && !props.taskProtection) {
    fail(scope, `stopTimeout (${stopTimeout.toSeconds()} s) is shorter than processingTime (${processingSeconds} s): a task stopped by a scale-in or a deployment would be killed in the middle of a message; `
      + `raise stopTimeout${maxStop ? ` (at most ${maxStop} s on Fargate)` : ''}, or set taskProtection to true and protect the task through the ECS agent's scale-in protection endpoint while it processes`);
  }

  const minCapacity = props.minCapacity ?? 1;
  const maxCapacity = props.maxCapacity ?? 10;
  checkRange(scope, 'minCapacity', props.minCapacity, 0, 5000);
  checkRange(scope, 'maxCapacity', props.maxCapacity, 1, 5000);
  if (minCapacity > maxCapacity) {
    fail(scope, `minCapacity (${minCapacity}) must not exceed maxCapacity (${maxCapacity})`);
  }
  checkSeconds(scope, 'scaleInCooldown', props.scaleInCooldown, 0, 3600);
  checkSeconds(scope, 'scaleOutCooldown', props.scaleOutCooldown, 0, 3600);

  return {
    props,
    cpu: props.cpu ?? 256,
    memoryLimitMiB: props.memoryLimitMiB ?? 512,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    capacity,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    stopTimeout,
    strategy,
    processingSeconds,
    latencySeconds,
    backlogPerTask,
    visibilityTimeout,
    minCapacity,
    maxCapacity,
  };
}

/** The scaling target is worked out from these durations at synth, so they cannot be tokens. */
function known(scope: Construct, prop: string, value: Duration): number {
  if (value.isUnresolved()) {
    fail(scope, `${prop} must be known at synth: the scaling target is worked out from it`);
  }
  return value.toMilliseconds() / 1000;
}
