import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DeploymentStrategy, LoadBalancerType, MicroService, MicroServiceProps, ServiceImage, TrafficShifting, TrafficShiftingType,
} from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function build(props: Partial<MicroServiceProps> = {}, stack: Stack = newStack()): { stack: Stack; service: MicroService; template: Template } {
  const service = new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, ...props });
  return { stack, service, template: Template.fromStack(stack) };
}

function serviceProps(template: Template): any {
  return Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
}

describe('DeploymentStrategy factories', () => {
  test('rolling keeps its defaults and is not blue/green', () => {
    const s = DeploymentStrategy.rolling();
    expect(s).toMatchObject({ _controller: 'ECS', _ecsStrategy: 'ROLLING', minHealthyPercent: 100, maxHealthyPercent: 200, rollbackOnFailure: true });
    expect(s._isBlueGreen).toBe(false);
    expect(s.testListenerPort).toBeUndefined();
    expect(s._describe()).toBe('rolling');
  });

  test('ECS-native strategies default to a 5-minute bake and test listener port 8080', () => {
    expect(DeploymentStrategy.blueGreen()).toMatchObject({ _ecsStrategy: 'BLUE_GREEN', testListenerPort: 8080, _isBlueGreen: true });
    expect(DeploymentStrategy.blueGreen().bakeTime!.toMinutes()).toBe(5);
    const canary = DeploymentStrategy.canary();
    expect(canary).toMatchObject({ _controller: 'ECS', _ecsStrategy: 'CANARY', stepPercent: 10 });
    expect(canary.stepInterval!.toMinutes()).toBe(5);
    expect(canary._describe()).toBe('canary (10 % for 5 min)');
    const linear = DeploymentStrategy.linear({ stepPercent: 25, stepInterval: Duration.minutes(2) });
    expect(linear).toMatchObject({ _ecsStrategy: 'LINEAR', stepPercent: 25 });
    expect(linear._describe()).toBe('linear (25 % every 2 min)');
  });

  test('codeDeploy defaults to seed 001\'s canary: 10 %, the rest after 5 minutes', () => {
    const s = DeploymentStrategy.codeDeploy();
    expect(s).toMatchObject({ _controller: 'CODE_DEPLOY', _isBlueGreen: true, testListenerPort: 8080 });
    expect(s._ecsStrategy).toBeUndefined();
    expect(s.trafficShifting).toMatchObject({ type: TrafficShiftingType.CANARY, percentage: 10 });
    expect(s.trafficShifting!.interval.toMinutes()).toBe(5);
    expect(s.terminationWaitTime!.toMinutes()).toBe(5);
    expect(s._describe()).toBe('codeDeploy (canary 10 % per 5 min)');
    expect(DeploymentStrategy.codeDeploy({ trafficShifting: TrafficShifting.allAtOnce() })._describe()).toBe('codeDeploy (all at once)');
    expect(TrafficShifting.linear().interval.toMinutes()).toBe(1);
  });
});

describe('a rolling service', () => {
  const { service, template } = build();

  test('has one target group, one listener and no blue/green children', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(service.greenTargetGroup).toBeUndefined();
    expect(service.testListener).toBeUndefined();
    expect(service.deploymentGroup).toBeUndefined();
    expect(serviceProps(template).DeploymentConfiguration.Strategy).toBeUndefined();
  });
});

describe('an ECS-native canary service', () => {
  const stack = newStack();
  const hook = new lambda.Function(stack, 'Hook', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
  });
  const { service, template } = build({
    loadBalancerType: LoadBalancerType.PUBLIC,
    deploymentStrategy: DeploymentStrategy.canary({
      lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(hook, 'Tests', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] })],
    }),
  }, stack);

  test('configures the canary, bake time, circuit breaker and lifecycle hook on the ECS controller', () => {
    expect(serviceProps(template)).toMatchObject({
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: {
        Strategy: 'CANARY',
        BakeTimeInMinutes: 5,
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        LifecycleHooks: [{
          HookTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^Hook/), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/Role/), 'Arn'] },
          LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        }],
      },
    });
  });

  test('registers in the blue target group with the green one, the production and test rules as alternates', () => {
    const stack2 = Stack.of(service);
    expect(serviceProps(template).LoadBalancers).toEqual([{
      ContainerName: 'orders',
      ContainerPort: 8080,
      TargetGroupArn: stack2.resolve(service.targetGroup!.targetGroupArn),
      AdvancedConfiguration: {
        AlternateTargetGroupArn: stack2.resolve(service.greenTargetGroup!.targetGroupArn),
        ProductionListenerRule: stack2.resolve(service.productionListenerRule!.listenerRuleArn),
        TestListenerRule: stack2.resolve(service.testListenerRule!.listenerRuleArn),
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersLoadBalancerRole/), 'Arn'] },
      },
    }]);
  });

  test('the green target group checks health like the blue one', () => {
    const groups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map(r => r.Properties);
    expect(groups).toHaveLength(2);
    expect(groups[1]).toEqual(groups[0]);
  });

  test('production and test rules forward everything, 100 % to blue and 0 % to green', () => {
    const forward = {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: Stack.of(service).resolve(service.targetGroup!.targetGroupArn), Weight: 100 },
          { TargetGroupArn: Stack.of(service).resolve(service.greenTargetGroup!.targetGroupArn), Weight: 0 },
        ],
      },
    };
    for (const listener of [service.listener!, service.testListener!]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: Stack.of(service).resolve(listener.listenerArn),
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Actions: [forward],
      });
    }
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }, 2);
  });

  test('the test listener accepts traffic from the VPC only, also on a public load balancer', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, Protocol: 'HTTP' });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .flatMap(r => r.Properties.SecurityGroupIngress ?? []);
    expect(ingress).toContainEqual(expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 8080, ToPort: 8080 }));
    expect(ingress).not.toContainEqual(expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 8080 }));
    expect(ingress).toContainEqual(expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80 }));
  });

  test('ECS\'s load balancer role may change only this service\'s target groups, listeners and rules', () => {
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('OrdersLoadBalancerRole'))![1];
    const r = (x: string) => Stack.of(service).resolve(x);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], Resource: [r(service.targetGroup!.targetGroupArn), r(service.greenTargetGroup!.targetGroupArn)] },
      { Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: [r(service.listener!.listenerArn), r(service.testListener!.listenerArn)] },
      { Effect: 'Allow', Action: 'elasticloadbalancing:ModifyRule', Resource: [r(service.productionListenerRule!.listenerRuleArn), r(service.testListenerRule!.listenerRuleArn)] },
      {
        Effect: 'Allow',
        Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        Resource: '*',
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('linear and blue/green ECS services', () => {
  test('linear moves stepPercent every stepInterval', () => {
    const strategy = DeploymentStrategy.linear({ stepPercent: 20, stepInterval: Duration.minutes(3), bakeTime: Duration.minutes(0) });
    const { template } = build({ deploymentStrategy: strategy });
    expect(serviceProps(template).DeploymentConfiguration).toMatchObject({
      Strategy: 'LINEAR', BakeTimeInMinutes: 0, LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 3 },
    });
  });

  test('blue/green on HTTPS puts the test listener on HTTPS with the same certificate', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    const { template } = build({ certificate, deploymentStrategy: DeploymentStrategy.blueGreen({ testListenerPort: 9443 }) }, stack);
    expect(serviceProps(template).DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 });
    expect(serviceProps(template).DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }], SslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
  });
});

describe('a CodeDeploy service', () => {
  const stack = newStack();
  const alarm = new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count' }), threshold: 1, evaluationPeriods: 1,
  });
  const { service, template } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy(), deploymentAlarms: [alarm] }, stack);
  const r = (x: string) => stack.resolve(x);

  test('runs on the CODE_DEPLOY controller, naming its task definition family', () => {
    const props = serviceProps(template);
    expect(props.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    expect(props.TaskDefinition).toBe(r(service.taskDefinition.family));
    expect(props.DeploymentConfiguration.DeploymentCircuitBreaker).toBeUndefined();
    expect(props.DeploymentConfiguration.Alarms).toBeUndefined();
  });

  test('has a deployment group with the canary, rollbacks, alarms, both listeners and a termination wait', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      // The service's own rollback alarms, then the one it was given.
      AlarmConfiguration: { Enabled: true, Alarms: [...service.rollbackAlarms, alarm].map(a => ({ Name: r(a.alarmName) })) },
      BlueGreenDeploymentConfiguration: Match.objectLike({
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 5 },
      }),
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          ProdTrafficRoute: { ListenerArns: [r(service.listener!.listenerArn)] },
          TestTrafficRoute: { ListenerArns: [r(service.testListener!.listenerArn)] },
          TargetGroups: [
            { Name: r(service.targetGroup!.targetGroupName) },
            { Name: r(service.greenTargetGroup!.targetGroupName) },
          ],
        }],
      },
    });
    expect(service.deploymentGroup).toBeDefined();
  });

  test('the production listener forwards to blue, the test listener to green', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: r(service.targetGroup!.targetGroupArn) }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: r(service.greenTargetGroup!.targetGroupArn) }] });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('CodeDeploy\'s role is scoped to this service and carries no managed policy', () => {
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('OrdersCodeDeployRole'))![1];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('OrdersCodeDeployRole'))![1];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet'], Resource: r(service.service.serviceArn) },
      { Effect: 'Allow', Action: ['ecs:CreateTaskSet', 'ecs:DeleteTaskSet'], Resource: '*', Condition: { ArnEquals: { 'ecs:service': r(service.service.serviceArn) } } },
      { Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: [r(service.listener!.listenerArn), r(service.testListener!.listenerArn)] },
      {
        Effect: 'Allow',
        Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: [r(service.taskDefinition.taskRole.roleArn), r(service.taskDefinition.executionRole!.roleArn)],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      // Reading alarms: each deployment alarm, by its ARN.
      ...[...service.rollbackAlarms, alarm].map(a => ({ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: r(a.alarmArn) })),
    ]);
    const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
    expect(group.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersCodeDeployRole/)]));
  });

  test('alarms added later go to the deployment group, whatever their names', () => {
    const other = newStack();
    const svc = new MicroService(other, 'Orders', {
      infra: importedInfra(other), serviceName: 'orders', image: IMAGE, deploymentStrategy: DeploymentStrategy.codeDeploy(), rollbackAlarms: false,
    });
    // The alarm watches the service and its name is a token: fine for CodeDeploy, a separate resource.
    const later = svc.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT).createAlarm(other, 'Later', { threshold: 1, evaluationPeriods: 1 });
    svc.addDeploymentAlarms(later);
    const group = Object.values(Template.fromStack(other).findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
    expect(group.Properties.AlarmConfiguration.Alarms).toEqual([{ Name: other.resolve(later.alarmName) }]);
    expect(group.Properties.AutoRollbackConfiguration.Events).toContain('DEPLOYMENT_STOP_ON_ALARM');
  });

  test('a custom traffic shift gets its own deployment config', () => {
    const custom = build({
      deploymentStrategy: DeploymentStrategy.codeDeploy({
        trafficShifting: TrafficShifting.linear({ percentage: 20, interval: Duration.minutes(2) }),
        terminationWaitTime: Duration.minutes(0),
      }),
    });
    custom.template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 20, LinearInterval: 2 } },
    });
    custom.template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 0 } }),
    });
    const allAtOnce = build({ deploymentStrategy: DeploymentStrategy.codeDeploy({ trafficShifting: TrafficShifting.allAtOnce() }) });
    allAtOnce.template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce' });
    allAtOnce.template.resourceCountIs('AWS::CodeDeploy::DeploymentConfig', 0);
  });
});

describe('rolling updates', () => {
  test('fail when the healthy percents let a deployment neither stop nor start a task', () => {
    expect(() => build({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 100, maxHealthyPercent: 100 }) }))
      .toThrow('Test/Orders: deploymentStrategy minHealthyPercent (100) and maxHealthyPercent (100) let a rolling update of 2 tasks (desiredCount) neither stop an old task (it must keep 2) nor start a new one (it may run 2), so a deployment never progresses: raise maxHealthyPercent to 150 or more, or lower minHealthyPercent to 50 or less');
    expect(() => build({ desiredCount: 1, deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 150 }) }))
      .toThrow(/minHealthyPercent \(100\) and maxHealthyPercent \(150\) let a rolling update of 1 task \(desiredCount\).*raise maxHealthyPercent to 200 or more, or lower minHealthyPercent to 0 or less/);
    const autoScaling = { minCapacity: 3, maxCapacity: 6, targetCpuUtilizationPercent: 60 };
    expect(() => build({ autoScaling, deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 90, maxHealthyPercent: 120 }) }))
      .toThrow(/rolling update of 3 tasks \(autoScaling.minCapacity\) neither stop an old task \(it must keep 3\) nor start a new one \(it may run 3\)/);
  });

  test('accept the nearest settings that progress, and a service scaled to zero', () => {
    expect(() => build({ desiredCount: 1, deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 200 }) })).not.toThrow();
    const halfDown = DeploymentStrategy.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 });
    expect(() => build({ desiredCount: 2, deploymentStrategy: halfDown })).not.toThrow();
    expect(() => build({ desiredCount: 2, deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 150 }) })).not.toThrow();
    expect(() => build({ desiredCount: 0, deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 100 }) })).not.toThrow();
  });
});

describe('blue/green strategies fail when', () => {
  const create = (props: Partial<MicroServiceProps>) => () => build(props);

  test('there is no load balancer', () => {
    expect(create({ loadBalancerType: LoadBalancerType.NONE, deploymentStrategy: DeploymentStrategy.canary() }))
      .toThrow(/deploymentStrategy canary \(10 % for 5 min\) moves traffic between two target groups of a load balancer, but loadBalancerType is NONE: choose LoadBalancerType.PUBLIC or INTERNAL, or DeploymentStrategy.rolling\(\)/);
  });

  test('the test listener port is the production port or the HTTPS redirect\'s', () => {
    expect(create({ listenerPort: 8080, deploymentStrategy: DeploymentStrategy.blueGreen() }))
      .toThrow(/deploymentStrategy testListenerPort \(8080\) is also the production listenerPort: choose another test port, such as 9000 or 8443$/);
    expect(create({ listenerPort: 9000, deploymentStrategy: DeploymentStrategy.blueGreen({ testListenerPort: 9000 }) }))
      .toThrow(/testListenerPort \(9000\) is also the production listenerPort: choose another test port, such as 8080 or 8443$/);
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    expect(() => build({ certificate, deploymentStrategy: DeploymentStrategy.codeDeploy({ testListenerPort: 80 }) }, stack))
      .toThrow(/testListenerPort \(80\) is taken by the HTTP to HTTPS redirect/);
    expect(create({ deploymentStrategy: DeploymentStrategy.blueGreen({ testListenerPort: 70000 }) })).toThrow(/testListenerPort \(70000\) must be a whole number from 1 to 65535/);
  });

  test('ECS percentages or intervals are out of range', () => {
    expect(create({ deploymentStrategy: DeploymentStrategy.canary({ canaryPercent: 0.05 }) })).toThrow(/canaryPercent \(0.05\) must be from 0.1 to 100 in steps of 0.1/);
    expect(create({ deploymentStrategy: DeploymentStrategy.linear({ stepPercent: 2 }) })).toThrow(/stepPercent \(2\) must be from 3 to 100 in steps of 0.1/);
    expect(create({ deploymentStrategy: DeploymentStrategy.linear({ stepPercent: 12.25 }) })).toThrow(/stepPercent \(12.25\)/);
    expect(create({ deploymentStrategy: DeploymentStrategy.canary({ canaryInterval: Duration.seconds(90) }) })).toThrow(/canaryInterval \(1.5 min\) must be a whole number of minutes from 0 to 1440/);
    expect(create({ deploymentStrategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.hours(25) }) })).toThrow(/bakeTime \(1500 min\) must be a whole number of minutes from 0 to 1440/);
  });

  test('CodeDeploy settings are out of range or Service Connect is on', () => {
    expect(create({ deploymentStrategy: DeploymentStrategy.codeDeploy({ trafficShifting: TrafficShifting.canary({ percentage: 100 }) }) }))
      .toThrow(/trafficShifting percentage \(100\) must be a whole number from 1 to 99/);
    const halfMinute = TrafficShifting.linear({ interval: Duration.seconds(30) });
    expect(create({ deploymentStrategy: DeploymentStrategy.codeDeploy({ trafficShifting: halfMinute }) }))
      .toThrow(/trafficShifting interval \(0.5 min\) must be a whole number of minutes from 1 to 2880/);
    expect(create({ deploymentStrategy: DeploymentStrategy.codeDeploy({ terminationWaitTime: Duration.days(3) }) }))
      .toThrow(/terminationWaitTime \(4320 min\) must be a whole number of minutes from 0 to 2880/);
    expect(create({ serviceConnect: true, deploymentStrategy: DeploymentStrategy.codeDeploy() }))
      .toThrow(/serviceConnect is set but deploymentStrategy is codeDeploy, which does not support Service Connect/);
  });
});
