import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Options for `DeploymentStrategy.rolling()`.
 */
export interface RollingDeploymentOptions {
  /**
   * The lower limit on running, healthy tasks during a deployment, as a percentage of the desired
   * count. 100 keeps full capacity while new tasks start.
   *
   * @default 100
   */
  readonly minHealthyPercent?: number;

  /**
   * The upper limit on running tasks during a deployment, as a percentage of the desired count.
   * 200 lets a whole new set start next to the old one, which is the fastest safe rollout.
   *
   * @default 200
   */
  readonly maxHealthyPercent?: number;

  /**
   * Whether the ECS deployment circuit breaker rolls a failing deployment back to the last
   * deployment that reached steady state.
   *
   * @default true
   */
  readonly rollbackOnFailure?: boolean;
}

/**
 * How new versions of a MicroService replace running ones.
 *
 * The pipeline that delivers the service follows the strategy: `RollingPipeline` deploys rolling
 * services, `BlueGreenPipeline` the progressive ones.
 */
export class DeploymentStrategy {
  /**
   * An ECS rolling update: new tasks start, pass the load balancer's health check, then old tasks
   * drain. The circuit breaker and any deployment alarms roll a failed deployment back.
   */
  public static rolling(options: RollingDeploymentOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy(ecs.DeploymentControllerType.ECS, ecs.DeploymentStrategy.ROLLING, {
      minHealthyPercent: options.minHealthyPercent ?? 100,
      maxHealthyPercent: options.maxHealthyPercent ?? 200,
      rollbackOnFailure: options.rollbackOnFailure ?? true,
    });
  }

  /** Which deployment controller the ECS service uses. */
  public readonly controller: ecs.DeploymentControllerType;

  /** The ECS deployment strategy, when the ECS controller deploys. */
  public readonly ecsStrategy?: ecs.DeploymentStrategy;

  /** Lower limit on healthy tasks during a deployment, in percent of the desired count. */
  public readonly minHealthyPercent: number;

  /** Upper limit on running tasks during a deployment, in percent of the desired count. */
  public readonly maxHealthyPercent: number;

  /** Whether the deployment circuit breaker rolls failed deployments back. */
  public readonly rollbackOnFailure: boolean;

  private constructor(
    controller: ecs.DeploymentControllerType,
    ecsStrategy: ecs.DeploymentStrategy | undefined,
    options: Required<RollingDeploymentOptions>,
  ) {
    this.controller = controller;
    this.ecsStrategy = ecsStrategy;
    this.minHealthyPercent = options.minHealthyPercent;
    this.maxHealthyPercent = options.maxHealthyPercent;
    this.rollbackOnFailure = options.rollbackOnFailure;
  }
}
