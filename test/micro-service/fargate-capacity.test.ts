import * as ecs from 'aws-cdk-lib/aws-ecs';
import { build, create, serviceProperties } from './builder';
import { ServiceCapacity } from '../../src';

describe('Fargate capacity', () => {
  test('Fargate Spot keeps an on-demand base', () => {
    const { template } = build({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: 2 }) });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 2, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
    });
  });

  test('Fargate Spot with no on-demand base runs everything on Spot', () => {
    const { template } = build({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: 0 }) });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
  });

  test('Fargate Spot with ARM64, which Fargate Spot runs on platform version 1.4.0 (LATEST)', () => {
    const { template } = build({ capacity: ServiceCapacity.fargateSpot(), cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    expect(serviceProperties(template).CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
    ]);
    expect(serviceProperties(template).PlatformVersion).toBeUndefined();
  });

  test('larger task sizes and ARM64', () => {
    const { template } = build({ cpu: 2048, memoryLimitMiB: 8192, cpuArchitecture: ecs.CpuArchitecture.ARM64, desiredCount: 3, containerPort: 3000 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '8192', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000 });
  });
});

describe('Fargate capacity fails when', () => {
  test('the CPU is not a Fargate task size', () => {
    expect(() => create({ cpu: 300 })).toThrow(/cpu \(300\) is not a Fargate task size: use one of 256, 512, 1024, 2048, 4096, 8192, 16384/);
  });

  test('the memory is not allowed with the CPU', () => {
    expect(() => create({ cpu: 256, memoryLimitMiB: 4096 })).toThrow(/memoryLimitMiB \(4096\) is not allowed with cpu \(256\) on Fargate: use 512, 1024, 2048 MiB/);
    expect(() => create({ cpu: 4096, memoryLimitMiB: 8000 })).toThrow(/use 8192 to 30720 in steps of 1024 MiB/);
    expect(() => create({ cpu: 16384, memoryLimitMiB: 36864 })).toThrow(/use 32768 to 122880 in steps of 8192 MiB/);
  });


  test('the on-demand base of Fargate Spot is negative', () => {
    expect(() => create({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: -1 }) })).toThrow(/capacity.onDemandBase \(-1\)/);
  });
});

describe('Fargate capacity accepts', () => {
  test('the smallest and largest memory of each CPU the rules above name', () => {
    const sizes: Array<[number, number]> = [[256, 512], [256, 2048], [4096, 8192], [4096, 30720], [16384, 32768], [16384, 122880]];
    for (const [cpu, memoryLimitMiB] of sizes) {
      const { template } = build({ cpu, memoryLimitMiB });
      template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: String(cpu), Memory: String(memoryLimitMiB) });
    }
  });

  test('ARM64 on on-demand Fargate, and X86_64 on Fargate Spot', () => {
    const arm = build({ capacity: ServiceCapacity.fargate(), cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    arm.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    const spot = build({ capacity: ServiceCapacity.fargateSpot(), cpuArchitecture: ecs.CpuArchitecture.X86_64 });
    spot.template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    spot.template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    });
  });
});
