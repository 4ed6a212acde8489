import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IBaseInfra } from './base-infra';
import { EfsVolume } from './efs-volume';
import { ServiceCapacity } from './service-capacity';
import { ServiceImage } from './service-image';
import { Sidecar } from './sidecars/sidecar';

/**
 * The task, its container, image repository and logs: what `WorkerService` and `ScheduledTask`
 * share with `MicroService`, with the same defaults.
 */
export interface ContainerTaskProps {
  /** The VPC, cluster and namespace to run in. */
  readonly infra: IBaseInfra;

  /**
   * The container image. `ServiceImage.fromPipeline()` lets a pipeline deploy it without drift.
   */
  readonly image: ServiceImage;

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
   * container instances (`ServiceCapacity.ec2()`).
   *
   * @default ServiceCapacity.fargate()
   */
  readonly capacity?: ServiceCapacity;

  /**
   * Environment variables of the container: plain configuration, stored in clear text in the
   * task definition and the template. A variable whose name looks like a credential with a
   * literal value is refused, as on `MicroService`: credentials go through `secrets`.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets injected as environment variables when a task starts, from SSM Parameter Store or
   * Secrets Manager. Only the task's execution role can read them.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * A health check run inside the container. The image must have the command it uses.
   *
   * @default - none; ECS restarts a task whose essential container exits
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * The user the container runs as: a name, a UID, or `user:group` with names or IDs, such as
   * `node` or `1000:1000`.
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
   * Whether people with `ecs:ExecuteCommand` on the tasks can run commands in the container
   * (`aws ecs execute-command`): a service's tasks, or a scheduled task's runs while they last.
   * Needs a BaseInfra with `executeCommand`, which logs every session; the task role gets only what
   * the container's SSM agent uses. Not combinable with `readonlyRootFilesystem`.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * Amazon EFS file systems the container mounts (`EfsVolume.create()` for a new one,
   * `EfsVolume.fromFileSystem()` to share one), each through an access point of its own with TLS
   * and IAM authorization.
   *
   * @default - none
   */
  readonly volumes?: EfsVolume[];

  /**
   * Containers beside the application container in every task: `Sidecar.fireLens()` (log routing
   * to CloudWatch Logs and S3), `Sidecar.openTelemetry()` (traces to X-Ray, metrics to CloudWatch)
   * or `Sidecar.container()`. Their memory comes out of `memoryLimitMiB`: the application container
   * keeps the rest, which must be at least half of it and at least 128 MiB.
   *
   * @default - none
   */
  readonly sidecars?: Sidecar[];

  /**
   * How long the container's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * An existing ECR repository for the images, instead of creating one.
   *
   * @default - a repository with scan on push, immutable tags and lifecycle rules keeping `maxImageCount` images and `maxDeployedImageCount` deployed ones
   */
  readonly repository?: ecr.IRepository;

  /**
   * How many images the created repository keeps besides the deployed ones. Older ones expire.
   *
   * @default 30
   */
  readonly maxImageCount?: number;

  /**
   * How many of the images a pipeline deployed (tagged `deployed-<tag>`) the created repository keeps.
   *
   * @default 10
   */
  readonly maxDeployedImageCount?: number;

  /**
   * What happens to the stateful resources when they leave the stack: the repository, the log group,
   * and what the construct owns besides (a service's access-log bucket, a worker's queues).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
