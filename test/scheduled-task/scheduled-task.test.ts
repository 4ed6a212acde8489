import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduledTask, ScheduledTaskProps, ServiceCapacity, ServiceImage } from '../../src';
import { ec2Infra } from '../micro-service/builder';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const IMAGE = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/docker/library/busybox:stable' });
const NIGHTLY = scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN });

function create(props: Partial<ScheduledTaskProps> = {}, stack: Stack = newStack()): ScheduledTask {
  return new ScheduledTask(stack, 'Nightly', { infra: importedInfra(stack), taskName: 'nightly', image: IMAGE, schedule: NIGHTLY, ...props });
}

function build(props: Partial<ScheduledTaskProps> = {}): { task: ScheduledTask; template: Template } {
  const stack = newStack();
  const task = create(props, stack);
  return { task, template: Template.fromStack(stack) };
}

function scheduleProps(template: Template): Record<string, any> {
  return Object.values(template.findResources('AWS::Scheduler::Schedule'))[0].Properties;
}

describe('defaults', () => {
  const { task, template } = build();
  const schedule = scheduleProps(template);

  test('runs on the cron expression in its time zone, at the exact time, enabled', () => {
    expect(schedule.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Europe/Berlin');
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule.State).toBe('ENABLED');
  });

  test('runs one task of the newest revision of its family (no revision in the ARN), in the private subnets, in group scheduled:<taskName>', () => {
    const ecs = schedule.Target.EcsParameters;
    expect(JSON.stringify(ecs.TaskDefinitionArn)).toMatch(new RegExp(`:task-definition/${task.taskDefinition.family}"\\]\\]\\}$`));
    expect(ecs.TaskCount).toBe(1);
    expect(ecs.Group).toBe('scheduled:nightly');
    expect(ecs.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);
    expect(ecs.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      AssignPublicIp: 'DISABLED',
      Subnets: ['subnet-priv1', 'subnet-priv2'],
      SecurityGroups: [{ 'Fn::GetAtt': [expect.stringMatching(/^NightlySecurityGroup/), 'GroupId'] }],
    });
  });

  test('retries a run that fails to start 3 times within 1 hour, then sends it to the dead-letter queue', () => {
    expect(schedule.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(schedule.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^NightlyDeadLetterQueue/);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('the scheduler role runs revisions of this family in this cluster only, passes the task\'s roles to ECS tasks only, and sends to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^NightlySchedulerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecs:RunTask', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${task.taskDefinition.family}:*`, Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } } }),
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
          Match.objectLike({ Action: 'ecs:TagResource', Resource: 'arn:*:ecs:eu-west-1:*:task/*', Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } } }),
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) }),
        ]),
      },
    });
  });

  test('a failed run (stopped with a non-zero exit code, or failed to start) sends its event to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': {
          clusterArn: Match.anyValue(),
          group: ['scheduled:nightly'],
          lastStatus: ['STOPPED'],
          $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyDeadLetterQueue'), 'Arn'] } })],
    });
  });

  test('an alarm fires on every failed run: a message sent to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-nightly-failed',
      MetricName: 'NumberOfMessagesSent',
      Namespace: 'AWS/SQS',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('a run is stopped after 1 hour: a state machine started when the run is RUNNING waits, then calls StopTask', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    const definition = JSON.stringify(machine.DefinitionString);
    expect(definition).toContain('\\"Seconds\\":3600');
    expect(definition).toContain('aws-sdk:ecs:stopTask');
    expect(definition).toContain('\\"Task.$\\":\\"$.detail.taskArn\\"');
    expect(machine.LoggingConfiguration.Level).toBe('ALL');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ group: ['scheduled:nightly'], lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] }) }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^NightlyRunTimeLimitStateMachine') } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ecs:StopTask', Resource: 'arn:*:ecs:eu-west-1:*:task/*', Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } } })]) },
    });
  });

  test('the task: 256 CPU units, 512 MiB on Fargate, logs kept a month, its own repository and queue retained', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512', RequiresCompatibilities: ['FARGATE'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
  });

  test('the container is named after the task and has no port', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Name: 'nightly', PortMappings: Match.absent() })] });
  });

  test('a pipeline image: the parameter exists for the pipeline to record into', () => {
    expect(task.imageParameter).toBeDefined();
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: { region: 'eu-west-1' } });
    create({}, stack);
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('options', () => {
  test('a flexible window, retries, event age, max run time and a disabled schedule', () => {
    const { template } = build({
      flexibleTimeWindow: Duration.minutes(15), retryAttempts: 0, maxEventAge: Duration.minutes(10), maxRunTime: Duration.minutes(20), enabled: false,
    });
    const schedule = scheduleProps(template);
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    expect(schedule.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 });
    expect(schedule.State).toBe('DISABLED');
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    expect(JSON.stringify(machine.DefinitionString)).toContain('\\"Seconds\\":1200');
  });

  test('a rate schedule, in UTC unless the expression has a time zone', () => {
    const { template } = build({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)) });
    expect(scheduleProps(template).ScheduleExpression).toBe('rate(6 hours)');
    expect(scheduleProps(template).ScheduleExpressionTimezone).toBe('Etc/UTC');
  });

  test('EC2 capacity: the infra\'s capacity provider and placement strategies', () => {
    const stack = newStack();
    new ScheduledTask(stack, 'Batch', { infra: ec2Infra(stack), taskName: 'batch', image: IMAGE, schedule: NIGHTLY, capacity: ServiceCapacity.ec2() });
    const ecs = scheduleProps(Template.fromStack(stack)).Target.EcsParameters;
    expect(ecs.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: expect.stringMatching(/^PlatformEc2CapacityProvider/) }, Weight: 1 }]);
    expect(ecs.PlacementStrategy).toEqual([{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'binpack', Field: 'MEMORY' }]);
  });

  test('warns when a run may outlast the interval of a rate schedule', () => {
    const stack = newStack();
    create({ schedule: scheduler.ScheduleExpression.rate(Duration.minutes(30)) }, stack);
    Annotations.fromStack(stack).hasWarning('/Test/Nightly', Match.stringLikeRegexp('maxRunTime \\(3600 s\\) is longer than the schedule\'s interval \\(1800 s\\)'));
  });

  test('metrics: failed runs and runs started', () => {
    const { task } = build();
    expect(task.metricFailedRuns().metricName).toBe('NumberOfMessagesSent');
    expect(task.metricRunsStarted().metricName).toBe('ExecutionsStarted');
  });
});

describe('fails when', () => {
  test.each<[string, Partial<ScheduledTaskProps>, RegExp]>([
    ['the cron expression has six fields but both day fields set', { schedule: scheduler.ScheduleExpression.expression('cron(0 3 1 * MON *)') }, /schedule \('cron\(0 3 1 \* MON \*\)'\)/],
    ['the expression is neither rate nor cron', { schedule: scheduler.ScheduleExpression.expression('every day') }, /schedule \('every day'\) is not rate\(...\), cron\(...\)/],
    ['the flexible window is not whole minutes', { flexibleTimeWindow: Duration.seconds(90) }, /flexibleTimeWindow \(1.5 min\) must be a whole number of minutes from 1 to 1440/],
    ['retryAttempts is above 185', { retryAttempts: 200 }, /retryAttempts \(200\) must be a whole number from 0 to 185/],
    ['maxEventAge is below 1 minute', { maxEventAge: Duration.seconds(30) }, /maxEventAge \(30 s\) must be from 60 to 86400 seconds/],
    ['maxRunTime is below 1 minute', { maxRunTime: Duration.seconds(30) }, /maxRunTime \(30 s\) must be from 60 to 604800 seconds/],
    ['taskName is not a DNS label', { taskName: 'Nightly Report' }, /taskName \('Nightly Report'\) must be a DNS label/],
    ['the task does not fit Fargate', { cpu: 256, memoryLimitMiB: 8192 }, /memoryLimitMiB \(8192\) is not allowed with cpu \(256\) on Fargate/],
  ])('%s', (_name, props, message) => {
    expect(() => create(props)).toThrow(message);
  });
});

describe('accepts', () => {
  test('a cron expression with ? in the day-of-week field', () => {
    expect(() => create({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 1 * ? *)') })).not.toThrow();
  });

  test('a registry image (no pipeline)', () => {
    const { task } = build({ image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
    expect(task.imageParameter).toBeUndefined();
  });
});
