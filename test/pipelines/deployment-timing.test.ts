import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy, MicroService, ServiceImage } from '../../src';
import { ASSUMED_TASK_START_SECONDS, describeModel, modelDeployment } from '../../src/private/deployment-timing';
import { importedInfra, newStack } from '../util';

/**
 * The modelled duration of one deployment with the defaults, from the values in the synthesized
 * template: health-check interval × healthy threshold, deregistration delay, traffic-shift interval,
 * bake or termination wait, plus an assumed task start time.
 */

function deployed(strategy: DeploymentStrategy): { service: MicroService; template: Template; stack: Stack } {
  const stack = newStack();
  const service = new MicroService(stack, 'Orders', {
    infra: importedInfra(stack), serviceName: 'orders', image: ServiceImage.fromPipeline({ initialImage: 'nginx:1.27' }), deploymentStrategy: strategy,
  });
  return { service, template: Template.fromStack(stack), stack };
}

function model(service: MicroService) {
  return modelDeployment({
    strategy: service.deploymentStrategy,
    healthCheckInterval: service.targetGroup!.healthCheck.interval,
    healthyThresholdCount: service.targetGroup!.healthCheck.healthyThresholdCount,
    deregistrationDelay: service.deregistrationDelay,
  });
}

/** Health check and deregistration delay, read from the template's (blue) target group. */
function targetGroupTiming(template: Template): { healthy: number; drain: number } {
  const tg = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0].Properties;
  const drain = Number(tg.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
  return { healthy: tg.HealthCheckIntervalSeconds * tg.HealthyThresholdCount, drain };
}

describe('modelled duration of one deployment with the defaults', () => {
  test('rolling: one batch (max 200 %, min 100 %): start + healthy + drain', () => {
    const { service, template } = deployed(DeploymentStrategy.rolling());
    const { healthy, drain } = targetGroupTiming(template);
    const m = model(service);
    expect(healthy).toBe(20);
    expect(drain).toBe(30);
    expect(m.totalSeconds).toBe(ASSUMED_TASK_START_SECONDS + healthy + drain);
    expect(describeModel(m)).toBe('1.8 min: start new tasks 60 s (assumed Fargate start, 60 s) + pass the health check 20 s (interval 10 s × healthy threshold 2) + drain old tasks 30 s (deregistration delay 30 s)');
  });

  test('rolling with a 50 % surge takes two batches', () => {
    const { service, template } = deployed(DeploymentStrategy.rolling({ minHealthyPercent: 100, maxHealthyPercent: 150 }));
    const { healthy, drain } = targetGroupTiming(template);
    expect(model(service).totalSeconds).toBe(2 * (ASSUMED_TASK_START_SECONDS + healthy + drain));
  });

  test('ECS canary: start + healthy + canary interval + bake time + drain', () => {
    const { service, template } = deployed(DeploymentStrategy.canary());
    const { healthy, drain } = targetGroupTiming(template);
    const config = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration;
    const m = model(service);
    const canary = config.CanaryConfiguration.CanaryBakeTimeInMinutes * 60;
    expect(m.totalSeconds).toBe(ASSUMED_TASK_START_SECONDS + healthy + canary + config.BakeTimeInMinutes * 60 + drain);
    expect(m.totalSeconds).toBe(710);
    expect(describeModel(m)).toMatch(/^11.8 min: /);
  });

  test('ECS linear: nine waits between ten 10 % steps', () => {
    const { service, template } = deployed(DeploymentStrategy.linear());
    const config = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration;
    const { healthy, drain } = targetGroupTiming(template);
    const { StepPercent: step, StepBakeTimeInMinutes: interval } = config.LinearConfiguration;
    const shift = (100 / step - 1) * interval * 60;
    expect(model(service).totalSeconds).toBe(ASSUMED_TASK_START_SECONDS + healthy + shift + config.BakeTimeInMinutes * 60 + drain);
  });

  test('CodeDeploy canary (seed 001): start + healthy + 5 min at 10 % + termination wait + drain', () => {
    const { service, template } = deployed(DeploymentStrategy.codeDeploy());
    const { healthy, drain } = targetGroupTiming(template);
    const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties;
    expect(group.DeploymentConfigName).toBe('CodeDeployDefault.ECSCanary10Percent5Minutes');
    const wait = group.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes * 60;
    expect(model(service).totalSeconds).toBe(ASSUMED_TASK_START_SECONDS + healthy + 5 * 60 + wait + drain);
  });
});
