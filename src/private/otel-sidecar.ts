import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { acknowledgeWildcards } from './iam-findings';
import { SidecarImpl, sidecarLogging } from './sidecar-plan';
import { fail } from './validation';
import { OtlpProtocol } from '../sidecars/open-telemetry-options';
import type { OpenTelemetryOptions } from '../sidecars/open-telemetry-options';

/**
 * The newest AWS Distro for OpenTelemetry collector release (docs/releases/v0.49.0.md in
 * https://github.com/aws-observability/aws-otel-collector), pinned so a task never changes
 * collector by itself.
 */
export const OTEL_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';

/** The OTLP receivers' ports (gRPC, HTTP) and the X-Ray sampling proxy's. */
const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const XRAY_PROXY_PORT = 2000;
/** The health_check extension's port. */
const HEALTH_PORT = 13133;

/**
 * The collector's configuration, passed in `AOT_CONFIG_CONTENT` (the collector reads its
 * configuration from that variable when it is set: pkg/config/config_factory.go; "Using custom
 * OpenTelemetry configuration", https://aws-otel.github.io/docs/setup/ecs/config-through-ssm).
 * It is the image's /etc/ecs/ecs-default-config.yaml (OTLP in, traces to X-Ray, metrics to EMF)
 * with the receivers on loopback — the application is in the same network namespace, and nothing
 * outside the task should reach them — the metrics in the given log group, one stream per task
 * (awsemf's `{TaskId}`, filled in by the ecs resource detector), and the awsproxy extension so
 * SDKs' X-Ray remote sampling (http://localhost:2000) reaches X-Ray signed with the task role.
 */
export function collectorConfig(logGroupName: string, namespace: string): string {
  return [
    'extensions:',
    '  health_check:',
    `    endpoint: 127.0.0.1:${HEALTH_PORT}`,
    '  awsproxy:',
    `    endpoint: 127.0.0.1:${XRAY_PROXY_PORT}`,
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      grpc:',
    `        endpoint: 127.0.0.1:${OTLP_GRPC_PORT}`,
    '      http:',
    `        endpoint: 127.0.0.1:${OTLP_HTTP_PORT}`,
    'processors:',
    '  resourcedetection:',
    '    detectors: [env, ecs]',
    '  batch/traces:',
    '    timeout: 1s',
    '    send_batch_size: 50',
    '  batch/metrics:',
    '    timeout: 60s',
    'exporters:',
    '  awsxray:',
    '  awsemf:',
    `    namespace: '${namespace}'`,
    `    log_group_name: '${logGroupName}'`,
    "    log_stream_name: 'otel-metrics/{TaskId}'",
    'service:',
    '  extensions: [health_check, awsproxy]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [resourcedetection, batch/traces]',
    '      exporters: [awsxray]',
    '    metrics:',
    '      receivers: [otlp]',
    '      processors: [resourcedetection, batch/metrics]',
    '      exporters: [awsemf]',
    '',
  ].join('\n');
}

export function openTelemetrySidecar(options: OpenTelemetryOptions): SidecarImpl {
  const containerName = options.containerName ?? 'otel-collector';
  const memoryLimitMiB = options.memoryLimitMiB ?? 256;
  const namespace = options.metricNamespace ?? 'ECS/AWSOTel/Application';
  const protocol = options.protocol ?? OtlpProtocol.HTTP_PROTOBUF;
  return {
    containerName,
    memoryLimitMiB,
    cpu: options.cpu,
    // As in ADOT's ECS task definitions ("Setting up ADOT Collector in ECS",
    // https://aws-otel.github.io/docs/setup/ecs): without the collector the telemetry is lost.
    essential: true,
    appStartCondition: ecs.ContainerDependencyCondition.START,
    hasHealthCheck: false,
    ports: [OTLP_GRPC_PORT, OTLP_HTTP_PORT, XRAY_PROXY_PORT, HEALTH_PORT],
    routesLogs: false,
    setsEnvironment: true,
    validate(scope, prop) {
      // "Namespaces ... must not start with AWS/" and fit 1-255 characters of the names' set
      // (PutMetricData, Namespace, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
      if (!Token.isUnresolved(namespace) && (!/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(namespace) || namespace.startsWith('AWS/') || namespace.startsWith(':'))) {
        fail(scope, `${prop}.metricNamespace ('${namespace}') must be 1-255 letters, digits and . - _ / # :, not start with ':' nor 'AWS/' (AWS's own namespaces): use one such as 'Orders/App'`);
      }
    },
    addTo(_scope, ctx, app) {
      const logGroup = options.metricsLogGroup ?? ctx.logGroup;
      const collector = ctx.taskDefinition.addContainer(`Sidecar-${containerName}`, {
        containerName,
        image: options.image ?? ecs.ContainerImage.fromRegistry(OTEL_COLLECTOR_IMAGE),
        memoryLimitMiB,
        cpu: options.cpu,
        essential: true,
        environment: { AOT_CONFIG_CONTENT: collectorConfig(logGroup.logGroupName, namespace) },
        logging: sidecarLogging(ctx, containerName),
      });
      const port = protocol === OtlpProtocol.GRPC ? OTLP_GRPC_PORT : OTLP_HTTP_PORT;
      const env: Record<string, string> = {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_SERVICE_NAME: ctx.appName,
      };
      for (const [name, value] of Object.entries(env)) {
        if (!(name in ctx.appEnvironment)) {
          app.addEnvironment(name, value);
        }
      }
      grantTelemetry(ctx.taskDefinition, logGroup);
      return collector;
    },
  };
}

/**
 * The awsxray exporter's PutTraceSegments, the sampling calls awsproxy forwards, and awsemf's
 * CreateLogStream and PutLogEvents on the existing group (internal/aws/cwlogs in
 * opentelemetry-collector-contrib: CreateLogGroup only when the group is missing). X-Ray's
 * actions have no resource types ("Actions, resources, and condition keys for AWS X-Ray",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html), so
 * they are granted on `*`; PutTelemetryRecords is left out, as awsxray's telemetry is off unless
 * configured. ADOT's own ECS policy lists these actions among others
 * (https://aws-otel.github.io/docs/setup/ecs/create-iam-policy).
 */
function grantTelemetry(taskDefinition: ecs.TaskDefinition, logGroup: logs.ILogGroup): void {
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  }));
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  acknowledgeWildcards(taskDefinition.taskRole, ['Resource::*'],
    'The OpenTelemetry collector: xray:PutTraceSegments, GetSamplingRules and GetSamplingTargets support no resource-level permissions; its metrics go to one log group only.');
}
