import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FireLensOptions } from './firelens-options';
import { OpenTelemetryOptions } from './open-telemetry-options';
import { fireLensSidecar } from '../private/firelens-sidecar';
import { openTelemetrySidecar } from '../private/otel-sidecar';
import { containerSidecar } from '../private/sidecar-container';
import { SidecarImpl } from '../private/sidecar-plan';

/**
 * A container of your own beside the application container.
 */
export interface SidecarContainerOptions {
  /**
   * The container's name in the task: 1-255 letters, digits, hyphens and underscores, unique in
   * the task and not the application container's name (the service's name).
   */
  readonly containerName: string;

  /** The container image. */
  readonly image: ecs.ContainerImage;

  /**
   * The container's hard memory limit in MiB, taken out of the task's `memoryLimitMiB`: the
   * application container gets what the sidecars leave.
   */
  readonly memoryLimitMiB: number;

  /**
   * CPU units reserved for the container (1024 = 1 vCPU), out of the task's `cpu`.
   *
   * @default - none reserved; the container shares the task's CPU with the others
   */
  readonly cpu?: number;

  /**
   * Whether the task stops when this container stops. A container the application waits for
   * with `COMPLETE` or `SUCCESS` exits by design, so it must not be essential.
   *
   * @default - true, unless `appStartCondition` is `COMPLETE` or `SUCCESS`
   */
  readonly essential?: boolean;

  /**
   * What the application container waits for before it starts: this container started
   * (`START`), reported healthy (`HEALTHY`, which needs `healthCheck`), or exited (`COMPLETE`),
   * with code 0 (`SUCCESS`).
   *
   * @default - the application container does not wait for this one
   */
  readonly appStartCondition?: ecs.ContainerDependencyCondition;

  /**
   * A health check run inside the container. The image must have the command it uses.
   *
   * @default - none
   */
  readonly healthCheck?: ecs.HealthCheck;

  /**
   * The TCP ports the container listens on. The containers of a task share its network (awsvpc),
   * so each port may have one listener: the application's `containerPort` and the other
   * sidecars' ports must differ.
   *
   * @default - none
   */
  readonly ports?: number[];

  /**
   * The command the container runs, instead of the image's.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * Environment variables of the container: plain configuration, in clear text in the template.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets injected as environment variables when the task starts, read by the execution role.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * Where the container's output goes.
   *
   * @default - the service's log group, streams prefixed with `containerName`
   */
  readonly logging?: ecs.LogDriver;
}

/**
 * A container that runs beside the application container in every task of a `MicroService`,
 * `WorkerService` or `ScheduledTask` (`sidecars` prop), with memory and CPU out of the task's.
 *
 * The application container keeps at least half of the task's memory, and at least 128 MiB.
 * Sidecars reserve at most half of its CPU. Find a sidecar's container with
 * `taskDefinition.findContainer(sidecar.containerName)`.
 */
export class Sidecar {
  /**
   * A container of your own: a proxy, an agent, a job that prepares files before the application
   * starts.
   */
  public static container(options: SidecarContainerOptions): Sidecar {
    return new Sidecar(containerSidecar(options));
  }

  /**
   * A FireLens log router (AWS for Fluent Bit from ECR Public): the application container's
   * output goes to CloudWatch Logs through it, and to S3 as well when `s3` is given.
   */
  public static fireLens(options: FireLensOptions = {}): Sidecar {
    return new Sidecar(fireLensSidecar(options));
  }

  /**
   * The AWS Distro for OpenTelemetry collector: the application sends OTLP to it on localhost
   * (the `OTEL_EXPORTER_OTLP_*` variables are set), traces go to AWS X-Ray and metrics to
   * CloudWatch as embedded metric format logs.
   */
  public static openTelemetry(options: OpenTelemetryOptions = {}): Sidecar {
    return new Sidecar(openTelemetrySidecar(options));
  }

  /** The container's name in the task. */
  public readonly containerName: string;

  /** The container's hard memory limit in MiB, out of the task's memory. */
  public readonly memoryLimitMiB: number;

  /** @internal */
  public readonly _impl: SidecarImpl;

  private constructor(impl: SidecarImpl) {
    this._impl = impl;
    this.containerName = impl.containerName;
    this.memoryLimitMiB = impl.memoryLimitMiB;
  }
}
