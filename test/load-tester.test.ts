import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BaseInfra, IBaseInfra, LoadBalancerType, LoadTester, LoadTesterProps, LoadTestTarget, LoadTestTrigger, MicroService,
  ServiceCapacity, ServiceImage,
} from '../src';
import { importedInfra, newStack } from './util';
import { LOAD_TEST_METRICS, LOAD_TEST_NAMESPACE } from '../src/private/load-test-metrics';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');
const SCRIPT = fs.readFileSync(path.join(__dirname, '..', 'assets', 'load-tester', 'run.sh'), 'utf8');

interface Fixture {
  readonly stack: Stack;
  readonly infra: IBaseInfra;
  readonly backend: MicroService;
}

function fixture(loadBalancerType = LoadBalancerType.INTERNAL): Fixture {
  const stack = newStack();
  const infra = importedInfra(stack);
  const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: IMAGE, loadBalancerType });
  return { stack, infra, backend };
}

function tester(props: Partial<LoadTesterProps> = {}, f: Fixture = fixture()): LoadTester {
  return new LoadTester(f.stack, 'Tester', { infra: f.infra, targets: [LoadTestTarget.cloudMap(f.backend)], ...props });
}

function envOf(template: Template): Record<string, unknown> {
  const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
    .find((t: any) => t.Properties.ContainerDefinitions[0].Name === 'load-tester') as any;
  return Object.fromEntries(taskDef.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
}

describe('LoadTester with defaults, against a service through its internal ALB and its Cloud Map name', () => {
  const f = fixture();
  const alb = LoadTestTarget.loadBalancer(f.backend, { path: '/items' });
  const cloudMap = LoadTestTarget.cloudMap(f.backend, { path: '/items?limit=10' });
  const lt = new LoadTester(f.stack, 'Tester', { infra: f.infra, targets: [alb, cloudMap], loadTesterName: 'orders-load' });
  const template = Template.fromStack(f.stack);
  const env = envOf(template);

  test('runs the repository\'s script in the httpd image from ECR Public, as nobody, on a read-only root filesystem', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        Name: 'load-tester',
        Image: 'public.ecr.aws/docker/library/httpd:2.4',
        EntryPoint: ['/bin/sh', '-c'],
        Command: ['script="$(printf \'%s\' "$LT_SCRIPT" | base64 -d)" && exec /bin/sh -c "$script"'],
        User: '65534:65534',
        ReadonlyRootFilesystem: true,
        Essential: true,
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-stream-prefix': 'load-tester', 'mode': 'blocking' }),
        },
      })],
    });
  });

  test('carries the script base64-encoded in LT_SCRIPT, so no shell expansion of it is in the template', () => {
    expect(Buffer.from(env.LT_SCRIPT as string, 'base64').toString('utf8')).toBe(SCRIPT);
    expect(env.LT_SCRIPT).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('configures bounded runs: 1000 requests, 10 at a time, at most 60 s per target, 10 s per response, once per task', () => {
    expect(env).toMatchObject({
      LT_REQUESTS: '1000',
      LT_CONCURRENCY: '10',
      LT_TIME_LIMIT: '60',
      LT_REQUEST_TIMEOUT: '10',
      LT_MODE: 'once',
      LT_TESTER: 'orders-load',
    });
  });

  test('targets the load balancer URL and the Cloud Map name, each with its path', () => {
    const targets = f.stack.resolve(env.LT_TARGETS);
    expect(JSON.stringify(targets)).toContain('backend-alb=http://');
    expect(JSON.stringify(targets)).toContain('/items backend-cloudmap=http://backend.svc.internal:8080/items?limit=10');
    expect(alb.url).toBe(`${f.backend.url}/items`);
    expect(cloudMap.url).toBe('http://backend.svc.internal:8080/items?limit=10');
    expect(lt.targets).toEqual([alb, cloudMap]);
  });

  test('hands the script the namespace, dimensions and metric names the metric methods use', () => {
    expect(env).toMatchObject({
      LT_NAMESPACE: LOAD_TEST_NAMESPACE,
      LT_TESTER_DIMENSION: 'LoadTester',
      LT_TARGET_DIMENSION: 'Target',
    });
    for (const metric of Object.values(LOAD_TEST_METRICS)) {
      expect(env[metric.env]).toBe(metric.name);
    }
  });

  test('an hourly EventBridge rule starts one task on Fargate Spot in the private subnets, without a public IP', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [{
        Id: 'Target0',
        Arn: Match.anyValue(),
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TesterScheduleRole'), 'Arn'] },
        EcsParameters: {
          TaskCount: 1,
          TaskDefinitionArn: { Ref: Match.stringLikeRegexp('TesterTaskDef') },
          CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
          NetworkConfiguration: {
            AwsVpcConfiguration: {
              AssignPublicIp: 'DISABLED',
              Subnets: ['subnet-priv1', 'subnet-priv2'],
              SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('TesterSecurityGroup'), 'GroupId'] }],
            },
          },
        },
      }],
    });
    // A capacity-provider strategy and a launch type exclude each other in RunTask.
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as any;
    expect(rule.Properties.Targets[0].EcsParameters.LaunchType).toBeUndefined();
    template.resourceCountIs('AWS::ECS::Service', 1);
    expect(lt.rule).toBeDefined();
    expect(lt.service).toBeUndefined();
  });

  test('EventBridge may only run this task definition and pass its two roles to ECS', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('TesterScheduleRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('TesterTaskDefTaskRole'), 'Arn'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('TesterTaskDefExecutionRole'), 'Arn'] },
            ],
          },
          { Action: 'ecs:RunTask', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('TesterTaskDef') } },
        ],
      },
    });
  });

  test('opens egress only for HTTPS (image pull, logs) and to the targets, which admit the tester by security group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load tester orders-load',
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    const testerSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('TesterSecurityGroup'), 'GroupId'] };
    const albSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendLoadBalancerSecurityGroup'), 'GroupId'] };
    const serviceSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendServiceSecurityGroup'), 'GroupId'] };
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: testerSg, DestinationSecurityGroupId: albSg, FromPort: 80, ToPort: 80 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: albSg, SourceSecurityGroupId: testerSg, FromPort: 80, ToPort: 80 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: testerSg, DestinationSecurityGroupId: serviceSg, FromPort: 8080, ToPort: 8080 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: serviceSg, SourceSecurityGroupId: testerSg, FromPort: 8080, ToPort: 8080 });
    expect(lt.connections.securityGroups).toEqual([lt.securityGroup]);
  });

  test('keeps the results for a month in a retained log group', () => {
    const groups = template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    expect(Object.keys(groups).filter(k => k.startsWith('Tester'))).toHaveLength(1);
  });

  test('metric methods use the namespace, dimensions and names the script emits', () => {
    const check = (metric: cloudwatch.Metric, name: string, statistic: string) => {
      expect(metric.namespace).toBe(LOAD_TEST_NAMESPACE);
      expect(metric.metricName).toBe(name);
      expect(metric.dimensions).toEqual({ LoadTester: 'orders-load', Target: 'backend-cloudmap' });
      expect(metric.statistic).toBe(statistic);
      expect(metric.period.toMinutes()).toBe(5);
    };
    check(lt.metricRequestsPerSecond(cloudMap), 'RequestsPerSecond', 'Average');
    check(lt.metricLatencyP50(cloudMap), 'LatencyP50', 'Average');
    check(lt.metricLatencyP90(cloudMap), 'LatencyP90', 'Average');
    check(lt.metricLatencyP99(cloudMap), 'LatencyP99', 'Average');
    check(lt.metricCompletedRequests(cloudMap), 'CompletedRequests', 'Sum');
    check(lt.metricFailedRequests(cloudMap), 'FailedRequests', 'Sum');
    check(lt.metricNon2xxResponses(cloudMap), 'Non2xxResponses', 'Sum');
    check(lt.metricFailedRuns(cloudMap), 'FailedRuns', 'Sum');
    expect(lt.metricLatencyP99(alb, { statistic: 'Maximum', period: Duration.minutes(1) })).toMatchObject({ statistic: 'Maximum', dimensions: { Target: 'backend-alb' } });
  });

  test('the task definition stays far below the 64 KiB ECS limit', () => {
    const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
      .find((t: any) => t.Properties.ContainerDefinitions[0].Name === 'load-tester');
    expect(JSON.stringify(taskDef).length).toBeLessThan(16 * 1024);
  });
});

describe('LoadTester options', () => {
  test('continuous: an ECS service keeps one tester running on Fargate Spot, replacing it rather than doubling it', () => {
    const f = fixture();
    const lt = tester({ trigger: LoadTestTrigger.continuous({ pauseBetweenRuns: Duration.seconds(30) }) }, f);
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      TaskDefinition: { Ref: Match.stringLikeRegexp('TesterTaskDef') },
      DesiredCount: 1,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED', Subnets: ['subnet-priv1', 'subnet-priv2'] }) },
    });
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(envOf(template)).toMatchObject({ LT_MODE: 'loop', LT_PAUSE: '30' });
    expect(lt.service).toBeDefined();
    expect(lt.rule).toBeUndefined();
  });

  test('continuous pauses a minute between rounds by default', () => {
    const f = fixture();
    tester({ trigger: LoadTestTrigger.continuous() }, f);
    expect(envOf(Template.fromStack(f.stack))).toMatchObject({ LT_MODE: 'loop', LT_PAUSE: '60' });
  });

  test('enabled: false disables the rule of a scheduled tester', () => {
    const f = fixture();
    tester({ enabled: false, trigger: LoadTestTrigger.onSchedule(events.Schedule.cron({ minute: '0', hour: '3' })) }, f);
    Template.fromStack(f.stack).hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED', ScheduleExpression: 'cron(0 3 * * ? *)' });
  });

  test('enabled: false sets a continuous tester\'s desired count to 0', () => {
    const f = fixture();
    tester({ enabled: false, trigger: LoadTestTrigger.continuous() }, f);
    Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::Service', { TaskDefinition: { Ref: Match.stringLikeRegexp('TesterTaskDef') }, DesiredCount: 0 });
  });

  test('bounds, size, capacity, image, name and removal policy are configurable', () => {
    const f = fixture();
    tester({
      requests: 200,
      concurrency: 20,
      timeLimit: Duration.seconds(30),
      requestTimeout: Duration.seconds(5),
      cpu: 512,
      memoryLimitMiB: 1024,
      capacity: ServiceCapacity.fargate(),
      loadTesterName: 'nightly',
      image: ServiceImage.fromRegistry('example.com/tools/ab:1'),
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: 7,
    }, f);
    const template = Template.fromStack(f.stack);
    expect(envOf(template)).toMatchObject({ LT_REQUESTS: '200', LT_CONCURRENCY: '20', LT_TIME_LIMIT: '30', LT_REQUEST_TIMEOUT: '5', LT_TESTER: 'nightly' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512', Memory: '1024', ContainerDefinitions: [Match.objectLike({ Name: 'load-tester', Image: 'example.com/tools/ab:1' })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] }) })],
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 7 }, DeletionPolicy: 'Delete' });
  });

  test('the default tester name is the construct\'s unique ID', () => {
    const lt = tester();
    expect(lt.loadTesterName).toMatch(/^TestTester[0-9A-F]{8}$/);
  });

  test('a public load balancer is reached through the NAT gateway, so egress opens to any address on the listener port', () => {
    const f = fixture(LoadBalancerType.PUBLIC);
    tester({ targets: [LoadTestTarget.loadBalancer(f.backend)] }, f);
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Load tester'),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })]),
    });
    const fromTester = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TesterSecurityGroup'), 'GroupId'] } },
    });
    expect(Object.keys(fromTester)).toHaveLength(0);
  });

  test('a round longer than the schedule\'s interval is flagged, since runs would overlap', () => {
    const f = fixture();
    tester({
      targets: [LoadTestTarget.cloudMap(f.backend), LoadTestTarget.loadBalancer(f.backend)],
      timeLimit: Duration.minutes(10),
      trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.minutes(15))),
    }, f);
    Annotations.fromStack(f.stack).hasWarning('/Test/Tester', Match.stringLikeRegexp('a round of runs can take 1220 s .* every 900 s, so runs can overlap'));
  });

  test('a cron schedule is accepted and not compared with the round', () => {
    const f = fixture();
    tester({ timeLimit: Duration.minutes(10), trigger: LoadTestTrigger.onSchedule(events.Schedule.cron({ minute: '59', hour: '3' })) }, f);
    Annotations.fromStack(f.stack).hasNoWarning('*', Match.stringLikeRegexp('overlap'));
  });

  test('a round that fits its schedule is not flagged', () => {
    const f = fixture();
    tester({ trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.minutes(5))) }, f);
    Annotations.fromStack(f.stack).hasNoWarning('*', Match.stringLikeRegexp('overlap'));
  });
});

describe('LoadTester in its own stack', () => {
  const app = new App();
  const env = { region: 'eu-west-1' };
  const infraStack = new Stack(app, 'Infra', { env });
  const infra = new BaseInfra(infraStack, 'Infra', { natGateways: 1 });
  const serviceStack = new Stack(app, 'Backend', { env });
  const backend = new MicroService(serviceStack, 'Backend', { infra, serviceName: 'backend', image: IMAGE });
  const worker = new MicroService(serviceStack, 'Worker', { infra, serviceName: 'worker', image: IMAGE, loadBalancerType: LoadBalancerType.NONE });
  const testerStack = new Stack(app, 'LoadTest', { env });
  new LoadTester(testerStack, 'Tester', {
    infra,
    targets: [LoadTestTarget.loadBalancer(backend, { path: '/items' }), LoadTestTarget.cloudMap(backend, { path: '/items' })],
  });
  new LoadTester(testerStack, 'Continuous', { infra, targets: [LoadTestTarget.cloudMap(worker)], trigger: LoadTestTrigger.continuous() });
  const assembly = app.synth();

  test('keeps the security-group rules in the tester\'s stack, so the service stack never depends on it', () => {
    expect(serviceStack.dependencies.map(s => s.stackName)).toEqual(['Infra']);
    expect(testerStack.dependencies.map(s => s.stackName).sort()).toEqual(['Backend', 'Infra']);
    const testerTemplate = Template.fromStack(testerStack);
    expect(Object.keys(testerTemplate.findResources('AWS::EC2::SecurityGroupIngress'))).toHaveLength(3);
    expect(Object.keys(Template.fromStack(serviceStack).findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { SourceSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('LoadTest') } },
    }))).toHaveLength(0);
    expect(assembly.stacks.map(s => s.stackName).sort()).toEqual(['Backend', 'Infra', 'LoadTest']);
  });

  test('cdk-nag (AwsSolutions) finds nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
  });
});

describe('LoadTester fails', () => {
  test('fails when the capacity is EC2', () => {
    expect(() => tester({ capacity: ServiceCapacity.ec2() })).toThrow(/capacity must be ServiceCapacity.fargate\(\) or ServiceCapacity.fargateSpot\(\): the load tester runs on Fargate/);
  });

  test('fails when targets is empty', () => {
    expect(() => tester({ targets: [] })).toThrow(/targets is empty: pass at least one target/);
  });

  test('fails when two targets have the same name', () => {
    const f = fixture();
    expect(() => tester({ targets: [LoadTestTarget.cloudMap(f.backend), LoadTestTarget.loadBalancer(f.backend, { name: 'backend-cloudmap' })] }, f))
      .toThrow(/two targets are named 'backend-cloudmap': give each a unique name/);
  });

  test('fails when a target name is not a dimension-safe word', () => {
    const f = fixture();
    expect(() => LoadTestTarget.cloudMap(f.backend, { name: 'my target' })).toThrow(/load test target name \('my target'\) must be 1-128 letters, digits/);
  });

  test('fails when a target path does not start with a slash', () => {
    const f = fixture();
    expect(() => LoadTestTarget.cloudMap(f.backend, { path: 'items' })).toThrow(/load test target path \('items'\) must start with '\/'/);
  });

  test('fails when a load-balancer target has no load balancer', () => {
    const f = fixture(LoadBalancerType.NONE);
    expect(() => LoadTestTarget.loadBalancer(f.backend)).toThrow(/Test\/Backend: LoadTestTarget.loadBalancer\(\) needs a load balancer, but loadBalancerType is NONE: use LoadTestTarget.cloudMap/);
  });

  test('fails when loadTesterName is not a dimension-safe word', () => {
    expect(() => tester({ loadTesterName: 'load/test' })).toThrow(/loadTesterName \('load\/test'\) must be 1-128 letters/);
  });

  test('fails when requests is out of range', () => {
    expect(() => tester({ requests: 0 })).toThrow(/requests \(0\) must be a whole number from 1 to 1000000/);
  });

  test('fails when requests is only known at deploy time', () => {
    expect(() => tester({ requests: Lazy.number({ produce: () => 5 }) })).toThrow(/requests must be known at synth/);
  });

  test('fails when concurrency is out of range', () => {
    expect(() => tester({ concurrency: 20001, requests: 100000 })).toThrow(/concurrency \(20001\) must be a whole number from 1 to 20000/);
  });

  test('fails when concurrency exceeds requests', () => {
    expect(() => tester({ requests: 5, concurrency: 10 })).toThrow(/concurrency \(10\) must not exceed requests \(5\)/);
  });

  test('fails when timeLimit is only known at deploy time', () => {
    expect(() => tester({ timeLimit: Duration.seconds(Lazy.number({ produce: () => 30 })) })).toThrow(/timeLimit must be known at synth: the script receives it as a number/);
  });

  test('fails when timeLimit is not whole seconds', () => {
    expect(() => tester({ timeLimit: Duration.millis(1500) })).toThrow(/timeLimit \(1500 ms\) must be a whole number of seconds/);
  });

  test('fails when timeLimit is out of range', () => {
    expect(() => tester({ timeLimit: Duration.hours(2) })).toThrow(/timeLimit \(7200 s\) must be from 1 to 3600 seconds/);
  });

  test('fails when requestTimeout is out of range', () => {
    expect(() => tester({ requestTimeout: Duration.minutes(10), timeLimit: Duration.minutes(20) })).toThrow(/requestTimeout \(600 s\) must be from 1 to 300 seconds/);
  });

  test('fails when requestTimeout exceeds timeLimit', () => {
    expect(() => tester({ timeLimit: Duration.seconds(5), requestTimeout: Duration.seconds(10) })).toThrow(/requestTimeout \(10 s\) must not exceed timeLimit \(5 s\)/);
  });

  test('fails when the pause between continuous rounds is under a second', () => {
    expect(() => tester({ trigger: LoadTestTrigger.continuous({ pauseBetweenRuns: Duration.seconds(0) }) })).toThrow(/pauseBetweenRuns \(0 s\) must be from 1 to 86400 seconds/);
  });

  test('fails when the schedule is not one EventBridge reads', () => {
    expect(() => tester({ trigger: LoadTestTrigger.onSchedule(events.Schedule.expression('rate(1 minutes)')) }))
      .toThrow(/Test\/Tester: trigger \('rate\(1 minutes\)'\) must use the singular unit for a rate of 1, as EventBridge requires: use rate\(5 minutes\)/);
    expect(() => tester({ trigger: LoadTestTrigger.onSchedule(events.Schedule.cron({ minute: '60' })) }))
      .toThrow(/trigger \('cron\(60 \* \* \* \? \*\)'\) has Minutes '60'/);
  });

  test('fails when the task size is not a Fargate size', () => {
    expect(() => tester({ cpu: 256, memoryLimitMiB: 4096 })).toThrow(/memoryLimitMiB \(4096\) is not allowed with cpu \(256\) on Fargate/);
  });

  test('fails when a metric is asked for a target of another tester', () => {
    const f = fixture();
    const lt = tester({}, f);
    expect(() => lt.metricRequestsPerSecond(LoadTestTarget.loadBalancer(f.backend)))
      .toThrow(/target 'backend-alb' is not one of this load tester's targets: pass one of tester.targets/);
  });
});
