import type { IConstruct } from 'constructs';
import type { DeploymentPhase } from './deployment-timing';

/**
 * The gates a service's deployments wait for, as phases of its deployment model: a LoadTestGate
 * registers itself when it is created, after its service, so the service's model reads them when
 * asked rather than when it is constructed.
 */
const gates = new WeakMap<IConstruct, DeploymentPhase[]>();

/** Records a phase every deployment of `service` waits for. */
export function registerDeploymentGate(service: IConstruct, phase: DeploymentPhase): void {
  gates.set(service, [...(gates.get(service) ?? []), phase]);
}

/** The phases `service`'s deployments wait for at its gates, in the order they were registered. */
export function deploymentGatesOf(service: IConstruct): DeploymentPhase[] {
  return gates.get(service) ?? [];
}
