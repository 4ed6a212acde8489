import { PhysicalName, Tokenization } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import type { IBaseInfra } from './base-infra';
import { checkEc2TaskFits, TaskSize } from './private/ec2-task-fit';
import { checkFargateSize, checkRange, fail } from './private/validation';

/** What both service kinds take. Only the EC2 one places tasks on instances. */
type ServiceOptions = ecs.BaseServiceOptions & Pick<ecs.FargateServiceProps, 'taskDefinition' | 'vpcSubnets' | 'assignPublicIp'>;

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
   * `onDemandBase` tasks on on-demand Fargate. Fargate Spot runs X86_64 and ARM64 (Graviton) tasks.
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
   *
   * @internal
   */
  public readonly _capacityProviderStrategies: ecs.CapacityProviderStrategy[];

  /** Whether tasks may run on Fargate Spot. */
  public readonly spot: boolean;

  /** How many tasks are kept on on-demand capacity when `spot` is true. */
  public readonly onDemandBase: number;

  /**
   * What the task definition must be compatible with: FARGATE, or EC2 for `ec2()`.
   *
   * @internal
   */
  public readonly _compatibility: ecs.Compatibility;

  /** The EC2 capacity provider. Undefined on Fargate, and for `ec2()` until bound to the infra's provider. */
  public readonly capacityProvider?: ecs.AsgCapacityProvider;

  /** How ECS chooses an instance for each task. Empty on Fargate, which places tasks itself. */
  public readonly placementStrategies: ecs.PlacementStrategy[];

  /** Rules an instance must satisfy to run a task. Empty on Fargate. */
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
    this._capacityProviderStrategies = props.strategies;
    this.onDemandBase = props.onDemandBase ?? 0;
    this.spot = props.spot ?? false;
    this._compatibility = props.compatibility ?? ecs.Compatibility.FARGATE;
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
    if (this._compatibility !== ecs.Compatibility.EC2 || this.capacityProvider) {
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

  /** @internal */
  public get _onEc2(): boolean {
    return this._compatibility === ecs.Compatibility.EC2;
  }

  /**
   * Checks that a task of this size can run on this capacity.
   *
   * @internal
   */
  public _validateTask(scope: IConstruct, infra: IBaseInfra, size: TaskSize): void {
    checkRange(scope, 'capacity.onDemandBase', this.onDemandBase, 0, 100000);
    if (this._onEc2) {
      // The instance type is known only for the infra's own capacity provider.
      checkEc2TaskFits(scope, size, this.capacityProvider === infra.ec2CapacityProvider ? infra.ec2InstanceType : undefined);
      return;
    }
    // Fargate Spot runs ARM64 tasks too: "FARGATE_SPOT supports Linux tasks with the ARM64
    // architecture on platform version 1.4.0 or later" (CapacityProviderStrategyItem,
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html),
    // and services run the LATEST platform version, 1.4.0.
    checkFargateSize(scope, size.cpu, size.memoryLimitMiB);
  }

  /**
   * The task definition for this capacity.
   *
   * @internal
   */
  public _createTaskDefinition(scope: Construct, id: string, size: TaskSize): ecs.TaskDefinition {
    if (!this._onEc2) {
      return new ecs.FargateTaskDefinition(scope, id, {
        cpu: size.cpu,
        memoryLimitMiB: size.memoryLimitMiB,
        runtimePlatform: { cpuArchitecture: size.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
    }
    // awsvpc gives each task its own network interface and security group, as on Fargate, so the
    // load balancer targets, Cloud Map records and `connections` work the same. CDK refuses a
    // runtime platform for EC2 tasks: the architecture is checked against the instance type.
    return new ecs.TaskDefinition(scope, id, {
      compatibility: ecs.Compatibility.EC2,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: Tokenization.stringifyNumber(size.cpu),
      memoryMiB: Tokenization.stringifyNumber(size.memoryLimitMiB),
    });
  }

  /**
   * The ECS service on this capacity.
   *
   * @internal
   */
  public _createService(scope: Construct, id: string, options: ServiceOptions): ecs.BaseService {
    const props = {
      ...options,
      capacityProviderStrategies: this._capacityProviderStrategies,
      // CloudFormation names the service, unless a stack in another account or region refers to it
      // (a ReleasePipeline's deploy action names it): then CDK writes a name it generates at synth
      // (PhysicalName.GENERATE_IF_NEEDED, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.PhysicalName.html).
      serviceName: PhysicalName.GENERATE_IF_NEEDED,
    };
    if (!this._onEc2) {
      return new ecs.FargateService(scope, id, props);
    }
    const service = new ecs.Ec2Service(scope, id, {
      ...props,
      // An empty list would still be written to the template; leaving it out says the same.
      placementStrategies: this.placementStrategies.length > 0 ? this.placementStrategies : undefined,
      placementConstraints: this.placementConstraints.length > 0 ? this.placementConstraints : undefined,
    });
    // A capacity provider strategy may only name providers already associated with the cluster,
    // and nothing else orders the service after the association, which the cluster creates.
    service.node.addDependency(options.cluster);
    return service;
  }
}
