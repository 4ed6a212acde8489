import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ServiceAutoScaling } from './auto-scaling-props';
import { IBaseInfra } from '../base-infra';
import { DeploymentStrategy } from '../deployment-strategy';
import { ServiceCapacity } from '../service-capacity';
import { ServiceImage } from '../service-image';

/**
 * Who can reach a MicroService's load balancer.
 */
export enum LoadBalancerType {
  /** An internet-facing Application Load Balancer in the public subnets. */
  PUBLIC = 'PUBLIC',
  /** An internal Application Load Balancer in the private subnets, reachable from the VPC. */
  INTERNAL = 'INTERNAL',
  /** No load balancer: the service is reached only through its Cloud Map name. */
  NONE = 'NONE',
}

/**
 * Properties of `MicroService`.
 */
export interface MicroServiceProps {
  /** The VPC, cluster and namespace to run in. */
  readonly infra: IBaseInfra;

  /**
   * The service's name: its Cloud Map name (`<serviceName>.<namespace>`), container name and log
   * stream prefix. A DNS label, unique within the namespace.
   */
  readonly serviceName: string;

  /** The container image. */
  readonly image: ServiceImage;

  /**
   * The port the container listens on.
   *
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * CPU units of the task (1024 = 1 vCPU). On Fargate: 256, 512, 1024, 2048, 4096, 8192 or
   * 16384. On EC2: 128 to 196608, and at most the instance type's vCPUs × 1024.
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Memory of the task in MiB. Fargate allows only certain values per `cpu`; on EC2 a task must
   * fit on one instance, with room left for the ECS agent and the OS.
   *
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * The CPU architecture of the tasks (and of images built from a local directory).
   *
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Where the tasks run: on-demand Fargate, Fargate Spot after an on-demand base, or EC2
   * container instances (`ServiceCapacity.ec2()`, with placement strategies and constraints).
   *
   * @default ServiceCapacity.fargate()
   */
  readonly capacity?: ServiceCapacity;

  /**
   * How many tasks run. Not combinable with `autoScaling`, whose `minCapacity` sets the count.
   *
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Environment variables of the container: plain configuration, stored in clear text in the
   * task definition and the template. Credentials go through `secrets`: a variable whose name
   * looks like a credential (PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL)
   * with a literal value, or a URL with a password in it (`scheme://user:password@host`), is
   * refused. Names ending in `_ARN`, `_NAME`, `_ID` or `_FILE` point at a secret and are allowed.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets injected as environment variables when a task starts, from SSM Parameter Store
   * (`ecs.Secret.fromSsmParameter`) or Secrets Manager (`ecs.Secret.fromSecretsManager`), such as
   * `{ DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(db.secret!, 'password') }` for one field
   * of an RDS-generated secret. Only the task's execution role can read them.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * A health check run inside the container. The image must have the command it uses.
   *
   * @default - none; the load balancer's health check decides
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * The user the container runs as: a name, a UID, or `user:group` with names or IDs, such as
   * `node` or `1000:1000`. Naming a non-root user here lets compliance checks (Control Tower
   * CT.ECS.PR.3) see it in the task definition.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Whether the container's root filesystem is read-only.
   *
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * How long the container's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * An existing ECR repository for the service's images, instead of creating one.
   *
   * @default - a repository with scan on push, immutable tags and a lifecycle rule keeping `maxImageCount` images
   */
  readonly repository?: ecr.IRepository;

  /**
   * How many images the created repository keeps besides the deployed ones. Older ones expire.
   * The images a pipeline deployed (tagged `deployed-<tag>` by its record step) are kept apart,
   * the newest `maxDeployedImageCount` of them, so a build that was never deployed cannot expire
   * the image the service runs or rolls back to.
   *
   * @default 30
   */
  readonly maxImageCount?: number;

  /**
   * How many of the images a pipeline deployed the created repository keeps: the running one and
   * those a rollback may return to.
   *
   * @default 10
   */
  readonly maxDeployedImageCount?: number;

  /**
   * What happens to the stateful resources (repository, log group, access-log bucket) when they
   * leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Who can reach the service through a load balancer.
   *
   * @default LoadBalancerType.INTERNAL
   */
  readonly loadBalancerType?: LoadBalancerType;

  /**
   * The load balancer's name. Names are unique per account and region and changing one replaces
   * the load balancer, so prefer the generated one.
   *
   * @default - generated by CloudFormation
   */
  readonly loadBalancerName?: string;

  /**
   * The listener's protocol. HTTPS needs `certificate`.
   *
   * @default - HTTPS when `certificate` is given, otherwise HTTP
   */
  readonly protocol?: elbv2.ApplicationProtocol;

  /**
   * The ACM certificate of an HTTPS listener.
   *
   * @default - none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The TLS policy of an HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2 only)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * The listener's port.
   *
   * @default - 443 for HTTPS, 80 for HTTP
   */
  readonly listenerPort?: number;

  /**
   * Whether an HTTPS load balancer also listens on port 80 and redirects to HTTPS.
   *
   * @default true
   */
  readonly redirectHttp?: boolean;

  /**
   * Whether the load balancer writes access logs to S3. Needs the stack's region
   * (`env: { region }`), because the log bucket's policy names the region's ELB account.
   *
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * The bucket for access logs, for example one the platform team shares between services. It
   * must use SSE-S3 encryption.
   *
   * @default - a bucket owned by the service: SSE-S3, SSL only, public access blocked, versioned, objects expire after 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * How long a new task takes from being started to answering its health check: image pull,
   * process start, warm-up. ECS ignores the load balancer's failed health checks for this long
   * (`healthCheckGracePeriod`), and a fast starter gets a shorter health-check interval.
   *
   * @default Duration.seconds(60)
   */
  readonly startupTime?: Duration;

  /**
   * The longest a request to this service takes. A stopping task gets this long to finish the
   * requests it is serving (`deregistrationDelay`); nothing waits longer than it must.
   *
   * @default Duration.seconds(20)
   */
  readonly longestRequest?: Duration;

  /**
   * The load balancer's health check of each task. Unset fields keep the defaults. A newly
   * registered target is healthy after one passing check (the healthy threshold applies to
   * targets recovering from unhealthy), so a rolling batch waits about one interval plus the
   * deregistration delay once its tasks run: 10 s + 20 s = 30 s with the defaults.
   *
   * @default - path '/', interval 5 s when `startupTime` is 30 s or less, otherwise 10 s; timeout 5 s (or less for shorter intervals), healthy and unhealthy threshold 2, codes 200-399
   */
  readonly targetHealthCheck?: elbv2.HealthCheck;

  /**
   * How long the load balancer lets in-flight requests finish on a task that is stopping.
   *
   * @default - `longestRequest`
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How long ECS ignores failed load-balancer health checks of a new task while it starts.
   *
   * @default - `startupTime`
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Whether the service also joins ECS Service Connect in the namespace, as a server reachable as
   * `http://<serviceName>:<containerPort>` from other Service Connect services (with retries and
   * metrics by the Service Connect proxy). The Cloud Map DNS name keeps working either way.
   *
   * @default false
   */
  readonly serviceConnect?: boolean;

  /**
   * Auto scaling of the task count.
   *
   * @default - a fixed `desiredCount`
   */
  readonly autoScaling?: ServiceAutoScaling;

  /**
   * How new versions replace running ones.
   *
   * @default DeploymentStrategy.rolling()
   */
  readonly deploymentStrategy?: DeploymentStrategy;

  /**
   * Whether the service gets alarms that roll a deployment back (ECS's rollback, or CodeDeploy's
   * with `DeploymentStrategy.codeDeploy()`): the share of 5xx answers above
   * `rollbackErrorRatePercent` for 2 minutes, and a target failing the load balancer's health
   * check for `startupTime` + 2 minutes, over both target groups of a blue/green strategy. They are
   * named `<stack>-<serviceName>-rollback-error-rate` and `-rollback-unhealthy-hosts`. Services
   * without a load balancer rely on the deployment circuit breaker.
   *
   * @default true
   */
  readonly rollbackAlarms?: boolean;

  /**
   * The share of requests answered 5xx (percent) above which a deployment rolls back.
   *
   * @default 5
   */
  readonly rollbackErrorRatePercent?: number;

  /**
   * Alarms that roll a deployment back when they fire while it runs (and, for blue/green
   * strategies, during the bake time). On the ECS controller their names must be known at synth
   * (set `alarmName`): an alarm on this service's metrics whose name is a token would make a
   * circular dependency. With `DeploymentStrategy.codeDeploy()` the CodeDeploy deployment group
   * watches them. More can be added with `addDeploymentAlarms()`.
   *
   * @default - none; the circuit breaker alone decides
   */
  readonly deploymentAlarms?: cloudwatch.IAlarm[];
}
