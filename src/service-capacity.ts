import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import type { IBaseInfra } from './base-infra';
import { fail } from './private/validation';

/**
 * Options for `ServiceCapacity.fargateSpot()`.
 */
export interface FargateSpotOptions {
  /**
   * How many tasks always run on on-demand Fargate, so a Spot interruption never takes the whole
   * service down. The rest run on Fargate Spot.
   *
   * @default 1
   */
  readonly onDemandBase?: number;
}

/**
 * Options for `ServiceCapacity.ec2()`.
 */
export interface Ec2ServiceCapacityOptions {
  /**
   * The Auto Scaling group capacity provider the tasks run on. It must be associated with the
   * service's cluster.
   *
   * @default - the `ec2CapacityProvider` of the service's infra (`BaseInfra` with `ec2Capacity`)
   */
  readonly capacityProvider?: ecs.AsgCapacityProvider;

  /**
   * How ECS chooses an instance for each task, applied in order, for example
   * `ecs.PlacementStrategy.spreadAcrossInstances()` or `ecs.PlacementStrategy.packedByCpu()`.
   * An empty list leaves placement to the ECS service scheduler, which balances tasks across
   * Availability Zones.
   *
   * @default - spread across Availability Zones, then binpack on memory: tasks survive the loss of a zone and fill instances before new ones start
   */
  readonly placementStrategies?: ecs.PlacementStrategy[];

  /**
   * Rules an instance must satisfy to run a task, such as
   * `ecs.PlacementConstraint.distinctInstances()` (at most one task of the service per instance)
   * or `ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7i.*')`.
   *
   * @default - none
   */
  readonly placementConstraints?: ecs.PlacementConstraint[];
}

/**
 * Where a MicroService's tasks run.
 */
export class ServiceCapacity {
  /** On-demand AWS Fargate. */
  public static fargate(): ServiceCapacity {
    return new ServiceCapacity({ strategies: [{ capacityProvider: 'FARGATE', weight: 1 }] });
  }

  /**
   * Fargate Spot, up to 70 % cheaper and interruptible with two minutes' notice, after
   * `onDemandBase` tasks on on-demand Fargate. Fargate Spot runs X86_64 tasks only.
   */
  public static fargateSpot(options: FargateSpotOptions = {}): ServiceCapacity {
    const base = options.onDemandBase ?? 1;
    const strategies: ecs.CapacityProviderStrategy[] = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    if (base > 0) {
      strategies.unshift({ capacityProvider: 'FARGATE', base, weight: 0 });
    }
    return new ServiceCapacity({ strategies, onDemandBase: base, spot: true });
  }

  /**
   * EC2 container instances of an Auto Scaling group capacity provider, by default the infra's
   * (`BaseInfra` with `ec2Capacity`). Tasks use awsvpc networking, so each gets its own network
   * interface and security group as on Fargate, and ECS places them by `placementStrategies`
   * and `placementConstraints`. An instance runs as many tasks as it has network interfaces
   * left (one fewer than its type allows) unless the account turns on `awsvpcTrunking`.
   */
  public static ec2(options: Ec2ServiceCapacityOptions = {}): ServiceCapacity {
    return new ServiceCapacity({
      compatibility: ecs.Compatibility.EC2,
      capacityProvider: options.capacityProvider,
      strategies: options.capacityProvider ? [{ capacityProvider: options.capacityProvider.capacityProviderName, weight: 1 }] : [],
      placementStrategies: options.placementStrategies ?? [
        ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.packedByMemory(),
      ],
      placementConstraints: options.placementConstraints ?? [],
    });
  }

  /**
   * The service's capacity provider strategy. Empty for `ec2()` without a `capacityProvider`
   * until a MicroService binds it to its infra's provider (`MicroService.capacity` has it).
   */
  public readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];

  /** Whether tasks may run on Fargate Spot. */
  public readonly spot: boolean;

  /** How many tasks are kept on on-demand capacity when `spot` is true. */
  public readonly onDemandBase: number;

  /** What the task definition must be compatible with: FARGATE, or EC2 for `ec2()`. */
  public readonly compatibility: ecs.Compatibility;

  /** The EC2 capacity provider; undefined on Fargate, and for `ec2()` until bound to the infra's provider. */
  public readonly capacityProvider?: ecs.AsgCapacityProvider;

  /** How ECS chooses an instance for each task; empty on Fargate, which places tasks itself. */
  public readonly placementStrategies: ecs.PlacementStrategy[];

  /** Rules an instance must satisfy to run a task; empty on Fargate. */
  public readonly placementConstraints: ecs.PlacementConstraint[];

  private constructor(props: {
    strategies: ecs.CapacityProviderStrategy[];
    onDemandBase?: number;
    spot?: boolean;
    compatibility?: ecs.Compatibility;
    capacityProvider?: ecs.AsgCapacityProvider;
    placementStrategies?: ecs.PlacementStrategy[];
    placementConstraints?: ecs.PlacementConstraint[];
  }) {
    this.capacityProviderStrategies = props.strategies;
    this.onDemandBase = props.onDemandBase ?? 0;
    this.spot = props.spot ?? false;
    this.compatibility = props.compatibility ?? ecs.Compatibility.FARGATE;
    this.capacityProvider = props.capacityProvider;
    this.placementStrategies = props.placementStrategies ?? [];
    this.placementConstraints = props.placementConstraints ?? [];
  }

  /**
   * This capacity with its EC2 capacity provider resolved: the given one, or the infra's.
   * Fargate capacity needs nothing from the infra and is returned as is.
   *
   * @internal
   */
  public _bind(scope: IConstruct, infra: IBaseInfra): ServiceCapacity {
    if (this.compatibility !== ecs.Compatibility.EC2 || this.capacityProvider) {
      return this;
    }
    if (!infra.ec2CapacityProvider) {
      fail(scope, 'capacity is ServiceCapacity.ec2() but the infra has no EC2 capacity provider: create the BaseInfra with ec2Capacity, or pass ServiceCapacity.ec2({ capacityProvider })');
    }
    return ServiceCapacity.ec2({
      capacityProvider: infra.ec2CapacityProvider,
      placementStrategies: this.placementStrategies,
      placementConstraints: this.placementConstraints,
    });
  }
}
