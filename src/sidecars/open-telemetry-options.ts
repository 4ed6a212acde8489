import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The OTLP transport the application's OpenTelemetry SDK uses to reach the collector.
 */
export enum OtlpProtocol {
  /** OTLP over HTTP with protobuf bodies, to `http://localhost:4318`. */
  HTTP_PROTOBUF = 'http/protobuf',
  /** OTLP over gRPC, to `http://localhost:4317`. */
  GRPC = 'grpc',
}

/**
 * The AWS Distro for OpenTelemetry collector beside the application container.
 */
export interface OpenTelemetryOptions {
  /**
   * The log group the collector writes metrics to, as CloudWatch embedded metric format events
   * (CloudWatch extracts the metrics from them).
   *
   * @default - the service's log group, in streams named `otel-metrics/<task ID>`
   */
  readonly metricsLogGroup?: logs.ILogGroup;

  /**
   * The CloudWatch namespace of the metrics. Namespaces starting with `AWS/` are AWS's own.
   *
   * @default 'ECS/AWSOTel/Application'
   */
  readonly metricNamespace?: string;

  /**
   * The OTLP transport set in the application's `OTEL_EXPORTER_OTLP_PROTOCOL`, with the matching
   * `OTEL_EXPORTER_OTLP_ENDPOINT`. Variables of the same name in `environment` win.
   *
   * @default OtlpProtocol.HTTP_PROTOBUF
   */
  readonly protocol?: OtlpProtocol;

  /**
   * The collector's image.
   *
   * @default - `public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0`
   */
  readonly image?: ecs.ContainerImage;

  /**
   * The collector's container name.
   *
   * @default 'otel-collector'
   */
  readonly containerName?: string;

  /**
   * The collector's hard memory limit in MiB, out of the task's memory.
   *
   * @default 256
   */
  readonly memoryLimitMiB?: number;

  /**
   * CPU units reserved for the collector.
   *
   * @default - none reserved
   */
  readonly cpu?: number;
}
