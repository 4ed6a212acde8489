import { Duration, Fn, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { attachEcsBlueGreen, BlueGreenResources, ProductionTraffic, validateEcsBlueGreen } from './micro-service/blue-green';
import { attachCodeDeploy, validateCodeDeploy } from './micro-service/code-deploy';
import type { ResolvedProps } from './micro-service/resolve';
import type { ServiceTask } from './micro-service/task';
import { checkRange, fail } from './private/validation';
import { TrafficShifting, TrafficShiftingType } from './traffic-shifting';

/** What a deployment strategy sets on the ECS service. */
type StrategyServiceOptions = Pick<ecs.BaseServiceOptions, 'deploymentController' | 'minHealthyPercent' | 'maxHealthyPercent'
| 'circuitBreaker' | 'taskDefinitionRevision' | 'deploymentStrategy' | 'bakeTime' | 'canaryConfiguration' | 'linearConfiguration' | 'lifecycleHooks'>;

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
 * Options shared by the ECS-native blue/green, canary and linear strategies.
 */
export interface BlueGreenDeploymentOptions {
  /**
   * How long blue and green tasks both keep running after all production traffic has moved to
   * green. Alarms can still roll the deployment back during this time; afterwards the blue tasks stop.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;

  /**
   * The port of the test listener, which reaches the green tasks before production traffic does.
   * It accepts traffic from the VPC only, also on a public load balancer.
   *
   * @default 8080
   */
  readonly testListenerPort?: number;

  /**
   * Lambda functions that ECS runs at deployment lifecycle stages, such as tests against the test
   * listener after `POST_TEST_TRAFFIC_SHIFT` (`new ecs.DeploymentLifecycleLambdaTarget(fn, 'Id', {...})`).
   *
   * @default - none
   */
  readonly lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];

  /**
   * Whether the deployment circuit breaker rolls a deployment whose green tasks fail to start
   * back to blue.
   *
   * @default true
   */
  readonly rollbackOnFailure?: boolean;
}

/**
 * Options for `DeploymentStrategy.canary()`.
 */
export interface CanaryDeploymentOptions extends BlueGreenDeploymentOptions {
  /**
   * The percentage of production traffic the green tasks get first, in steps of 0.1.
   *
   * @default 10
   */
  readonly canaryPercent?: number;

  /**
   * How long the green tasks serve `canaryPercent` of the traffic before they get all of it.
   *
   * @default Duration.minutes(5)
   */
  readonly canaryInterval?: Duration;
}

/**
 * Options for `DeploymentStrategy.linear()`.
 */
export interface LinearDeploymentOptions extends BlueGreenDeploymentOptions {
  /**
   * The percentage of production traffic moved to the green tasks in each step, from 3 to 100
   * in steps of 0.1.
   *
   * @default 10
   */
  readonly stepPercent?: number;

  /**
   * How long to wait between two steps.
   *
   * @default Duration.minutes(1)
   */
  readonly stepInterval?: Duration;
}

/**
 * Options for `DeploymentStrategy.codeDeploy()`.
 */
export interface CodeDeployDeploymentOptions {
  /**
   * How production traffic moves to the green tasks.
   *
   * @default TrafficShifting.canary() (10 % first, the rest after 5 minutes)
   */
  readonly trafficShifting?: TrafficShifting;

  /**
   * How long the blue tasks keep running after all traffic has moved, so a rollback is instant.
   *
   * @default Duration.minutes(5)
   */
  readonly terminationWaitTime?: Duration;

  /**
   * The port of the test listener, which reaches the green tasks before production traffic does.
   * It accepts traffic from the VPC only, also on a public load balancer.
   *
   * @default 8080
   */
  readonly testListenerPort?: number;
}

/**
 * How new versions of a MicroService replace running ones.
 *
 * The pipeline that delivers the service follows the strategy: `RollingPipeline` deploys rolling
 * services, `BlueGreenPipeline` the blue/green, canary, linear and CodeDeploy ones.
 */
export class DeploymentStrategy {
  /**
   * An ECS rolling update: new tasks start, pass the load balancer's health check, then old tasks
   * drain. The circuit breaker and any deployment alarms roll a failed deployment back.
   */
  public static rolling(options: RollingDeploymentOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy({
      controller: ecs.DeploymentControllerType.ECS,
      ecsStrategy: ecs.DeploymentStrategy.ROLLING,
      minHealthyPercent: options.minHealthyPercent ?? 100,
      maxHealthyPercent: options.maxHealthyPercent ?? 200,
      rollbackOnFailure: options.rollbackOnFailure ?? true,
    });
  }

  /**
   * An ECS-native blue/green deployment: a full set of green tasks starts behind a second target
   * group, the test listener reaches them first, then all production traffic moves at once and
   * the blue tasks stop after the bake time.
   */
  public static blueGreen(options: BlueGreenDeploymentOptions = {}): DeploymentStrategy {
    return DeploymentStrategy.ecsNative(ecs.DeploymentStrategy.BLUE_GREEN, options, undefined, undefined);
  }

  /**
   * An ECS-native canary deployment: like `blueGreen()`, but production traffic moves in two
   * steps, `canaryPercent` first and the rest after `canaryInterval`.
   */
  public static canary(options: CanaryDeploymentOptions = {}): DeploymentStrategy {
    return DeploymentStrategy.ecsNative(ecs.DeploymentStrategy.CANARY, options,
      options.canaryPercent ?? 10, options.canaryInterval ?? Duration.minutes(5));
  }

  /**
   * An ECS-native linear deployment: like `blueGreen()`, but production traffic moves
   * `stepPercent` at a time, one step every `stepInterval`.
   */
  public static linear(options: LinearDeploymentOptions = {}): DeploymentStrategy {
    return DeploymentStrategy.ecsNative(ecs.DeploymentStrategy.LINEAR, options,
      options.stepPercent ?? 10, options.stepInterval ?? Duration.minutes(1));
  }

  /**
   * A blue/green deployment run by AWS CodeDeploy: the service uses the CODE_DEPLOY deployment
   * controller and a CodeDeploy deployment group shifts traffic between two target groups,
   * rolling back automatically on failure, when stopped, or when a deployment alarm fires.
   */
  public static codeDeploy(options: CodeDeployDeploymentOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy({
      controller: ecs.DeploymentControllerType.CODE_DEPLOY,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      rollbackOnFailure: true,
      trafficShifting: options.trafficShifting ?? TrafficShifting.canary(),
      terminationWaitTime: options.terminationWaitTime ?? Duration.minutes(5),
      testListenerPort: options.testListenerPort ?? 8080,
    });
  }

  private static ecsNative(
    ecsStrategy: ecs.DeploymentStrategy,
    options: BlueGreenDeploymentOptions,
    stepPercent: number | undefined,
    stepInterval: Duration | undefined,
  ): DeploymentStrategy {
    return new DeploymentStrategy({
      controller: ecs.DeploymentControllerType.ECS,
      ecsStrategy,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      rollbackOnFailure: options.rollbackOnFailure ?? true,
      bakeTime: options.bakeTime ?? Duration.minutes(5),
      testListenerPort: options.testListenerPort ?? 8080,
      lifecycleHooks: options.lifecycleHooks ?? [],
      stepPercent,
      stepInterval,
    });
  }

  /**
   * Which deployment controller the ECS service uses.
   *
   * @internal
   */
  public readonly _controller: ecs.DeploymentControllerType;

  /**
   * The ECS deployment strategy, when the ECS controller deploys. Undefined for CodeDeploy.
   *
   * @internal
   */
  public readonly _ecsStrategy?: ecs.DeploymentStrategy;

  /** Lower limit on healthy tasks during a deployment, in percent of the desired count. */
  public readonly minHealthyPercent: number;

  /** Upper limit on running tasks during a deployment, in percent of the desired count. */
  public readonly maxHealthyPercent: number;

  /** Whether failed deployments roll back: by the circuit breaker (ECS) or by CodeDeploy. */
  public readonly rollbackOnFailure: boolean;

  /** How long blue and green run side by side after the traffic shift (ECS-native). Undefined otherwise. */
  public readonly bakeTime?: Duration;

  /** The canary percentage (canary) or step percentage (linear). Undefined otherwise. */
  public readonly stepPercent?: number;

  /** The wait after the canary step (canary) or between steps (linear). Undefined otherwise. */
  public readonly stepInterval?: Duration;

  /** The test listener's port. Undefined for rolling updates, which have no test listener. */
  public readonly testListenerPort?: number;

  /** ECS lifecycle hooks (ECS-native blue/green, canary and linear). */
  public readonly lifecycleHooks: ecs.IDeploymentLifecycleHookTarget[];

  /** CodeDeploy's traffic shifting. Undefined unless the controller is CODE_DEPLOY. */
  public readonly trafficShifting?: TrafficShifting;

  /** How long CodeDeploy keeps the blue tasks after the shift. Undefined unless the controller is CODE_DEPLOY. */
  public readonly terminationWaitTime?: Duration;

  private constructor(props: {
    controller: ecs.DeploymentControllerType;
    ecsStrategy?: ecs.DeploymentStrategy;
    minHealthyPercent: number;
    maxHealthyPercent: number;
    rollbackOnFailure: boolean;
    bakeTime?: Duration;
    stepPercent?: number;
    stepInterval?: Duration;
    testListenerPort?: number;
    lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];
    trafficShifting?: TrafficShifting;
    terminationWaitTime?: Duration;
  }) {
    this._controller = props.controller;
    this._ecsStrategy = props.ecsStrategy;
    this.minHealthyPercent = props.minHealthyPercent;
    this.maxHealthyPercent = props.maxHealthyPercent;
    this.rollbackOnFailure = props.rollbackOnFailure;
    this.bakeTime = props.bakeTime;
    this.stepPercent = props.stepPercent;
    this.stepInterval = props.stepInterval;
    this.testListenerPort = props.testListenerPort;
    this.lifecycleHooks = props.lifecycleHooks ?? [];
    this.trafficShifting = props.trafficShifting;
    this.terminationWaitTime = props.terminationWaitTime;
  }

  /**
   * Whether new versions start next to the running ones behind a second (green) target group:
   * true for every strategy except `rolling()`.
   *
   * @internal
   */
  public get _isBlueGreen(): boolean {
    return this._ecsStrategy !== ecs.DeploymentStrategy.ROLLING;
  }

  /**
   * Whether ECS moves production traffic by the weights of listener rules (ECS-native blue/green,
   * canary and linear), rather than the service registering in the listener's target group.
   *
   * @internal
   */
  public get _routesByListenerRules(): boolean {
    return this._isBlueGreen && this._controller === ecs.DeploymentControllerType.ECS;
  }

  /**
   * Checks this strategy against the service it deploys.
   *
   * @internal
   */
  public _validate(scope: Construct, r: ResolvedProps): void {
    checkRange(scope, 'deploymentStrategy minHealthyPercent', this.minHealthyPercent, 0, 100);
    checkRange(scope, 'deploymentStrategy maxHealthyPercent', this.maxHealthyPercent, 100, 200);
    if (this._controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      validateCodeDeploy(scope, r, this);
    } else if (this._isBlueGreen) {
      validateEcsBlueGreen(scope, r, this);
    } else {
      this.validateRollingProgress(scope, r);
    }
  }

  /**
   * A rolling update replaces tasks by stopping old ones (down to minHealthyPercent of the desired
   * count, rounded up) or starting new ones (up to maxHealthyPercent, rounded down) ("Amazon ECS
   * service definition parameters", deploymentConfiguration,
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html).
   * When the limits allow neither, the deployment never progresses: ECS waits, and a pipeline's
   * deploy action times out with a message about the timeout. The fewest tasks the service runs
   * (its desired count, or its scaling minimum) is where rounding bites hardest.
   */
  private validateRollingProgress(scope: Construct, r: ResolvedProps): void {
    const tasks = r.desiredCount ?? r.autoScaling?.minCapacity ?? 0;
    const [min, max] = [this.minHealthyPercent, this.maxHealthyPercent];
    if ([tasks, min, max].some(v => Token.isUnresolved(v)) || tasks < 1) {
      return;
    }
    const keep = Math.ceil(tasks * min / 100);
    const run = Math.floor(tasks * max / 100);
    if (keep < tasks || run > tasks) {
      return;
    }
    const countProp = r.desiredCount !== undefined ? 'desiredCount' : 'autoScaling.minCapacity';
    const raiseMax = Math.ceil(100 * (tasks + 1) / tasks);
    const lowerMin = Math.floor(100 * (tasks - 1) / tasks);
    fail(scope, `deploymentStrategy minHealthyPercent (${min}) and maxHealthyPercent (${max}) let a rolling update of ${tasks} task${tasks === 1 ? '' : 's'} (${countProp}) neither stop an old task (it must keep ${keep}) nor start a new one (it may run ${run}), so a deployment never progresses: raise maxHealthyPercent to ${raiseMax} or more, or lower minHealthyPercent to ${lowerMin} or less`);
  }

  /**
   * The ECS service settings of this strategy.
   *
   * @param pipelineImage whether the service's image comes from its pipeline
   * @internal
   */
  public _serviceOptions(pipelineImage: boolean): StrategyServiceOptions {
    const ecsController = this._controller === ecs.DeploymentControllerType.ECS;
    const steps = { stepPercent: this.stepPercent, stepBakeTime: this.stepInterval };
    return {
      deploymentController: { type: this._controller },
      minHealthyPercent: this.minHealthyPercent,
      maxHealthyPercent: this.maxHealthyPercent,
      circuitBreaker: ecsController ? { enable: true, rollback: this.rollbackOnFailure } : undefined,
      // A service its pipeline deploys runs the newest revision of its task definition family, which
      // is the pipeline's last one or the one CloudFormation registered last with the image the
      // pipeline deployed last; naming a revision would let an unrelated service update go back to
      // CloudFormation's older one. CodeDeploy services must name the family.
      taskDefinitionRevision: pipelineImage || !ecsController ? ecs.TaskDefinitionRevision.LATEST : undefined,
      deploymentStrategy: this._isBlueGreen ? this._ecsStrategy : undefined,
      bakeTime: this.bakeTime,
      canaryConfiguration: this._ecsStrategy === ecs.DeploymentStrategy.CANARY ? steps : undefined,
      linearConfiguration: this._ecsStrategy === ecs.DeploymentStrategy.LINEAR ? steps : undefined,
      lifecycleHooks: this.lifecycleHooks.length > 0 ? this.lifecycleHooks : undefined,
    };
  }

  /**
   * What the strategy adds to the created service.
   *
   * @internal
   */
  public _configureService(service: ecs.BaseService, task: ServiceTask): void {
    if (task.imageParameter && this._controller === ecs.DeploymentControllerType.ECS) {
      // The service names its family, so a revision CloudFormation registers (the task definition
      // changed in code) would not roll out by itself: its revision number starts a deployment.
      service.forceNewDeployment(Fn.select(6, Fn.split(':', task.taskDefinition.taskDefinitionArn)));
    }
  }

  /**
   * The resources that move traffic between blue and green. None for rolling updates.
   *
   * @internal
   */
  public _attachTraffic(scope: Construct, r: ResolvedProps, traffic: ProductionTraffic): BlueGreenResources {
    if (this._controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      return attachCodeDeploy(scope, r, traffic);
    }
    return this._isBlueGreen ? attachEcsBlueGreen(scope, r, traffic) : {};
  }

  /**
   * A short human-readable name for error messages, such as `canary (10 % for 5 min)`.
   *
   * @internal
   */
  public _describe(): string {
    if (this._controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      const t = this.trafficShifting!;
      const shift = t.type === TrafficShiftingType.ALL_AT_ONCE ? 'all at once'
        : `${t.type.toLowerCase()} ${t.percentage} % per ${minutes(t.interval)}`;
      return `codeDeploy (${shift})`;
    }
    switch (this._ecsStrategy) {
      case ecs.DeploymentStrategy.BLUE_GREEN: return 'blueGreen';
      case ecs.DeploymentStrategy.CANARY: return `canary (${this.stepPercent} % for ${minutes(this.stepInterval!)})`;
      case ecs.DeploymentStrategy.LINEAR: return `linear (${this.stepPercent} % every ${minutes(this.stepInterval!)})`;
      default: return 'rolling';
    }
  }
}

function minutes(d: Duration): string {
  return d.isUnresolved() ? 'a deploy-time interval' : `${d.toMinutes({ integral: false })} min`;
}
