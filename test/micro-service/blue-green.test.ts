import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { build, buildOnEc2, certificate, serviceProperties } from './builder';
import { DeploymentStrategy } from '../../src';
import { newStack } from '../util';

// The blue/green behaviour and its "fails when" rules are tested in test/deployment-strategy.test.ts.

describe('ECS-native blue/green', () => {
  test('on EC2 capacity keeps the capacity provider and placement', () => {
    const { template } = buildOnEc2({ deploymentStrategy: DeploymentStrategy.blueGreen() });
    const props = serviceProperties(template);
    expect(props.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN' });
    expect(props.CapacityProviderStrategy).toHaveLength(1);
    expect(props.PlacementStrategies).toHaveLength(2);
  });
});

describe('ECS-native blue/green accepts', () => {
  test('a test listener on the highest port, and on port 80 once the HTTPS redirect is off', () => {
    const high = build({ deploymentStrategy: DeploymentStrategy.blueGreen({ testListenerPort: 65535 }) });
    high.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 65535 });
    const stack = newStack();
    const https = build({
      certificate: certificate(stack), redirectHttp: false, deploymentStrategy: DeploymentStrategy.blueGreen({ testListenerPort: 80 }),
    }, stack);
    https.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    https.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTPS' });
  });

  test('the smallest canary (0.1 %) and linear step (3 %), and a step in tenths (12.5 %)', () => {
    const canary = build({ deploymentStrategy: DeploymentStrategy.canary({ canaryPercent: 0.1 }) });
    expect(serviceProperties(canary.template).DeploymentConfiguration).toMatchObject({ Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 0.1 } });
    for (const stepPercent of [3, 12.5]) {
      const linear = build({ deploymentStrategy: DeploymentStrategy.linear({ stepPercent }) });
      expect(serviceProperties(linear.template).DeploymentConfiguration)
        .toMatchObject({ Strategy: 'LINEAR', LinearConfiguration: { StepPercent: stepPercent } });
    }
  });

  test('whole-minute intervals and a bake time of a full day', () => {
    const { template } = build({
      deploymentStrategy: DeploymentStrategy.canary({ canaryInterval: Duration.minutes(2), bakeTime: Duration.minutes(1440) }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ BakeTimeInMinutes: 1440, CanaryConfiguration: Match.objectLike({ CanaryBakeTimeInMinutes: 2 }) }),
    });
  });

  test('Service Connect, which CodeDeploy refuses', () => {
    const { template } = build({ serviceConnect: true, deploymentStrategy: DeploymentStrategy.blueGreen() });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }),
      ServiceConnectConfiguration: Match.objectLike({ Enabled: true }),
    });
  });
});
