import { Match } from 'aws-cdk-lib/assertions';
import { build, create, serviceProperties } from './builder';
import { DeploymentStrategy } from '../../src';

describe('the ECS service of a service with defaults', () => {
  const { service, template } = build();

  test('runs two tasks on on-demand Fargate in the private subnets without public IPs', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'platform',
      DesiredCount: 2,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      NetworkConfiguration: {
        AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: ['subnet-priv1', 'subnet-priv2'] },
      },
      EnableECSManagedTags: true,
      PropagateTags: 'SERVICE',
    });
  });

  test('rolls back failed deployments and keeps full capacity while deploying', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      HealthCheckGracePeriodSeconds: 60,
    });
  });

  test('registers in Cloud Map with a short-TTL A record', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'orders',
      NamespaceId: 'ns-1234',
      DnsConfig: { DnsRecords: [{ TTL: 10, Type: 'A' }] },
    });
    expect(service.serviceDiscoveryUrl).toBe('http://orders.svc.internal:8080');
  });
});

describe('ECS service options', () => {
  test('Service Connect publishes the service under its name', () => {
    const { template } = build({ serviceConnect: true });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
        Services: [{ PortName: 'http', DiscoveryName: 'orders-sc', ClientAliases: [{ DnsName: 'orders', Port: 8080 }] }],
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      },
      ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })],
    });
  });

  test('rolling options are configurable', () => {
    const { template } = build({
      deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 50, maxHealthyPercent: 150, rollbackOnFailure: false }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 50, MaximumPercent: 150, DeploymentCircuitBreaker: { Enable: true, Rollback: false },
      }),
    });
  });
});

describe('the ECS service fails when', () => {
  test('the service name is not a DNS label (Cloud Map)', () => {
    expect(() => create({ serviceName: 'Orders_API' })).toThrow(/serviceName \('Orders_API'\) must be a DNS label/);
    expect(() => create({ serviceName: 'orders-' })).toThrow(/serviceName \('orders-'\) must be a DNS label/);
    expect(() => create({ serviceName: 'a'.repeat(64) })).toThrow(/must be a DNS label/);
  });

  test('desiredCount is negative', () => {
    expect(() => create({ desiredCount: -1 })).toThrow(/desiredCount \(-1\)/);
  });

  test('rolling percentages are out of range', () => {
    expect(() => create({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 150 }) })).toThrow(/minHealthyPercent \(150\)/);
    expect(() => create({ deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 90 }) })).toThrow(/maxHealthyPercent \(90\)/);
  });
});

describe('the ECS service accepts', () => {
  test('a 63-character DNS label with digits and inner hyphens as the service name', () => {
    const serviceName = `o${'-1'.repeat(31)}`;
    expect(serviceName).toHaveLength(63);
    const { template } = build({ serviceName });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: serviceName });
  });

  test('a desired count of zero, which keeps the service and stops its tasks', () => {
    const { template } = build({ desiredCount: 0 });
    expect(serviceProperties(template).DesiredCount).toBe(0);
  });

  test('rolling percentages at the ends of their ranges', () => {
    const { template } = build({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100 }) });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }) });
    const upper = build({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 100, maxHealthyPercent: 200 }) });
    upper.template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200 }) });
  });
});
