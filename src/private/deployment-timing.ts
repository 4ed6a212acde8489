import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DeploymentStrategy } from '../deployment-strategy';
import { TrafficShiftingType } from '../traffic-shifting';

/**
 * How long one deployment takes, modelled from the configured values, so a pipeline can refuse a
 * deploy timeout that cannot cover the strategy's schedule.
 */

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
  /** How long a new task takes to answer its health check (declared or the default). */
  readonly startupTime: Duration;
  /** Load balancer health-check interval. Undefined without a load balancer. */
  readonly healthCheckInterval?: Duration;
  /** Undefined without a load balancer. */
  readonly deregistrationDelay?: Duration;
  /**
   * The longest evaluation window of the service's own deployment alarms. After a rolling update
   * reaches steady state ECS keeps watching the alarms for a bake time it computes from their
   * configuration; the model takes that window as the estimate.
   */
  readonly alarmWindow?: Duration;
  /** Gates on test traffic (a load test) that a blue/green deployment waits for before production moves. */
  readonly gates?: DeploymentPhase[];
}

/**
 * A deployment's phases from the configuration. A task registered with an Application Load
 * Balancer is healthy after its first passing check: "After your target is registered, it must
 * pass one health check to be considered healthy"; the healthy threshold counts for targets that
 * were unhealthy (ELB, "Health checks for Application Load Balancer target groups",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 * Without a load balancer ECS counts a task as started when it runs.
 */
export function modelDeployment(inputs: TimingInputs): DeploymentModel {
  const s = inputs.strategy;
  const startup = seconds(inputs.startupTime, 0);
  const interval = seconds(inputs.healthCheckInterval, 0);
  const drain = seconds(inputs.deregistrationDelay, 0);
  const start: DeploymentPhase = { name: 'start new tasks', seconds: startup, basis: `startupTime ${startup} s` };
  const healthy: DeploymentPhase = {
    name: 'pass the first health check',
    seconds: interval,
    basis: `one check, interval ${interval} s`,
  };
  const drainOld: DeploymentPhase = { name: 'drain old tasks', seconds: drain, basis: `deregistration delay ${drain} s` };

  let phases: DeploymentPhase[];
  if (!s._isBlueGreen) {
    // With minHealthyPercent..maxHealthyPercent, ECS replaces (max - min) % of the tasks per batch.
    const batches = Math.ceil(100 / Math.max(1, s.maxHealthyPercent - s.minHealthyPercent));
    phases = [];
    for (let b = 1; b <= batches; b++) {
      const suffix = batches > 1 ? ` (batch ${b} of ${batches})` : '';
      phases.push(...[start, healthy, drainOld].map(p => ({ ...p, name: p.name + suffix })));
    }
    const watch = seconds(inputs.alarmWindow, 0);
    phases.push({ name: 'watch the deployment alarms (ECS bake)', seconds: watch, basis: `estimated as the longest alarm window, ${watch} s` });
  } else if (s._controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
    const t = s.trafficShifting!;
    const kind = t.type === TrafficShiftingType.ALL_AT_ONCE ? 'allAtOnce' : t.type === TrafficShiftingType.CANARY ? 'canary' : 'linear';
    const shift = shiftPhase(kind, t.percentage, seconds(t.interval, 0));
    const wait = seconds(s.terminationWaitTime, 0);
    phases = [start, healthy, ...(inputs.gates ?? []), shift,
      { name: 'keep blue tasks (termination wait)', seconds: wait, basis: `terminationWaitTime ${wait / 60} min` }, drainOld];
  } else {
    const kind = s._ecsStrategy === ecs.DeploymentStrategy.CANARY ? 'canary' : s._ecsStrategy === ecs.DeploymentStrategy.LINEAR ? 'linear' : 'allAtOnce';
    const shift = shiftPhase(kind, s.stepPercent ?? 100, seconds(s.stepInterval, 0));
    const bake = seconds(s.bakeTime, 0);
    phases = [start, healthy, ...(inputs.gates ?? []), shift,
      { name: 'bake (blue and green both running)', seconds: bake, basis: `bakeTime ${bake / 60} min` }, drainOld];
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
