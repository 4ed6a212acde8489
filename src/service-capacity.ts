import * as ecs from 'aws-cdk-lib/aws-ecs';

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
 * Where a MicroService's tasks run.
 */
export class ServiceCapacity {
  /** On-demand AWS Fargate. */
  public static fargate(): ServiceCapacity {
    return new ServiceCapacity([{ capacityProvider: 'FARGATE', weight: 1 }], 0);
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
    return new ServiceCapacity(strategies, base, true);
  }

  /** The service's capacity provider strategy. */
  public readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];

  /** Whether tasks may run on Fargate Spot. */
  public readonly spot: boolean;

  /** How many tasks are kept on on-demand capacity when `spot` is true. */
  public readonly onDemandBase: number;

  private constructor(strategies: ecs.CapacityProviderStrategy[], onDemandBase: number, spot = false) {
    this.capacityProviderStrategies = strategies;
    this.onDemandBase = onDemandBase;
    this.spot = spot;
  }
}
