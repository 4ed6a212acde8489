import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { LoadBalancerType, MicroServiceProps } from './props';
import { DeploymentStrategy } from '../deployment-strategy';
import { ServiceCapacity } from '../service-capacity';

/**
 * Every default of a MicroService, worked out once: the feature modules read these and never
 * `props.x ?? default` again, so no two places can disagree on a default.
 */
export interface ResolvedProps {
  readonly props: MicroServiceProps;
  readonly containerPort: number;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  /** The capacity, with the infra's EC2 capacity provider filled in. */
  readonly capacity: ServiceCapacity;
  readonly onEc2: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly strategy: DeploymentStrategy;
  /** The fixed task count. Undefined with auto scaling, so a deploy never resets the scaled count. */
  readonly desiredCount?: number;
  /** How long the load balancer lets in-flight requests finish on a task that is stopping. */
  readonly deregistrationDelay: Duration;
  /** How long a new task takes to answer its health check. */
  readonly startupTime: Duration;
  readonly loadBalancer?: ResolvedLoadBalancer;
  readonly autoScaling?: ResolvedAutoScaling;
}

/** The load balancer's settings, present unless `loadBalancerType` is NONE. */
export interface ResolvedLoadBalancer {
  readonly internetFacing: boolean;
  readonly protocol: elbv2.ApplicationProtocol;
  readonly https: boolean;
  readonly listenerPort: number;
  /** Whether port 80 redirects to HTTPS. */
  readonly redirect: boolean;
  readonly sslPolicy?: elbv2.SslPolicy;
  readonly accessLogs: boolean;
  readonly healthCheck: elbv2.HealthCheck;
  readonly healthCheckGracePeriod: Duration;
}

/** Auto scaling with its defaults. */
export interface ResolvedAutoScaling {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
  readonly cpuStep?: { readonly scaleOutAbove: number; readonly scaleInBelow: number; readonly tasksPerStep: number };
}

const DEFAULT_STARTUP_TIME = Duration.seconds(60);
const DEFAULT_LONGEST_REQUEST = Duration.seconds(20);

export function resolveProps(scope: Construct, props: MicroServiceProps): ResolvedProps {
  const capacity = (props.capacity ?? ServiceCapacity.fargate())._bind(scope, props.infra);
  const startupTime = props.startupTime ?? DEFAULT_STARTUP_TIME;
  const scaling = props.autoScaling;
  const step = scaling?.cpuStepScaling;
  return {
    props,
    containerPort: props.containerPort ?? 8080,
    cpu: props.cpu ?? 256,
    memoryLimitMiB: props.memoryLimitMiB ?? 512,
    cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
    capacity,
    onEc2: capacity._onEc2,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    strategy: props.deploymentStrategy ?? DeploymentStrategy.rolling(),
    desiredCount: scaling ? undefined : props.desiredCount ?? 2,
    deregistrationDelay: props.deregistrationDelay ?? props.longestRequest ?? DEFAULT_LONGEST_REQUEST,
    startupTime,
    loadBalancer: (props.loadBalancerType ?? LoadBalancerType.INTERNAL) === LoadBalancerType.NONE
      ? undefined
      : resolveLoadBalancer(props, startupTime),
    autoScaling: scaling && {
      minCapacity: scaling.minCapacity ?? 2,
      maxCapacity: scaling.maxCapacity,
      scaleInCooldown: scaling.scaleInCooldown ?? Duration.minutes(5),
      scaleOutCooldown: scaling.scaleOutCooldown ?? Duration.minutes(1),
      cpuStep: step && { scaleOutAbove: step.scaleOutAbove ?? 70, scaleInBelow: step.scaleInBelow ?? 30, tasksPerStep: step.tasksPerStep ?? 1 },
    },
  };
}

function resolveLoadBalancer(props: MicroServiceProps, startupTime: Duration): ResolvedLoadBalancer {
  const secure = props.certificate !== undefined || props.domainName !== undefined;
  const protocol = props.protocol ?? (secure ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP);
  const https = protocol === elbv2.ApplicationProtocol.HTTPS;
  // A task that starts fast is worth checking more often: it then joins (and a batch ends) sooner.
  const fastStart = !startupTime.isUnresolved() && startupTime.toSeconds({ integral: false }) <= 30;
  const interval = props.targetHealthCheck?.interval ?? Duration.seconds(fastStart ? 5 : 10);
  return {
    internetFacing: props.loadBalancerType === LoadBalancerType.PUBLIC,
    protocol,
    https,
    listenerPort: props.listenerPort ?? (https ? 443 : 80),
    redirect: https && (props.redirectHttp ?? true),
    sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    accessLogs: props.accessLogs ?? true,
    healthCheck: {
      path: '/',
      interval,
      // The timeout must be shorter than the interval; 5 s unless the interval is shorter still.
      timeout: Duration.seconds(interval.isUnresolved() ? 5 : Math.max(2, Math.min(5, Math.floor(interval.toSeconds({ integral: false })) - 1))),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      healthyHttpCodes: '200-399',
      ...props.targetHealthCheck,
    },
    healthCheckGracePeriod: props.healthCheckGracePeriod ?? startupTime,
  };
}
