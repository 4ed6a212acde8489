import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy, LoadBalancerType, MicroService, MicroServiceProps, ServiceImage } from '../../src';
import { describeModel } from '../../src/private/deployment-timing';
import { importedInfra, newStack } from '../util';

/**
 * The modelled duration of one deployment, checked against the values in the synthesized template:
 * the declared startup time, one health-check interval (a newly registered target is healthy after
 * one passing check), deregistration delay, traffic-shift interval, bake or termination wait.
 */

function deployed(strategy: DeploymentStrategy, props: Partial<MicroServiceProps> = {}): { service: MicroService; template: Template; stack: Stack } {
  const stack = newStack();
  const service = new MicroService(stack, 'Orders', {
    infra: importedInfra(stack), serviceName: 'orders', image: ServiceImage.fromPipeline({ initialImage: 'nginx:1.27' }), deploymentStrategy: strategy, ...props,
  });
  return { service, template: Template.fromStack(stack), stack };
}

/** Health check interval, deregistration delay and grace period, read from the template. */
function templateTiming(template: Template): { interval: number; drain: number; grace: number } {
  const tg = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0].Properties;
  const drain = Number(tg.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
  const grace = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.HealthCheckGracePeriodSeconds;
  return { interval: tg.HealthCheckIntervalSeconds, drain, grace };
}

describe('modelled duration of one deployment', () => {
  test('rolling with the defaults: a batch waits at most 30 s once its tasks run (one 10 s check + 20 s drain)', () => {
    const { service, template } = deployed(DeploymentStrategy.rolling());
    const { interval, drain, grace } = templateTiming(template);
    expect(interval).toBe(10);
    expect(drain).toBe(20);
    expect(grace).toBe(60);
    expect(interval + drain).toBeLessThanOrEqual(30);
    // ECS then watches the rollback alarms for a bake time derived from them: the longest, unhealthy hosts, is 3 minutes.
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60 + interval + drain + 180);
    expect(describeModel(service._deploymentModel)).toBe('4.5 min: start new tasks 60 s (startupTime 60 s) + pass the first health check 10 s (one check, interval 10 s) + drain old tasks 20 s (deregistration delay 20 s) + watch the deployment alarms (ECS bake) 180 s (estimated as the longest alarm window, 180 s)');
  });

  test('a declared startup time and longest request set the grace period, interval and deregistration delay', () => {
    const { service, template } = deployed(DeploymentStrategy.rolling(), { startupTime: Duration.seconds(20), longestRequest: Duration.seconds(5) });
    expect(templateTiming(template)).toEqual({ interval: 5, drain: 5, grace: 20 });
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(20 + 5 + 5 + 180);
  });

  test('explicit health-check, deregistration and grace settings win over the derived ones', () => {
    const { template } = deployed(DeploymentStrategy.rolling(), {
      startupTime: Duration.seconds(20),
      longestRequest: Duration.seconds(5),
      targetHealthCheck: { interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(40),
      healthCheckGracePeriod: Duration.seconds(90),
    });
    expect(templateTiming(template)).toEqual({ interval: 15, drain: 40, grace: 90 });
  });

  test('without rollback alarms there is nothing to watch after the last batch', () => {
    const { service } = deployed(DeploymentStrategy.rolling(), { rollbackAlarms: false });
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60 + 10 + 20);
  });

  test('without a load balancer a task counts once it runs: no health check, no drain', () => {
    const { service } = deployed(DeploymentStrategy.rolling(), { loadBalancerType: LoadBalancerType.NONE });
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60);
  });

  test('rolling with a 50 % surge takes two batches', () => {
    const { service, template } = deployed(DeploymentStrategy.rolling({ minHealthyPercent: 100, maxHealthyPercent: 150 }));
    const { interval, drain } = templateTiming(template);
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(2 * (60 + interval + drain) + 180);
  });

  test('ECS canary: start + one check + canary interval + bake time + drain', () => {
    const { service, template } = deployed(DeploymentStrategy.canary());
    const { interval, drain } = templateTiming(template);
    const config = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration;
    const canary = config.CanaryConfiguration.CanaryBakeTimeInMinutes * 60;
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60 + interval + canary + config.BakeTimeInMinutes * 60 + drain);
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(690);
    expect(describeModel(service._deploymentModel)).toMatch(/^11.5 min: /);
  });

  test('ECS linear: nine waits between ten 10 % steps', () => {
    const { service, template } = deployed(DeploymentStrategy.linear());
    const config = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration;
    const { interval, drain } = templateTiming(template);
    const { StepPercent: step, StepBakeTimeInMinutes: stepMinutes } = config.LinearConfiguration;
    const shift = (100 / step - 1) * stepMinutes * 60;
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60 + interval + shift + config.BakeTimeInMinutes * 60 + drain);
  });

  test('CodeDeploy\'s ECSCanary10Percent5Minutes: start + one check + 5 min at 10 % + termination wait + drain', () => {
    const { service, template } = deployed(DeploymentStrategy.codeDeploy());
    const { interval, drain } = templateTiming(template);
    const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties;
    expect(group.DeploymentConfigName).toBe('CodeDeployDefault.ECSCanary10Percent5Minutes');
    const wait = group.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes * 60;
    expect(service.estimatedDeploymentTime.toSeconds()).toBe(60 + interval + 5 * 60 + wait + drain);
  });
});

describe('declared timings: fails when', () => {
  test('longestRequest is above the 3600 s deregistration delay ELB allows', () => {
    expect(() => deployed(DeploymentStrategy.rolling(), { longestRequest: Duration.seconds(3601) }))
      .toThrow(/longestRequest \(3601 s\) must be from 0 to 3600 seconds/);
  });

  test('startupTime is above an hour', () => {
    expect(() => deployed(DeploymentStrategy.rolling(), { startupTime: Duration.hours(2) })).toThrow(/startupTime \(7200 s\) must be from 0 to 3600 seconds/);
  });
});

describe('declared timings: accepts', () => {
  test('the longest deregistration delay ELB allows, and an hour to start', () => {
    const { template } = deployed(DeploymentStrategy.rolling(), { longestRequest: Duration.seconds(3600), startupTime: Duration.hours(1) });
    expect(templateTiming(template)).toEqual({ interval: 10, drain: 3600, grace: 3600 });
  });
});
