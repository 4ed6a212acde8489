import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  BaseInfra, DeploymentStrategy, LoadBalancerType, LoadTestGate, LoadTestGateProps, MicroService, ServiceImage,
} from '../../src';
import { codeDeployHooksOf } from '../../src/load-test-gate/code-deploy-hook';
import { appSpec } from '../../src/private/buildspec';
import { SCRIPT_VARIABLE, encodedScript } from '../../src/private/load-test-metrics';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function service(stack: Stack, strategy: DeploymentStrategy, loadBalancerType = LoadBalancerType.INTERNAL): MicroService {
  return new MicroService(stack, 'Web', { infra: importedInfra(stack), serviceName: 'web', image: IMAGE, loadBalancerType, deploymentStrategy: strategy });
}

function gated(strategy: DeploymentStrategy, props: Partial<LoadTestGateProps> = {}, loadBalancerType = LoadBalancerType.INTERNAL) {
  const stack = newStack();
  const web = service(stack, strategy, loadBalancerType);
  const gate = new LoadTestGate(stack, 'Gate', { service: web, path: '/health', ...props });
  return { stack, web, gate, template: Template.fromStack(stack) };
}

const id = (stack: Stack, c: { node: { defaultChild?: unknown } } | any) => stack.getLogicalId(c.node.defaultChild ?? c);

/** The function role's statements, by their actions. */
function functionStatements(template: Template): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => (p.Properties.Roles as any[]).some(r => String(r.Ref).startsWith('GateFunctionRole')));
  return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('with an ECS-native canary', () => {
  const { stack, web, gate, template } = gated(DeploymentStrategy.canary(), { maxErrorRatePercent: 0.5, maxLatencyP99: Duration.millis(250) });

  test('names the service it gates', () => {
    expect(gate.service).toBe(web);
  });

  test('is a phase of the service\'s modelled deployment, after the first health check and before production moves', () => {
    // Task start 60 s + timeLimit 60 s + requestTimeout 10 s = 130 s, looked at every 30 s.
    expect(gate.estimatedRunTime.toSeconds()).toBe(150);
    const phases = web._deploymentModel.phases.map(p => p.name);
    expect(phases.indexOf('load test on test traffic (LoadTestGate)')).toBe(phases.indexOf('pass the first health check') + 1);
    expect(phases.indexOf('shift production traffic')).toBe(phases.indexOf('load test on test traffic (LoadTestGate)') + 1);
    expect(web.estimatedDeploymentTime.toSeconds()).toBe(web._deploymentModel.phases.reduce((sum, p) => sum + p.seconds, 0));
    const ungated = service(newStack(), DeploymentStrategy.canary(), LoadBalancerType.INTERNAL);
    expect(web.estimatedDeploymentTime.toSeconds() - ungated.estimatedDeploymentTime.toSeconds()).toBe(150);
  });

  test('the service runs the function at POST_TEST_TRAFFIC_SHIFT with a role that may invoke exactly that function', () => {
    const hookRole = gate.node.findChild('HookRole') as any;
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{
          HookTargetArn: { 'Fn::GetAtt': [id(stack, gate.hookFunction), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [id(stack, hookRole), 'Arn'] },
          LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        }],
      }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      Description: 'Lets ECS invoke the load-test gate of web',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, hookRole) }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [id(stack, gate.hookFunction), 'Arn'] } }] },
    });
    expect(codeDeployHooksOf(web)).toEqual({});
  });

  test('the task runs the LoadTester\'s script once against the test listener, with the thresholds', () => {
    const env = (template.findResources('AWS::ECS::TaskDefinition', { Properties: { ContainerDefinitions: [Match.objectLike({ Name: 'load-tester' })] } }));
    const container = (Object.values(env)[0] as any).Properties.ContainerDefinitions[0];
    const vars = Object.fromEntries((container.Environment as any[]).map(e => [e.Name, e.Value]));
    expect(vars[SCRIPT_VARIABLE]).toBe(encodedScript());
    expect(vars).toMatchObject({ LT_MODE: 'once', LT_REQUESTS: '1000', LT_CONCURRENCY: '10', LT_TIME_LIMIT: '60', LT_REQUEST_TIMEOUT: '10', LT_MAX_ERROR_PERCENT: '0.5', LT_MAX_P99_MS: '250' });
    expect(stack.resolve(vars.LT_TARGETS)).toEqual({
      'Fn::Join': ['', ['gate=http://', { 'Fn::GetAtt': [id(stack, web.loadBalancer!), 'DNSName'] }, ':8080/health']],
    });
    expect(container).toMatchObject({ User: '65534:65534', ReadonlyRootFilesystem: true, Essential: true });
  });

  test('the task may reach the VPC on the test port and HTTPS, nothing else', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Load-test gate of web',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Image pulls and CloudWatch Logs over HTTPS' },
        { CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, Description: 'Test listener of web' },
      ],
    });
  });

  test('the function: Node.js 24, its code from the package, a minute per invocation, no retries, its own retained log group', () => {
    const fn = template.findResources('AWS::Lambda::Function')[id(stack, gate.hookFunction)].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 60, LoggingConfig: { LogGroup: { Ref: id(stack, gate.node.findChild('FunctionLogs')) } } });
    expect(stack.resolve(fn.Environment.Variables)).toMatchObject({
      GATE_CONTAINER: 'load-tester', GATE_DEADLINE_SECONDS: '280', GATE_POLL_SECONDS: '30', GATE_SUBNETS: 'subnet-priv1,subnet-priv2',
    });
    expect(fn.Environment.Variables.GATE_LOAD_BALANCER_ENI).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, Qualifier: '$LATEST' });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Runs the load-test gate') } });
    expect(Object.values(roles).map((r: any) => r.Properties.ManagedPolicyArns)).toEqual([undefined]);
  });

  test('the function role: RunTask of the gate\'s family in the cluster, its tasks, PassRole of the task\'s roles, its log group', () => {
    const cluster = stack.resolve(web.infra.cluster.clusterArn);
    const td = gate.taskDefinition;
    expect(functionStatements(template)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [id(stack, gate.node.findChild('FunctionLogs')), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: `arn:*:ecs:eu-west-1:*:task-definition/${td.family}:*`,
        Condition: { ArnEquals: { 'ecs:cluster': cluster } },
      },
      { Effect: 'Allow', Action: ['ecs:DescribeTasks', 'ecs:StopTask'], Resource: 'arn:*:ecs:eu-west-1:*:task/*', Condition: { ArnEquals: { 'ecs:cluster': cluster } } },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: [{ 'Fn::GetAtt': [id(stack, td.taskRole), 'Arn'] }, { 'Fn::GetAtt': [id(stack, td.obtainExecutionRole()), 'Arn'] }],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
  });

  test('cdk-nag AwsSolutions: no finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});

describe('with an internet-facing load balancer', () => {
  const { stack, web, template } = gated(DeploymentStrategy.blueGreen(), {}, LoadBalancerType.PUBLIC);

  test('the function finds the load balancer\'s private addresses, which the test listener admits', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0] as any;
    expect(stack.resolve(fn.Properties.Environment.Variables.GATE_LOAD_BALANCER_ENI)).toEqual({
      'Fn::Join': ['', ['ELB ', { 'Fn::GetAtt': [id(stack, web.loadBalancer!), 'LoadBalancerFullName'] }]],
    });
    expect(functionStatements(template)).toContainEqual({ Effect: 'Allow', Action: 'ec2:DescribeNetworkInterfaces', Resource: '*' });
  });
});

describe('with CodeDeploy', () => {
  const { stack, web, gate, template } = gated(DeploymentStrategy.codeDeploy(), {
    timeLimit: Duration.minutes(10),
    requestTimeout: Duration.seconds(30),
  });

  test('the AppSpec names the function at AfterAllowTestTraffic, and only CodeDeploy\'s role may invoke it', () => {
    const hooks = codeDeployHooksOf(web);
    expect(stack.resolve(hooks.afterAllowTestTraffic)).toEqual({ Ref: id(stack, gate.hookFunction) });
    const spec = appSpec({ containerName: 'web', containerPort: 80, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }], hooks });
    expect(spec.split('\n').slice(-2)).toEqual(['Hooks:', `  - AfterAllowTestTraffic: "${hooks.afterAllowTestTraffic}"`]);
    const codeDeployRole = web.node.findChild('CodeDeployRole') as any;
    const policy = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(stack, codeDeployRole) }] } }))[0] as any;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [id(stack, gate.hookFunction), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.not(Match.objectLike({ LifecycleHooks: Match.anyValue() })) });
  });

  test('the function waits up to 15 minutes and may report the hook\'s status, which IAM authorizes on * only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 900 });
    expect(functionStatements(template)).toContainEqual({ Effect: 'Allow', Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: '*' });
  });

  test('an AppSpec without hooks is the one pipelines wrote before', () => {
    const base = { containerName: 'web', containerPort: 80, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] };
    expect(appSpec({ ...base, hooks: {} })).toBe(appSpec(base));
    expect(appSpec(base)).not.toMatch(/Hooks/);
  });

  test('fails when a second gate would need a second AfterAllowTestTraffic function', () => {
    expect(() => new LoadTestGate(stack, 'Gate2', { service: web })).toThrow(/Test\/Gate2\/Function: service 'web' has a load-test gate already \(Test\/Gate\): CodeDeploy runs one AfterAllowTestTraffic function per deployment/);
  });
});

describe('validation', () => {
  const make = (props: Partial<LoadTestGateProps>, strategy = DeploymentStrategy.blueGreen()) => () => gated(strategy, props);

  test('fails when the service deploys rolling, which has no test listener', () => {
    expect(make({}, DeploymentStrategy.rolling())).toThrow(/Test\/Gate: service 'web' deploys with rolling, which has no test listener to test before production traffic moves: use DeploymentStrategy.blueGreen\(\), canary\(\), linear\(\) or codeDeploy\(\)/);
  });
  test('accepts each blue/green strategy', () => {
    for (const s of [DeploymentStrategy.blueGreen(), DeploymentStrategy.canary(), DeploymentStrategy.linear(), DeploymentStrategy.codeDeploy()]) {
      expect(make({}, s)).not.toThrow();
    }
  });

  test('fails when the gate is in another stack than the service', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { region: 'eu-west-1' } });
    const b = new Stack(app, 'B', { env: { region: 'eu-west-1' } });
    const web = service(a, DeploymentStrategy.blueGreen());
    expect(() => new LoadTestGate(b, 'Gate', { service: web })).toThrow(/B\/Gate: the gate is in stack 'B' but service 'web' is in 'A': create the gate in the service's stack/);
  });

  test('fails when maxErrorRatePercent is out of range or too precise; accepts 0, 100 and two decimals', () => {
    expect(make({ maxErrorRatePercent: -1 })).toThrow(/maxErrorRatePercent \(-1\) must be from 0 to 100 with at most two decimals/);
    expect(make({ maxErrorRatePercent: 100.01 })).toThrow(/maxErrorRatePercent \(100.01\) must be from 0 to 100/);
    expect(make({ maxErrorRatePercent: 0.125 })).toThrow(/maxErrorRatePercent \(0.125\) must be from 0 to 100 with at most two decimals/);
    for (const ok of [0, 100, 0.25]) {
      expect(make({ maxErrorRatePercent: ok })).not.toThrow();
    }
  });

  test('fails when maxLatencyP99 is a fraction of a millisecond or above requestTimeout; accepts 1 ms and requestTimeout', () => {
    expect(make({ maxLatencyP99: Duration.millis(0.5) })).toThrow(/maxLatencyP99 \(0.5 ms\) must be a whole number of milliseconds from 1 to requestTimeout \(10000 ms\)/);
    expect(make({ maxLatencyP99: Duration.millis(10_001) })).toThrow(/maxLatencyP99 \(10001 ms\) must be a whole number of milliseconds from 1 to requestTimeout/);
    expect(make({ maxLatencyP99: Duration.millis(1) })).not.toThrow();
    expect(make({ maxLatencyP99: Duration.seconds(10) })).not.toThrow();
  });

  test('fails when a threshold is only known at deploy time: the script compares numbers', () => {
    expect(make({ maxErrorRatePercent: Token.asNumber({ Ref: 'Max' }) })).toThrow(/maxErrorRatePercent must be known at synth/);
    expect(make({ maxLatencyP99: Duration.millis(Token.asNumber({ Ref: 'P99' })) })).toThrow(/maxLatencyP99 must be known at synth/);
    expect(make({ requests: Token.asNumber({ Ref: 'N' }) })).toThrow(/requests must be known at synth/);
  });

  test('fails when requests, concurrency, timeLimit or requestTimeout are out of range; accepts their limits', () => {
    expect(make({ requests: 0 })).toThrow(/requests \(0\) must be a whole number from 1 to 1000000/);
    expect(make({ requests: 5, concurrency: 6 })).toThrow(/concurrency \(6\) must not exceed requests \(5\)/);
    expect(make({ timeLimit: Duration.millis(1500) })).toThrow(/timeLimit \(1500 ms\) must be a whole number of seconds: ab counts in seconds/);
    expect(make({ timeLimit: Duration.seconds(3601) })).toThrow(/timeLimit \(3601 s\) must be from 1 to 3600 seconds/);
    expect(make({ timeLimit: Duration.seconds(5), requestTimeout: Duration.seconds(6), maxLatencyP99: Duration.seconds(1) })).toThrow(/requestTimeout \(6 s\) must not exceed timeLimit \(5 s\)/);
    expect(make({ requests: 1, concurrency: 1, timeLimit: Duration.hours(1) })).not.toThrow();
  });

  test('fails when the path does not start with /; accepts a query string', () => {
    expect(make({ path: 'health' })).toThrow(/path \('health'\) must start with '\/'/);
    expect(make({ path: '/items?limit=5' })).not.toThrow();
  });

  test('fails with CodeDeploy when the run cannot end within the hook function\'s 15 minutes; accepts exactly the limit', () => {
    const cd = DeploymentStrategy.codeDeploy();
    expect(make({ timeLimit: Duration.seconds(601), requestTimeout: Duration.seconds(30) }, cd))
      .toThrow(/timeLimit \(601 s\) plus requestTimeout \(30 s\) is 631 s, but with DeploymentStrategy.codeDeploy\(\) the hook function \(at most 900 s\) must see the task end: keep them at most 630 s together/);
    expect(make({ timeLimit: Duration.seconds(600), requestTimeout: Duration.seconds(30) }, cd)).not.toThrow();
    // ECS polls by invocation: no such limit.
    expect(make({ timeLimit: Duration.minutes(30) })).not.toThrow();
  });

  test('fails when the task size is not a Fargate size', () => {
    expect(make({ cpu: 256, memoryLimitMiB: 4096 })).toThrow(/Test\/Gate/);
    expect(make({ cpu: 1024, memoryLimitMiB: 2048 })).not.toThrow();
  });
});

test('a BaseInfra-created VPC: the gate\'s task runs in its private subnets', () => {
  const stack = newStack();
  const infra = new BaseInfra(stack, 'Infra', {});
  const web = new MicroService(stack, 'Web', { infra, serviceName: 'web', image: IMAGE, deploymentStrategy: DeploymentStrategy.linear() });
  new LoadTestGate(stack, 'Gate', { service: web });
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0] as any;
  const subnets = stack.resolve(fn.Properties.Environment.Variables.GATE_SUBNETS);
  expect(JSON.stringify(subnets)).toMatch(/PrivateSubnet1/);
  expect(JSON.stringify(subnets)).not.toMatch(/PublicSubnet/);
});
