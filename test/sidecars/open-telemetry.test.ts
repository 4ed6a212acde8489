import { App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { parse } from 'yaml';
import { containers, iamFindings, roleStatements } from './helpers';
import { OtlpProtocol, Sidecar } from '../../src';
import { OTEL_COLLECTOR_IMAGE } from '../../src/private/otel-sidecar';
import { build, create } from '../micro-service/builder';
import { newStack } from '../util';
import { nagFindings } from '../validators';

/** The collector's configuration with the log group's reference in place of its name. */
function collectorConfig(container: any): any {
  const value = container.Environment.find((e: any) => e.Name === 'AOT_CONFIG_CONTENT').Value;
  const text = typeof value === 'string' ? value : value['Fn::Join'][1].map((p: any) => typeof p === 'string' ? p : `<${p.Ref}>`).join('');
  return parse(text);
}

describe('Sidecar.openTelemetry() with defaults', () => {
  const { stack, template } = build({ sidecars: [Sidecar.openTelemetry()] });
  const c = containers(template);

  test('adds an essential ADOT collector with its configuration in AOT_CONFIG_CONTENT and its own awslogs output', () => {
    expect(c['otel-collector']).toMatchObject({
      Name: 'otel-collector',
      Image: OTEL_COLLECTOR_IMAGE,
      Essential: true,
      Memory: 256,
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: 'OrdersLogs63C9E25A' }, 'awslogs-stream-prefix': 'otel-collector', 'awslogs-region': 'eu-west-1', 'mode': 'non-blocking' },
      },
    });
    expect(c['otel-collector'].Environment.map((e: any) => e.Name)).toEqual(['AOT_CONFIG_CONTENT']);
    expect(OTEL_COLLECTOR_IMAGE).toBe('public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0');
  });

  test('the configuration takes OTLP on loopback and sends traces to X-Ray and metrics as EMF to the service log group, one stream per task', () => {
    expect(collectorConfig(c['otel-collector'])).toEqual({
      extensions: { health_check: { endpoint: '127.0.0.1:13133' }, awsproxy: { endpoint: '127.0.0.1:2000' } },
      receivers: { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } } } },
      processors: {
        'resourcedetection': { detectors: ['env', 'ecs'] },
        'batch/traces': { timeout: '1s', send_batch_size: 50 },
        'batch/metrics': { timeout: '60s' },
      },
      exporters: {
        awsxray: null,
        awsemf: { namespace: 'ECS/AWSOTel/Application', log_group_name: '<OrdersLogs63C9E25A>', log_stream_name: 'otel-metrics/{TaskId}' },
      },
      service: {
        extensions: ['health_check', 'awsproxy'],
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['resourcedetection', 'batch/traces'], exporters: ['awsxray'] },
          metrics: { receivers: ['otlp'], processors: ['resourcedetection', 'batch/metrics'], exporters: ['awsemf'] },
        },
      },
    });
  });

  test('points the application at the collector over OTLP/HTTP and names its service', () => {
    expect(c.orders.Environment).toEqual([
      { Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: 'http://localhost:4318' },
      { Name: 'OTEL_EXPORTER_OTLP_PROTOCOL', Value: 'http/protobuf' },
      { Name: 'OTEL_SERVICE_NAME', Value: 'orders' },
    ]);
  });

  test('makes the application start after the collector, keeps awslogs for it, and takes the collector\'s memory out of the task', () => {
    expect(c.orders.DependsOn).toEqual([{ ContainerName: 'otel-collector', Condition: 'START' }]);
    expect(c.orders.LogConfiguration.LogDriver).toBe('awslogs');
    expect(c.orders.Memory).toBe(512 - 256);
  });

  test('gives the task role the X-Ray calls on * (they have no resource types) and the EMF writes on the log group only', () => {
    expect(roleStatements(template, 'OrdersTaskDefTaskRole')).toEqual([
      { Action: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Effect: 'Allow', Resource: '*' },
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['OrdersLogs63C9E25A', 'Arn'] } },
    ]);
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('fits the IAM model', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('Sidecar.openTelemetry() options', () => {
  test('gRPC, a metrics log group and namespace of the user\'s own', () => {
    const stack = newStack();
    const metrics = new logs.LogGroup(stack, 'Metrics');
    const { template } = build({ sidecars: [Sidecar.openTelemetry({ protocol: OtlpProtocol.GRPC, metricsLogGroup: metrics, metricNamespace: 'Orders/App' })] }, stack);
    const c = containers(template);
    expect(c.orders.Environment).toContainEqual({ Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: 'http://localhost:4317' });
    expect(c.orders.Environment).toContainEqual({ Name: 'OTEL_EXPORTER_OTLP_PROTOCOL', Value: 'grpc' });
    const metricsId = stack.getLogicalId(metrics.node.defaultChild as logs.CfnLogGroup);
    expect(collectorConfig(c['otel-collector']).exporters.awsemf).toEqual({ namespace: 'Orders/App', log_group_name: `<${metricsId}>`, log_stream_name: 'otel-metrics/{TaskId}' });
    expect(roleStatements(template, 'OrdersTaskDefTaskRole')[1].Resource).toEqual({ 'Fn::GetAtt': [metricsId, 'Arn'] });
  });

  test('the application\'s own OTEL_ variables win', () => {
    const { template } = build({ environment: { OTEL_SERVICE_NAME: 'orders-api', LOG_LEVEL: 'info' }, sidecars: [Sidecar.openTelemetry()] });
    const env = containers(template).orders.Environment;
    expect(env).toContainEqual({ Name: 'OTEL_SERVICE_NAME', Value: 'orders-api' });
    expect(env.filter((e: any) => e.Name === 'OTEL_SERVICE_NAME')).toHaveLength(1);
    expect(env).toContainEqual({ Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: 'http://localhost:4318' });
  });
});

describe('Sidecar.openTelemetry() fails when', () => {
  test.each(['AWS/ECS', ':metrics', 'has space', 'x'.repeat(256)])('the metric namespace is %s', namespace => {
    expect(() => create({ sidecars: [Sidecar.openTelemetry({ metricNamespace: namespace })] }))
      .toThrow(/sidecars\[0\]\.metricNamespace \('.*'\) must be 1-255 letters, digits and \. - _ \/ # :, not start with ':' nor 'AWS\/' \(AWS's own namespaces\): use one such as 'Orders\/App'/);
  });

  test.each([4317, 4318, 2000, 13133])('the application listens on the collector\'s port %d', port => {
    expect(() => create({ containerPort: port, sidecars: [Sidecar.openTelemetry()] }))
      .toThrow(new RegExp(`sidecars\\[0\\] \\('otel-collector'\\) listens on port ${port}, as does the application container \\(containerPort ${port}\\)`));
  });
});

describe('Sidecar.openTelemetry() accepts', () => {
  test('a namespace with every allowed special character', () => {
    expect(() => create({ sidecars: [Sidecar.openTelemetry({ metricNamespace: 'Orders/App-1_x.y#z:w' })] })).not.toThrow();
  });
});
