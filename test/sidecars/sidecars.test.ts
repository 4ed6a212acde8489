import { App, Duration, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { containers, roleStatements } from './helpers';
import { ScheduledTask, ServiceCapacity, ServiceImage, Sidecar, SidecarContainerOptions, WorkerService } from '../../src';
import { build, buildOnEc2, create, createOnEc2, ec2Infra } from '../micro-service/builder';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const PROXY = ecs.ContainerImage.fromRegistry('public.ecr.aws/envoyproxy/envoy:v1.31.0');

function proxy(options: Partial<SidecarContainerOptions> = {}): Sidecar {
  return Sidecar.container({ containerName: 'proxy', image: PROXY, memoryLimitMiB: 64, ...options });
}

describe('Sidecar.container()', () => {
  const { stack, template } = build({ sidecars: [proxy({ ports: [9901], environment: { ENVOY_UID: '0' }, command: ['envoy', '-c', '/etc/envoy.yaml'] })] });
  const c = containers(template);

  test('adds an essential container with its image, memory, ports, command, environment and awslogs output', () => {
    expect(c.proxy).toEqual({
      Name: 'proxy',
      Image: 'public.ecr.aws/envoyproxy/envoy:v1.31.0',
      Essential: true,
      Memory: 64,
      Command: ['envoy', '-c', '/etc/envoy.yaml'],
      Environment: [{ Name: 'ENVOY_UID', Value: '0' }],
      PortMappings: [{ ContainerPort: 9901, Protocol: 'tcp' }],
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': { Ref: 'OrdersLogs63C9E25A' }, 'awslogs-stream-prefix': 'proxy', 'awslogs-region': 'eu-west-1', 'mode': 'non-blocking' },
      },
    });
  });

  test('gives the application container the task memory less the sidecar\'s, and no dependency unless asked', () => {
    expect(c.orders.Memory).toBe(512 - 64);
    expect(c.orders.DependsOn).toBeUndefined();
    expect(c.orders.LogConfiguration.LogDriver).toBe('awslogs');
  });

  test('keeps the application container first (the load balancer\'s target) and the task size the task\'s', () => {
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    expect(td.Properties.ContainerDefinitions.map((x: any) => x.Name)).toEqual(['orders', 'proxy']);
    expect(td.Properties).toMatchObject({ Cpu: '256', Memory: '512' });
    template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [{ ContainerName: 'orders', ContainerPort: 8080 }] });
  });

  test('grants the task role nothing', () => {
    expect(roleStatements(template, 'OrdersTaskDefTaskRole')).toEqual([]);
  });

  test('leaves no unacknowledged cdk-nag finding (its environment acknowledged with the reason)', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('a start condition, a health check and CPU', () => {
    const { template: t } = build({
      sidecars: [proxy({ cpu: 128, appStartCondition: ecs.ContainerDependencyCondition.HEALTHY, healthCheck: { command: ['CMD', '/ready'] } })],
    });
    const cs = containers(t);
    expect(cs.orders.DependsOn).toEqual([{ ContainerName: 'proxy', Condition: 'HEALTHY' }]);
    expect(cs.proxy).toMatchObject({ Cpu: 128, HealthCheck: { Command: ['CMD', '/ready'] } });
  });

  test('a container the application waits to exit is not essential by default', () => {
    const { template: t } = build({ sidecars: [proxy({ containerName: 'migrate', appStartCondition: ecs.ContainerDependencyCondition.SUCCESS })] });
    const cs = containers(t);
    expect(cs.migrate.Essential).toBe(false);
    expect(cs.orders.DependsOn).toEqual([{ ContainerName: 'migrate', Condition: 'SUCCESS' }]);
  });

  test('essential false is kept', () => {
    expect(containers(build({ sidecars: [proxy({ essential: false })] }).template).proxy.Essential).toBe(false);
  });
});

describe('sidecars with both built-ins and one of the user\'s own', () => {
  test('carve 128 + 256 + 64 MiB out of a 1024 MiB task, in the order given, the application waiting for the routers it needs', () => {
    const { template } = build({ memoryLimitMiB: 1024, sidecars: [Sidecar.fireLens(), Sidecar.openTelemetry(), proxy()] });
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    expect(td.Properties.ContainerDefinitions.map((x: any) => [x.Name, x.Memory])).toEqual([['orders', 1024 - 448], ['log-router', 128], ['otel-collector', 256], ['proxy', 64]]);
    expect(containers(template).orders.DependsOn).toEqual([
      { ContainerName: 'log-router', Condition: 'START' },
      { ContainerName: 'otel-collector', Condition: 'START' },
    ]);
  });
});

describe('sidecars fail when', () => {
  test('they leave the application container less than half of the task\'s memory', () => {
    expect(() => create({ sidecars: [Sidecar.fireLens(), Sidecar.openTelemetry()] }))
      .toThrow(/Test\/Orders: sidecars take 384 MiB of the task's memoryLimitMiB \(512: 'log-router' 128, 'otel-collector' 256\), leaving the application container 128 MiB; it keeps at least half of the task's memory and at least 128 MiB: raise memoryLimitMiB to 768 or more \(a size your capacity allows\), or lower the sidecars' memoryLimitMiB/);
  });

  test('they leave the application container less than 128 MiB of a small EC2 task', () => {
    expect(() => createOnEc2({ memoryLimitMiB: 200, sidecars: [proxy({ memoryLimitMiB: 80 })] }))
      .toThrow(/sidecars take 80 MiB of the task's memoryLimitMiB \(200: 'proxy' 80\), leaving the application container 120 MiB; it keeps at least half of the task's memory and at least 128 MiB: raise memoryLimitMiB to 208 or more/);
  });

  test('they reserve more than half of the task\'s CPU', () => {
    expect(() => create({ sidecars: [proxy({ cpu: 200 })] }))
      .toThrow(/sidecars reserve 200 CPU units of the task's cpu \(256\); the application container keeps at least half: raise cpu to 400 or more, or lower the sidecars' cpu/);
  });

  test('a sidecar\'s memory is below Docker\'s minimum or above the task\'s', () => {
    expect(() => create({ sidecars: [proxy({ memoryLimitMiB: 4 })] })).toThrow(/sidecars\[0\]\.memoryLimitMiB \(4\) must be a whole number from 6 to 512: a hard limit of at least 6 MiB \(Docker's minimum\) and at most the task's memoryLimitMiB/);
    expect(() => create({ sidecars: [proxy({ memoryLimitMiB: 600 })] })).toThrow(/sidecars\[0\]\.memoryLimitMiB \(600\) must be a whole number from 6 to 512/);
  });

  test('a size is a token', () => {
    expect(() => create({ sidecars: [proxy({ memoryLimitMiB: Token.asNumber({ Ref: 'Size' }) })] }))
      .toThrow(/sidecars need the task's memoryLimitMiB and cpu and the sidecars' memoryLimitMiB and cpu known at synth/);
  });

  test('a name is not a container name', () => {
    expect(() => create({ sidecars: [proxy({ containerName: 'my proxy' })] }))
      .toThrow(/sidecars\[0\]\.containerName \('my proxy'\) must be 1-255 letters, digits, hyphens and underscores/);
  });

  test('a name is the application container\'s', () => {
    expect(() => create({ sidecars: [proxy({ containerName: 'orders' })] }))
      .toThrow(/sidecars\[0\]\.containerName \('orders'\) is the application container's name \(the service's name\): give the sidecar another name/);
  });

  test('two sidecars have one name', () => {
    expect(() => create({ sidecars: [proxy(), Sidecar.openTelemetry({ containerName: 'proxy' })] }))
      .toThrow(/sidecars\[1\]\.containerName \('proxy'\) is also the name of sidecars\[0\]: container names are unique in a task/);
  });

  test('a sidecar listens on the application\'s port', () => {
    expect(() => create({ sidecars: [proxy({ ports: [8080] })] }))
      .toThrow(/sidecars\[0\] \('proxy'\) listens on port 8080, as does the application container \(containerPort 8080\): the containers of a task share its network namespace, so a port has one listener; change one of them/);
  });

  test('two sidecars listen on one port', () => {
    expect(() => create({ memoryLimitMiB: 1024, sidecars: [Sidecar.openTelemetry(), proxy({ ports: [4317] })] }))
      .toThrow(/sidecars\[1\] \('proxy'\) listens on port 4317, as does sidecars\[0\] \('otel-collector'\)/);
  });

  test('a port is not a TCP port', () => {
    expect(() => create({ sidecars: [proxy({ ports: [70000] })] })).toThrow(/sidecars\[0\]\.ports \(70000\) must be a whole number from 1 to 65535/);
  });

  test('the application waits for HEALTHY from a sidecar without a health check', () => {
    expect(() => create({ sidecars: [proxy({ appStartCondition: ecs.ContainerDependencyCondition.HEALTHY })] }))
      .toThrow(/sidecars\[0\]\.appStartCondition is HEALTHY but 'proxy' has no healthCheck, so it never reports healthy and the application container never starts: add a healthCheck, or wait for START/);
  });

  test.each([ecs.ContainerDependencyCondition.COMPLETE, ecs.ContainerDependencyCondition.SUCCESS])('the application waits for an essential sidecar to %s', condition => {
    expect(() => create({ sidecars: [proxy({ appStartCondition: condition, essential: true })] }))
      .toThrow(new RegExp(`sidecars\\[0\\]\\.appStartCondition is ${condition} but 'proxy' is essential: a container the application waits to exit would stop the task when it exits; set essential to false`));
  });
});

describe('sidecars accept', () => {
  test('sidecars taking exactly half of the task\'s memory and CPU', () => {
    const { template } = build({ sidecars: [proxy({ memoryLimitMiB: 256, cpu: 128 })] });
    expect(containers(template).orders.Memory).toBe(256);
  });

  test('a 128 MiB application container in a 256 MiB EC2 task', () => {
    const { template } = buildOnEc2({ memoryLimitMiB: 256, sidecars: [proxy({ memoryLimitMiB: 128 })] });
    expect(containers(template).web.Memory).toBe(128);
  });

  test('a sidecar port that is not the application\'s', () => {
    expect(() => create({ sidecars: [proxy({ ports: [9901] })] })).not.toThrow();
  });
});

describe('sidecars on EC2 capacity', () => {
  test('carve the same share out of an EC2 task, which keeps its size', () => {
    const { template } = buildOnEc2({ memoryLimitMiB: 1024, sidecars: [Sidecar.fireLens(), Sidecar.openTelemetry()] });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EC2'], NetworkMode: 'awsvpc', Cpu: '256', Memory: '1024' });
    const c = containers(template);
    expect([c.web.Memory, c['log-router'].Memory, c['otel-collector'].Memory]).toEqual([640, 128, 256]);
    expect(c.web.LogConfiguration.LogDriver).toBe('awsfirelens');
  });
});

describe('sidecars on a WorkerService and a ScheduledTask', () => {
  test('a worker routes its logs through FireLens and keeps its queue variables', () => {
    const stack = newStack();
    new WorkerService(stack, 'Thumbnails', {
      infra: importedInfra(stack),
      serviceName: 'thumbnails',
      image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
      processingTime: Duration.seconds(2),
      memoryLimitMiB: 1024,
      sidecars: [Sidecar.fireLens(), Sidecar.openTelemetry()],
    });
    const template = Template.fromStack(stack);
    const c = containers(template);
    expect(c.thumbnails.LogConfiguration.Options).toMatchObject({ Name: 'cloudwatch_logs', log_stream_prefix: 'thumbnails/' });
    expect(c.thumbnails.Memory).toBe(640);
    const names = c.thumbnails.Environment.map((e: any) => e.Name);
    expect(names).toEqual(expect.arrayContaining(['QUEUE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']));
    expect(roleStatements(template, 'ThumbnailsTaskDefTaskRole').map(s => s.Action)).toEqual(expect.arrayContaining([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    ]));
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('a scheduled task names its OpenTelemetry service after the task and waits for its collector', () => {
    const stack = newStack();
    new ScheduledTask(stack, 'Nightly', {
      infra: importedInfra(stack),
      taskName: 'nightly',
      image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      sidecars: [Sidecar.openTelemetry()],
    });
    const template = Template.fromStack(stack);
    const c = containers(template);
    expect(c.nightly.Environment).toContainEqual({ Name: 'OTEL_SERVICE_NAME', Value: 'nightly' });
    expect(c.nightly.DependsOn).toEqual([{ ContainerName: 'otel-collector', Condition: 'START' }]);
    expect(c.nightly.Memory).toBe(256);
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('a scheduled task on EC2 capacity', () => {
    const stack = newStack();
    new ScheduledTask(stack, 'Batch', {
      infra: ec2Infra(stack, ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE)),
      taskName: 'batch',
      image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      capacity: ServiceCapacity.ec2(),
      sidecars: [Sidecar.fireLens()],
    });
    const c = containers(Template.fromStack(stack));
    expect([c.batch.Memory, c['log-router'].Memory]).toEqual([384, 128]);
  });
});
