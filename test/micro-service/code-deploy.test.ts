import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { build, createOnEc2, serviceProperties } from './builder';
import { DeploymentStrategy, TrafficShifting } from '../../src';

// The CodeDeploy behaviour and its other "fails when" rules are tested in test/deployment-strategy.test.ts.

describe('CodeDeploy fails when', () => {
  test('the service runs on EC2 capacity, which CodeDeploy does not support here', () => {
    expect(() => createOnEc2({ deploymentStrategy: DeploymentStrategy.codeDeploy() }))
      .toThrow(/deploymentStrategy codeDeploy is not supported on EC2 capacity: CodeDeploy deploys ECS task sets, which take no placement strategies or constraints; use the ECS-native DeploymentStrategy.blueGreen\(\), canary\(\) or linear\(\), which keep them, or rolling\(\)/);
  });
});

describe('CodeDeploy accepts', () => {
  test('the same service on Fargate capacity', () => {
    const { template } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });
    expect(serviceProperties(template).DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
  });

  test('a 99 % canary after one minute, and a termination wait of two days', () => {
    const { template } = build({
      deploymentStrategy: DeploymentStrategy.codeDeploy({
        trafficShifting: TrafficShifting.canary({ percentage: 99, interval: Duration.minutes(1) }),
        terminationWaitTime: Duration.days(2),
      }),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 99, CanaryInterval: 1 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({
        TerminateBlueInstancesOnDeploymentSuccess: Match.objectLike({ TerminationWaitTimeInMinutes: 2880 }),
      }),
    });
  });
});
