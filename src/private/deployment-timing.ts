import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DeploymentStrategy, TrafficShiftingType } from '../deployment-strategy';

/**
 * How long one deployment takes, modelled from the configured values, so a pipeline can refuse a
 * deploy timeout that cannot cover the strategy's schedule.
 */

/**
 * Assumed time from "task requested" to "container listening": Fargate placement, ENI attachment,
 * pulling a small image and starting the process. Nothing configures it; large images take longer.
 */
export const ASSUMED_TASK_START_SECONDS = 60;

/** One step of a deployment and how its duration follows from the configuration. */
export interface DeploymentPhase {
  readonly name: string;
  readonly seconds: number;
  readonly basis: string;
}

/** A modelled deployment: its phases in order and their sum. */
export interface DeploymentModel {
  readonly phases: DeploymentPhase[];
  readonly totalSeconds: number;
}

/** What a deployment's duration depends on. */
export interface TimingInputs {
  readonly strategy: DeploymentStrategy;
  /** Load balancer health-check interval; undefined without a load balancer. */
  readonly healthCheckInterval?: Duration;
  readonly healthyThresholdCount?: number;
  readonly deregistrationDelay?: Duration;
}

export function modelDeployment(inputs: TimingInputs): DeploymentModel {
  const s = inputs.strategy;
  const interval = seconds(inputs.healthCheckInterval, 0);
  const threshold = inputs.healthyThresholdCount ?? 0;
  const drain = seconds(inputs.deregistrationDelay, 0);
  const start: DeploymentPhase = { name: 'start new tasks', seconds: ASSUMED_TASK_START_SECONDS, basis: `assumed Fargate start, ${ASSUMED_TASK_START_SECONDS} s` };
  const healthy: DeploymentPhase = {
    name: 'pass the health check',
    seconds: interval * threshold,
    basis: `interval ${interval} s × healthy threshold ${threshold}`,
  };
  const drainOld: DeploymentPhase = { name: 'drain old tasks', seconds: drain, basis: `deregistration delay ${drain} s` };

  let phases: DeploymentPhase[];
  if (!s.isBlueGreen) {
    // With minHealthyPercent..maxHealthyPercent, ECS replaces (max - min) % of the tasks per batch.
    const batches = Math.ceil(100 / Math.max(1, s.maxHealthyPercent - s.minHealthyPercent));
    phases = [];
    for (let b = 1; b <= batches; b++) {
      const suffix = batches > 1 ? ` (batch ${b} of ${batches})` : '';
      phases.push(...[start, healthy, drainOld].map(p => ({ ...p, name: p.name + suffix })));
    }
  } else if (s.controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
    const t = s.trafficShifting!;
    const kind = t.type === TrafficShiftingType.ALL_AT_ONCE ? 'allAtOnce' : t.type === TrafficShiftingType.CANARY ? 'canary' : 'linear';
    const shift = shiftPhase(kind, t.percentage, seconds(t.interval, 0));
    const wait = seconds(s.terminationWaitTime, 0);
    phases = [start, healthy, shift,
      { name: 'keep blue tasks (termination wait)', seconds: wait, basis: `terminationWaitTime ${wait / 60} min` }, drainOld];
  } else {
    const kind = s.ecsStrategy === ecs.DeploymentStrategy.CANARY ? 'canary' : s.ecsStrategy === ecs.DeploymentStrategy.LINEAR ? 'linear' : 'allAtOnce';
    const shift = shiftPhase(kind, s.stepPercent ?? 100, seconds(s.stepInterval, 0));
    const bake = seconds(s.bakeTime, 0);
    phases = [start, healthy, shift, { name: 'bake (blue and green both running)', seconds: bake, basis: `bakeTime ${bake / 60} min` }, drainOld];
  }
  return { phases, totalSeconds: phases.reduce((sum, p) => sum + p.seconds, 0) };
}

function shiftPhase(kind: 'allAtOnce' | 'canary' | 'linear', percent: number, stepSeconds: number): DeploymentPhase {
  const name = 'shift production traffic';
  switch (kind) {
    case 'allAtOnce':
      return { name, seconds: 0, basis: 'all at once' };
    case 'canary':
      return { name, seconds: stepSeconds, basis: `${percent} % for ${stepSeconds / 60} min, then the rest` };
    case 'linear': {
      // The first step happens at once; each further step waits one interval.
      const waits = Math.ceil(100 / percent) - 1;
      return { name, seconds: waits * stepSeconds, basis: `${Math.ceil(100 / percent)} steps of ${percent} %, ${waits} waits of ${stepSeconds / 60} min` };
    }
  }
}

function seconds(d: Duration | undefined, fallback: number): number {
  return d === undefined || d.isUnresolved() ? fallback : d.toSeconds();
}

/** `12.5 min (start new tasks 60 s (assumed …) + …)` for error messages and reports. */
export function describeModel(model: DeploymentModel): string {
  const parts = model.phases.filter(p => p.seconds > 0).map(p => `${p.name} ${p.seconds} s (${p.basis})`);
  return `${Math.round(model.totalSeconds / 6) / 10} min: ${parts.join(' + ')}`;
}
