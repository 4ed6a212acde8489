import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DeploymentStrategy, ServiceCapacity, ServiceImage, WorkerService, WorkerServiceProps } from '../../src';
import { ec2Infra } from '../micro-service/builder';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

function create(props: Partial<WorkerServiceProps> = {}, stack: Stack = newStack()): WorkerService {
  return new WorkerService(stack, 'Thumbnails', {
    infra: importedInfra(stack),
    serviceName: 'thumbnails',
    image: IMAGE,
    processingTime: Duration.seconds(2),
    ...props,
  });
}

function build(props: Partial<WorkerServiceProps> = {}): { worker: WorkerService; template: Template } {
  const stack = newStack();
  const worker = create(props, stack);
  return { worker, template: Template.fromStack(stack) };
}

function scalingPolicy(template: Template): Record<string, any> {
  const policies = template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy', { Properties: { PolicyType: 'TargetTrackingScaling' } });
  return Object.values(policies)[0].Properties.TargetTrackingScalingPolicyConfiguration;
}

describe('defaults', () => {
  const { worker, template } = build();

  test('an encrypted, SSL-only queue: visibility 30 s (twice a 2 s processing time, at least 30 s), 4 days retention, 5 receives before the dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('the dead-letter queue keeps messages 14 days, encrypted', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600, RedrivePolicy: Match.absent() });
  });

  test('queues are retained when they leave the stack', () => {
    expect(Object.values(template.findResources('AWS::SQS::Queue')).map(q => q.DeletionPolicy)).toEqual(['Retain', 'Retain']);
  });

  test('the container gets the queue URL in QUEUE_URL and no port', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'thumbnails',
        Environment: [{ Name: 'QUEUE_URL', Value: { Ref: Match.stringLikeRegexp('^ThumbnailsQueue') } }],
        PortMappings: Match.absent(),
      })],
    });
  });

  test('the stop timeout is 30 s (processing time + 5 s, at least 30 s)', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ StopTimeout: 30 })] });
    expect(worker.stopTimeout.toSeconds()).toBe(30);
  });

  test('the task role may receive, delete and extend the visibility of the queue\'s messages', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbnailsQueue'), 'Arn'] },
        })]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('TaskRole') }],
    });
  });

  test('a Fargate service without load balancer or Cloud Map, rolled back by the circuit breaker', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::ServiceDiscovery::Service', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
      LoadBalancers: Match.absent(),
      ServiceRegistries: Match.absent(),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test('the task: 256 CPU units, 512 MiB, X86_64 on Fargate, logs kept a month, its own repository retained', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512', RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ ImageTagMutability: 'IMMUTABLE' }) });
  });

  test('scales from 1 to 10 tasks', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
  });

  test('target tracking on messages visible ÷ running tasks, target 5 min ÷ 2 s = 150', () => {
    const config = scalingPolicy(template);
    expect(config.TargetValue).toBe(150);
    expect(worker.backlogPerTaskTarget).toBe(150);
    expect(config.ScaleInCooldown).toBe(300);
    expect(config.ScaleOutCooldown).toBe(60);
    const [visible, running, expression] = config.CustomizedMetricSpecification.Metrics;
    expect(visible).toMatchObject({ Id: 'visible', ReturnData: false, MetricStat: { Stat: 'Sum', Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' } } });
    expect(running).toMatchObject({
      Id: 'running',
      ReturnData: false,
      MetricStat: { Stat: 'Average', Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [{ Name: 'ClusterName', Value: 'platform' }, { Name: 'ServiceName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^ThumbnailsService/), 'Name'] } }] } },
    });
    expect(expression).toEqual({ Id: 'backlogPerTask', Expression: 'visible / running', Label: 'Messages visible per running task', ReturnData: true });
  });

  test('no wake-up step policy while at least one task runs', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
  });

  test('alarms: a message in the dead-letter queue, the oldest message older than the acceptable latency for 2 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-thumbnails-dead-letters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbnailsDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-thumbnails-oldest-message-age',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  test('no deployment alarms unless asked', () => {
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.DeploymentConfiguration.Alarms).toBeUndefined();
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: { region: 'eu-west-1' } });
    create({ eventPattern: { source: ['sample.backend'] }, minCapacity: 0, image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/docker/library/busybox:stable' }) }, stack);
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('options', () => {
  test('latency and processing time set the target: 1 min ÷ 250 ms = 240', () => {
    const { template } = build({ processingTime: Duration.millis(250), acceptableLatency: Duration.minutes(1) });
    expect(scalingPolicy(template).TargetValue).toBe(240);
  });

  test('a long processing time lengthens visibility (2×) and stop timeout (+5 s)', () => {
    const { template } = build({ processingTime: Duration.seconds(90) });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ StopTimeout: 95 })] });
  });

  test('taskProtection lets a processing time beyond Fargate\'s 120 s stop timeout pass, with the stop timeout at 120 s', () => {
    const { template } = build({ processingTime: Duration.minutes(10), acceptableLatency: Duration.hours(1), taskProtection: true });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ StopTimeout: 120 })] });
  });

  test('minCapacity 0 adds a step policy that starts one task when messages wait and none runs', () => {
    const { template } = build({ minCapacity: 0, maxCapacity: 3 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)' })]),
    });
  });

  test('topics deliver raw messages to the queue', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Items');
    create({ topics: [topic] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true, TopicArn: { Ref: Match.stringLikeRegexp('^Items') } });
  });

  test('an event pattern sends matching events to the queue', () => {
    const { worker, template } = build({ eventPattern: { source: ['sample.backend'], detailType: ['ItemCreated'] } });
    expect(worker.eventRule).toBeInstanceOf(events.Rule);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['sample.backend'], 'detail-type': ['ItemCreated'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbnailsQueue'), 'Arn'] } })],
    });
  });

  test('a queue passed in is consumed as is; its dead-letter queue gets the alarm', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    const queue = new sqs.Queue(stack, 'Jobs', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
    const worker = create({ queue }, stack);
    expect(worker.queue).toBe(queue);
    expect(worker.deadLetterQueue).toBe(dlq);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-thumbnails-dead-letters', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'QueueName'] } }] });
  });

  test('a queue passed in without a dead-letter queue: no dead-letter alarm, and metricDeadLetterMessages() says why', () => {
    const stack = newStack();
    const worker = create({ queue: new sqs.Queue(stack, 'Jobs') }, stack);
    expect(worker.deadLetterAlarm).toBeUndefined();
    expect(() => worker.metricDeadLetterMessages()).toThrow(/metricDeadLetterMessages\(\) needs a dead-letter queue/);
  });

  test('on EC2 capacity, the stop timeout may exceed 120 s', () => {
    const stack = newStack();
    new WorkerService(stack, 'W', {
      infra: ec2Infra(stack),
      serviceName: 'batch',
      image: IMAGE,
      capacity: ServiceCapacity.ec2(),
      processingTime: Duration.minutes(3),
      acceptableLatency: Duration.hours(1),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EC2'], ContainerDefinitions: [Match.objectLike({ StopTimeout: 185 })] });
  });

  test('a pipeline image makes the service run the newest revision of its family, and a new revision roll out', () => {
    const { worker, template } = build({ image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/docker/library/busybox:stable' }) });
    expect(worker.imageParameter).toBeDefined();
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
    expect(service.TaskDefinition).toBe(worker.taskDefinition.family);
    expect(service.ForceNewDeployment.EnableForceNewDeployment).toBe(true);
  });

  test('its own alarms can roll a deployment back', () => {
    const stack = newStack();
    const worker = create({}, stack);
    worker.addDeploymentAlarms(worker.deadLetterAlarm!);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['Test-thumbnails-dead-letters'] } }),
    });
  });

  test('deploymentAlarms are watched by ECS', () => {
    const stack = newStack();
    const alarm = new cloudwatch.Alarm(stack, 'Errors', {
      alarmName: 'worker-errors', metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    create({ deploymentAlarms: [alarm] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['worker-errors'] } }) });
  });

  test('metrics name the queue and the service', () => {
    const { worker } = build();
    expect(worker.metricApproximateNumberOfMessagesNotVisible().metricName).toBe('ApproximateNumberOfMessagesNotVisible');
    expect(worker.metricApproximateAgeOfOldestMessage().metricName).toBe('ApproximateAgeOfOldestMessage');
    expect(worker.metricDeadLetterMessages().metricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(worker.metricRunningTaskCount().namespace).toBe('ECS/ContainerInsights');
  });

  test('it is a grantable principal: the task role', () => {
    const { worker } = build();
    expect(worker.grantPrincipal).toBe(worker.taskDefinition.taskRole);
  });
});

describe('fails when', () => {
  test.each<[string, Partial<WorkerServiceProps>, RegExp]>([
    ['acceptableLatency is shorter than processingTime', { processingTime: Duration.minutes(2), acceptableLatency: Duration.minutes(1) },
      /acceptableLatency \(60 s\) must be at least processingTime \(120 s\)/],
    ['processingTime is longer than 12 hours', { processingTime: Duration.hours(13), acceptableLatency: Duration.days(1), taskProtection: true },
      /processingTime \(46800 s\) must be more than 0 and at most 12 hours/],
    ['visibilityTimeout is shorter than processingTime', { processingTime: Duration.seconds(40), visibilityTimeout: Duration.seconds(30) },
      /visibilityTimeout \(30 s\) is shorter than processingTime \(40 s\)/],
    ['stopTimeout is shorter than processingTime without taskProtection', { processingTime: Duration.seconds(60), stopTimeout: Duration.seconds(30) },
      /stopTimeout \(30 s\) is shorter than processingTime \(60 s\).*set taskProtection to true/],
    ['processingTime exceeds Fargate\'s 120 s stop timeout without taskProtection', { processingTime: Duration.minutes(5), acceptableLatency: Duration.hours(1) },
      /stopTimeout \(120 s\) is shorter than processingTime \(300 s\).*at most 120 s on Fargate/],
    ['stopTimeout is above Fargate\'s 120 s', { stopTimeout: Duration.seconds(150) }, /stopTimeout \(150 s\) must be from 2 to 120 seconds/],
    ['minCapacity exceeds maxCapacity', { minCapacity: 5, maxCapacity: 2 }, /minCapacity \(5\) must not exceed maxCapacity \(2\)/],
    ['maxReceiveCount is 0', { maxReceiveCount: 0 }, /maxReceiveCount \(0\) must be a whole number from 1 to 1000/],
    ['retentionPeriod is above 14 days', { retentionPeriod: Duration.days(15) }, /retentionPeriod \(1296000 s\) must be from 60 to 1209600 seconds/],
    ['serviceName is not a DNS label', { serviceName: 'Thumb_nails' }, /serviceName \('Thumb_nails'\) must be a DNS label/],
    ['the strategy is blue/green', { deploymentStrategy: DeploymentStrategy.blueGreen() }, /a worker has no traffic to shift: use DeploymentStrategy.rolling\(\)/],
  ])('%s', (_name, props, message) => {
    expect(() => create(props)).toThrow(message);
  });

  test('queue settings are set with a queue passed in', () => {
    const stack = newStack();
    expect(() => create({ queue: new sqs.Queue(stack, 'Jobs'), maxReceiveCount: 3 }, stack)).toThrow(/maxReceiveCount is set but so is queue/);
  });

  test('the task does not fit Fargate', () => {
    expect(() => create({ cpu: 256, memoryLimitMiB: 4096 })).toThrow(/memoryLimitMiB \(4096\) is not allowed with cpu \(256\) on Fargate/);
  });

  test('a deployment alarm has no name known at synth', () => {
    const stack = newStack();
    const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    expect(() => create({ deploymentAlarms: [alarm] }, stack)).toThrow(/has no alarmName known at synth/);
  });
});

describe('accepts', () => {
  test('a processing time equal to the latency (target 1)', () => {
    const { template } = build({ processingTime: Duration.minutes(1), acceptableLatency: Duration.minutes(1) });
    expect(scalingPolicy(template).TargetValue).toBe(1);
  });

  test('a stop timeout equal to the processing time', () => {
    expect(() => create({ processingTime: Duration.seconds(60), stopTimeout: Duration.seconds(60) })).not.toThrow();
  });

  test('a visibility timeout equal to the processing time', () => {
    expect(() => create({ processingTime: Duration.seconds(40), visibilityTimeout: Duration.seconds(40) })).not.toThrow();
  });

  test('ARM64 on Fargate', () => {
    const { template } = build({ cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
  });
});
