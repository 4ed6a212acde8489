import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { buildOnEc2, create, createOnEc2, ec2Infra, IMAGE, serviceProperties } from './builder';
import { app as seed002App, stack as seed002Stack } from '../../integ/integ.seed002';
import {
  BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, PipelineSource, RollingPipeline, ServiceCapacity, ServiceImage,
} from '../../src';
import { instanceResources, schedulableMemoryMiB } from '../../src/private/instance-resources';
import { newStack } from '../util';
import { acknowledgements, nagFindings } from '../validators';

const GRAVITON = ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);

describe('MicroService on the infra\'s EC2 capacity', () => {
  const stack = newStack();
  const service = createOnEc2({}, undefined, stack);
  const infra = service.infra;
  const db = new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
    vpc: infra.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  db.connections.allowDefaultPortFrom(service);
  const template = Template.fromStack(stack);

  test('registers an EC2 task definition in awsvpc mode with task-level CPU and memory', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: Match.absent(),
      ContainerDefinitions: [Match.objectLike({ Name: 'web', Memory: 512, PortMappings: [Match.objectLike({ ContainerPort: 8080 })] })],
    });
    expect(service.taskDefinition.isEc2Compatible).toBe(true);
    expect(service.taskDefinition.isFargateCompatible).toBe(false);
  });

  test('runs on the infra\'s capacity provider, spread across zones and binpacked on memory', () => {
    const props = serviceProperties(template);
    expect(props.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: expect.stringMatching(/^PlatformEc2CapacityProvider/) }, Weight: 1 }]);
    expect(props.LaunchType).toBeUndefined();
    expect(props.PlacementStrategies).toEqual([
      { Type: 'spread', Field: 'attribute:ecs.availability-zone' },
      { Type: 'binpack', Field: 'MEMORY' },
    ]);
    expect(props.PlacementConstraints).toBeUndefined();
    expect(props.NetworkConfiguration).toEqual({
      AwsvpcConfiguration: {
        AssignPublicIp: 'DISABLED',
        SecurityGroups: [{ 'Fn::GetAtt': [expect.stringMatching(/^WebServiceSecurityGroup/), 'GroupId'] }],
        Subnets: ['subnet-priv1', 'subnet-priv2'],
      },
    });
    expect(service.service).toBeInstanceOf(ecs.Ec2Service);
    expect(service.capacity.capacityProvider).toBe(infra.ec2CapacityProvider);
    expect(service.capacity._compatibility).toBe(ecs.Compatibility.EC2);
  });

  test('is created after the cluster knows the capacity provider', () => {
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(associations).toHaveLength(1);
    const ecsService = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(ecsService.DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('keeps the load balancer, Cloud Map and security groups it has on Fargate', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', Port: 8080 });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { DnsConfig: { DnsRecords: [{ TTL: 10, Type: 'A' }] } });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebLoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });

  test('lets a database admit the tasks on its port through connections', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Db'), 'Endpoint.Port'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebServiceSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('EC2 capacity options', () => {
  test('placement strategies and constraints replace the defaults', () => {
    const { template } = buildOnEc2({
      capacity: ServiceCapacity.ec2({
        placementStrategies: [ecs.PlacementStrategy.spreadAcrossInstances()],
        placementConstraints: [
          ecs.PlacementConstraint.distinctInstances(),
          ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7i.*'),
        ],
      }),
    });
    const props = serviceProperties(template);
    expect(props.PlacementStrategies).toEqual([{ Type: 'spread', Field: 'instanceId' }]);
    expect(props.PlacementConstraints).toEqual([
      { Type: 'distinctInstance' },
      { Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ m7i.*' },
    ]);
  });

  test('an empty strategy list leaves placement to the ECS scheduler', () => {
    const { template } = buildOnEc2({ capacity: ServiceCapacity.ec2({ placementStrategies: [] }) });
    expect(serviceProperties(template).PlacementStrategies).toBeUndefined();
  });

  test('a capacity provider of its own, whose instance type the service does not check', () => {
    const stack = newStack();
    const infra = ec2Infra(stack);
    const group = new autoscaling.AutoScalingGroup(stack, 'Large', {
      vpc: infra.vpc,
      instanceType: new ec2.InstanceType('r7i.4xlarge'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      maxCapacity: 2,
    });
    const provider = new ecs.AsgCapacityProvider(stack, 'LargeProvider', { autoScalingGroup: group });
    (infra.cluster as ecs.Cluster).addAsgCapacityProvider(provider);
    // 64 GiB would not fit on the infra's m7i.large; this provider's instances are the user's business.
    const service = new MicroService(stack, 'Big', {
      infra, serviceName: 'big', image: IMAGE, cpu: 8192, memoryLimitMiB: 65536, capacity: ServiceCapacity.ec2({ capacityProvider: provider }),
    });
    expect(service.capacity.capacityProvider).toBe(provider);
    expect(serviceProperties(Template.fromStack(stack)).CapacityProviderStrategy)
      .toEqual([{ CapacityProvider: { Ref: expect.stringMatching(/^LargeProvider/) }, Weight: 1 }]);
  });

  test('task sizes Fargate does not offer, within the instance', () => {
    const { template } = buildOnEc2({ cpu: 384, memoryLimitMiB: 700 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '384', Memory: '700' });
  });

  test('ARM64 tasks on Graviton instances', () => {
    const { template } = buildOnEc2({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }, GRAVITON);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 'm7g.large' }) });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EC2'] });
  });

  test('the pipelines deliver services on EC2 capacity like those on Fargate', () => {
    const stack = newStack();
    const infra = ec2Infra(stack);
    const image = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
    const rolling = new MicroService(stack, 'Rolling', { infra, serviceName: 'rolling', image, capacity: ServiceCapacity.ec2() });
    const canary = new MicroService(stack, 'Canary', {
      infra, serviceName: 'canary', image, capacity: ServiceCapacity.ec2(), deploymentStrategy: DeploymentStrategy.canary(),
    });
    new RollingPipeline(stack, 'RollingPipeline', { service: rolling, source: PipelineSource.s3() });
    new BlueGreenPipeline(stack, 'CanaryPipeline', { service: canary, source: PipelineSource.s3() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CodePipeline::Pipeline', 2);
    template.resourcePropertiesCountIs('AWS::ECS::Service', { CapacityProviderStrategy: [Match.objectLike({ CapacityProvider: Match.anyValue() })], PlacementStrategies: Match.anyValue() }, 2);
  });

  test('Fargate capacity has no provider and no placement, and its service none either', () => {
    for (const capacity of [ServiceCapacity.fargate(), ServiceCapacity.fargateSpot()]) {
      expect(capacity._compatibility).toBe(ecs.Compatibility.FARGATE);
      expect(capacity.capacityProvider).toBeUndefined();
      expect(capacity.placementStrategies).toEqual([]);
      expect(capacity.placementConstraints).toEqual([]);
    }
    const stack = newStack();
    const infra = ec2Infra(stack);
    const web = new MicroService(stack, 'Web', { infra, serviceName: 'web', image: IMAGE, loadBalancerType: LoadBalancerType.NONE });
    expect(web.service).toBeInstanceOf(ecs.FargateService);
    const props = serviceProperties(Template.fromStack(stack));
    expect(props.PlacementStrategies).toBeUndefined();
    expect(props.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);
  });

  test('ec2() without a provider has no strategy until a service binds it to its infra', () => {
    expect(ServiceCapacity.ec2()._capacityProviderStrategies).toEqual([]);
    const service = createOnEc2();
    expect(service.capacity._capacityProviderStrategies).toHaveLength(1);
  });
});

describe('the instance table', () => {
  test('knows burstable, general purpose, compute and memory optimized types', () => {
    expect(instanceResources('t2.micro')).toEqual({ vcpus: 1, memoryMiB: 1024 });
    expect(instanceResources('t3.micro')).toEqual({ vcpus: 2, memoryMiB: 1024 });
    expect(instanceResources('t4g.2xlarge')).toEqual({ vcpus: 8, memoryMiB: 32768 });
    expect(instanceResources('m7g.medium')).toEqual({ vcpus: 1, memoryMiB: 4096 });
    expect(instanceResources('m7i-flex.large')).toEqual({ vcpus: 2, memoryMiB: 8192 });
    expect(instanceResources('c5.9xlarge')).toEqual({ vcpus: 36, memoryMiB: 73728 });
    expect(instanceResources('c7i.2xlarge')).toEqual({ vcpus: 8, memoryMiB: 16384 });
    expect(instanceResources('r6g.16xlarge')).toEqual({ vcpus: 64, memoryMiB: 524288 });
  });

  test('returns nothing for types it does not know, so they are not checked', () => {
    for (const type of ['x2gd.large', 'm7i.metal-24xl', 'p4d.24xlarge', 'c5n.large', 't3.huge']) {
      expect(instanceResources(type)).toBeUndefined();
    }
  });

  test('keeps 5 % of the memory, at least 256 MiB, for the agent and the OS', () => {
    expect(schedulableMemoryMiB({ vcpus: 1, memoryMiB: 1024 })).toBe(768);
    expect(schedulableMemoryMiB({ vcpus: 2, memoryMiB: 8192 })).toBe(7782);
    expect(schedulableMemoryMiB({ vcpus: 64, memoryMiB: 524288 })).toBe(498073);
  });
});

describe('EC2 capacity fails when', () => {
  test('the infra has no EC2 capacity provider and none is given', () => {
    expect(() => create({ capacity: ServiceCapacity.ec2() }))
      .toThrow(/capacity is ServiceCapacity.ec2\(\) but the infra has no EC2 capacity provider: create the BaseInfra with ec2Capacity, or pass ServiceCapacity.ec2\(\{ capacityProvider \}\)/);
  });

  test('the CPU is outside what ECS runs on EC2', () => {
    expect(() => createOnEc2({ cpu: 64 })).toThrow(/cpu \(64\) must be a whole number from 128 to 196608: ECS runs EC2 tasks of 128 to 196608 CPU units/);
  });

  test('the memory is below what Docker gives a container', () => {
    expect(() => createOnEc2({ memoryLimitMiB: 4 })).toThrow(/memoryLimitMiB \(4\) must be a whole number of at least 6: Docker gives a container at least 6 MiB/);
  });

  test('the task needs more CPU than the instance type has', () => {
    expect(() => createOnEc2({ cpu: 4096, memoryLimitMiB: 1024 }))
      .toThrow(/cpu \(4096\) is more than one m7i.large instance has \(2 vCPUs = 2048 CPU units\), so no instance could run the task: use at most 2048, or a larger instance type/);
  });

  test('the task needs more memory than the instance type can hold next to the agent and the OS', () => {
    expect(() => createOnEc2({ cpu: 1024, memoryLimitMiB: 8192 }))
      .toThrow(/memoryLimitMiB \(8192\) does not fit on one m7i.large instance: of its 8192 MiB, tasks can use 7782 MiB \(the rest stays with the ECS agent and the OS\): use at most 7782/);
    expect(() => createOnEc2({ memoryLimitMiB: 1024 }, ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO)))
      .toThrow(/memoryLimitMiB \(1024\) does not fit on one t3.micro instance: of its 1024 MiB, tasks can use 768 MiB/);
  });

  test('the task\'s CPU architecture is not the instance type\'s', () => {
    expect(() => createOnEc2({}, GRAVITON))
      .toThrow(/cpuArchitecture \(X86_64\) does not match the EC2 capacity's instance type m7g.large, which is ARM64 \(Graviton\): set cpuArchitecture to ecs.CpuArchitecture.ARM64/);
    expect(() => createOnEc2({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }))
      .toThrow(/cpuArchitecture \(ARM64\) does not match the EC2 capacity's instance type m7i.large, which is X86_64: set cpuArchitecture to ecs.CpuArchitecture.X86_64/);
  });
});

describe('EC2 capacity accepts', () => {
  test('the smallest task ECS runs on EC2: 128 CPU units and 6 MiB', () => {
    const { template } = buildOnEc2({ cpu: 128, memoryLimitMiB: 6 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '128', Memory: '6' });
  });

  test('the largest task an m7i.large holds: 2 vCPUs and 8192 MiB less the reserve', () => {
    const { template } = buildOnEc2({ cpu: 2048, memoryLimitMiB: 7782 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '7782' });
  });

  test('the largest task a t3.micro holds: 1024 MiB less the 256 MiB reserve', () => {
    const { template } = buildOnEc2({ cpu: 2048, memoryLimitMiB: 768 }, ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO));
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '768' });
  });
});

describe('the seed 002 integ app', () => {
  const template = Template.fromStack(seed002Stack);

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged, and every acknowledgement says why', () => {
    expect(nagFindings(seed002App)).toEqual([]);
    for (const ack of acknowledgements(seed002Stack)) {
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });

  test('the database credentials and the secret key reach the app as secrets, never as environment', () => {
    const container = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
    expect(container.Secrets.map((s: any) => s.Name)).toEqual(['DATABASE_USER', 'DATABASE_PASSWORD', 'SECRET_KEY']);
    expect(container.Environment.map((e: any) => e.Name)).toEqual(['DOMAIN_NAME', 'DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'ASSETS_BUCKET', 'CDN_DOMAIN']);
    expect(container.User).toBe('node');
    // Seed 002 took the password and the secret key as stack parameters.
    expect(Object.keys(template.toJSON().Parameters ?? {}).filter(p => /password|secret/i.test(p))).toEqual([]);
  });

  test('the database is Multi-AZ, encrypted, keeps a week of backups and leaves a snapshot', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ MultiAZ: true, StorageEncrypted: true, BackupRetentionPeriod: 7, PubliclyAccessible: false }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('the assets are private and reach browsers only through CloudFront with origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://app.example.com'] })] },
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', Match.anyValue());
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Enabled: true, DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }),
    });
  });

  test('HTTPS with the given certificate, HTTP redirected, logs kept a year', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });
});
