import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BaseInfra } from '../src';
import { newStack } from './util';
import { guardFindings, nagFindings } from './validators';

describe('BaseInfra with defaults', () => {
  const stack = newStack();
  const infra = new BaseInfra(stack, 'Infra');
  const template = Template.fromStack(stack);

  test('creates a VPC over two AZs with public and private subnets', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 4);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    expect(infra.vpc.publicSubnets).toHaveLength(2);
    expect(infra.vpc.privateSubnets).toHaveLength(2);
  });

  test('creates one NAT gateway per AZ', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('logs all VPC traffic to a retained log group', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('creates a cluster with enhanced Container Insights and Fargate capacity providers', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });

  test('creates a private DNS namespace in the VPC', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
      Name: 'svc.internal',
      Vpc: { Ref: Match.stringLikeRegexp('InfraVpc') },
    });
  });
});

test('natGateways 1 trades availability for cost', () => {
  const stack = newStack();
  new BaseInfra(stack, 'Infra', { natGateways: 1 });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::NatGateway', 1);
  // Both private subnets route through the one NAT gateway.
  template.resourcePropertiesCountIs('AWS::EC2::Route', { NatGatewayId: Match.anyValue() }, 2);
});

test('flow-log retention and namespace name are configurable', () => {
  const stack = newStack();
  new BaseInfra(stack, 'Infra', { flowLogRetention: logs.RetentionDays.ONE_YEAR, namespaceName: 'prod.example.internal' });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'prod.example.internal' });
});

test('uses an existing VPC and cluster instead of creating them', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const infra = new BaseInfra(stack, 'Infra', { cluster });
  expect(infra.vpc).toBe(vpc);
  expect(infra.cluster).toBe(cluster);
  expect(infra.flowLogGroup).toBeUndefined();
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::VPC', 1);
  template.resourceCountIs('AWS::ECS::Cluster', 1);
  template.resourceCountIs('AWS::EC2::FlowLog', 0);
  template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Vpc: { Ref: Match.stringLikeRegexp('Existing') } });
});

test('fromBaseInfraAttributes imports infrastructure from another app', () => {
  const stack = newStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'],
  });
  const infra = BaseInfra.fromBaseInfraAttributes(stack, 'Imported', {
    vpc, clusterName: 'platform', namespaceName: 'svc.internal', namespaceId: 'ns-1', namespaceArn: 'arn:aws:servicediscovery:eu-west-1:1:namespace/ns-1',
  });
  expect(infra.cluster.clusterName).toBe('platform');
  expect(infra.namespace.namespaceName).toBe('svc.internal');
  expect(infra.namespace.namespaceId).toBe('ns-1');
  expect(infra.vpc).toBe(vpc);
  expect(Template.fromStack(stack).toJSON().Resources).toBeUndefined();
});

describe('BaseInfra fails when', () => {
  test('natGateways is 0, leaving tasks without egress', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { natGateways: 0 })).toThrow(/natGateways \(0\) leaves the private subnets without egress/);
  });
  test('natGateways exceeds the number of AZs', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { natGateways: 3 }))
      .toThrow('Test/Infra: natGateways (3) must be a whole number from 1 to 2: at least one for egress, at most one per Availability Zone (maxAzs)');
  });
  test('maxAzs is more than a stack without an account gets', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { maxAzs: 3 }))
      .toThrow("Test/Infra: maxAzs (3) is more than the 2 Availability Zones a stack without an account gets (aws-cdk-lib cannot look the region's zones up without one), so the VPC would span 2: use maxAzs 2, or set env: { account, region } on the stack");
    expect(() => new BaseInfra(new Stack(undefined, 'Agnostic'), 'Infra', { maxAzs: 3 })).toThrow(/maxAzs \(3\) is more than the 2 Availability Zones/);
  });
  test('the EC2 instance type is not one whose size the library knows, or does not exist', () => {
    for (const type of ['x2gd.large', 'm7i.huge', 'm7i.metal-24xl', 'g5.xlarge']) {
      expect(() => new BaseInfra(newStack(), 'Infra', { ec2Capacity: { instanceType: new ec2.InstanceType(type) } }))
        .toThrow(new RegExp(`Test/Infra: ec2Capacity.instanceType \\(${type.replace('.', '\\.')}\\) is not an instance type whose vCPUs and memory this library knows \\(m5, .*\\), so no service could be checked to fit on it: use a type of those families, or create the Auto Scaling group capacity provider yourself and give services ServiceCapacity.ec2\\(\\{ capacityProvider \\}\\)`));
    }
  });
  test('maxAzs is out of range', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { maxAzs: 0 })).toThrow(/maxAzs \(0\) must be a whole number from 1 to 6/);
  });
  test('the namespace name is not a DNS name', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { namespaceName: 'My_Namespace' })).toThrow(/namespaceName \('My_Namespace'\) must be a DNS name/);
  });
  test('VPC options are given with an existing VPC', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new BaseInfra(stack, 'Infra', { vpc, natGateways: 1 })).toThrow(/natGateways only applies to the VPC BaseInfra creates/);
  });
});

describe('BaseInfra accepts', () => {
  test('maxAzs 3 in a stack with an account, whose zones come from the context', () => {
    const stack = new Stack(undefined, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    stack.node.setContext('availability-zones:account=111111111111:region=eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const infra = new BaseInfra(stack, 'Infra', { maxAzs: 3 });
    expect(infra.vpc.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });
  test('natGateways 1 with maxAzs 1, and the instance types of the size table', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { maxAzs: 1, natGateways: 1 })).not.toThrow();
    for (const type of ['m5d.2xlarge', 'c6gd.medium', 'r7gd.16xlarge', 't4g.small']) {
      expect(() => new BaseInfra(newStack(), 'Infra', { ec2Capacity: { instanceType: new ec2.InstanceType(type) } })).not.toThrow();
    }
  });
});

describe('BaseInfra with EC2 capacity', () => {
  const stack = newStack();
  const infra = new BaseInfra(stack, 'Infra', {
    ec2Capacity: { instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE), maxCapacity: 6, targetCapacityPercent: 80 },
  });
  const template = Template.fromStack(stack);

  test('adds an Auto Scaling group of ECS-optimized AL2023 instances matching the instance architecture', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'm7g.large',
        ImageId: { Ref: Match.stringLikeRegexp('ecsoptimizedamiamazonlinux2023arm64recommendedimageid') },
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }],
      }),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '6',
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
    });
    expect(infra.ec2InstanceType?.toString()).toBe('m7g.large');
  });

  test('can be deleted: no scale-in protection on the instances, which would block the group\'s deletion', () => {
    const group = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0];
    expect(group.Properties.NewInstancesProtectedFromScaleIn).toBeUndefined();
  });

  test('registers a capacity provider with managed scaling and managed draining next to Fargate', () => {
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 80 },
        ManagedTerminationProtection: 'DISABLED',
        ManagedDraining: 'ENABLED',
      }),
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT', { Ref: Match.stringLikeRegexp('Ec2CapacityProvider') }],
    });
    expect(infra.ec2CapacityProvider).toBeDefined();
  });

  test('joins the cluster and blocks tasks from the instance metadata service', () => {
    const lt = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0];
    const userData = JSON.stringify(lt.Properties.LaunchTemplateData.UserData);
    expect(userData).toContain('ECS_CLUSTER=');
    expect(userData).toContain('ECS_AWSVPC_BLOCK_IMDS=true');
  });

  test('the instance role has no wildcard except for actions AWS authorizes only on "*"', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Ec2CapacityInstanceRole') }] },
    }));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    const onStar = statements.filter((s: any) => s.Resource === '*');
    expect(onStar).toEqual([{ Action: ['ecs:DiscoverPollEndpoint', 'ecr:GetAuthorizationToken'], Effect: 'Allow', Resource: '*' }]);
    const register = statements.find((s: any) => s.Action.includes('ecs:RegisterContainerInstance'));
    expect(register.Resource['Fn::GetAtt']).toEqual([expect.stringMatching(/^InfraCluster/), 'Arn']);
    const poll = statements.find((s: any) => s.Action.includes('ecs:Poll'));
    expect(JSON.stringify(poll.Resource)).toMatch(/container-instance\/.*InfraCluster.*\/\*/);
  });
});

test('cdk-nag reports nothing unacknowledged for EC2 capacity, each wildcard acknowledged by itself', () => {
  const stack = newStack();
  new BaseInfra(stack, 'Infra', { natGateways: 1, ec2Capacity: {} });
  const app = stack.node.root as App;
  app.synth();
  expect(nagFindings(app)).toEqual([]);
  const acks = Object.keys(stack.node.findChild('Infra').node.findChild('Ec2Capacity').node.findChild('InstanceRole').node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop()?.data ?? {});
  expect(acks).toEqual([
    'AwsSolutions-IAM5[Resource::*]',
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:\*:ecs:eu-west-1:\*:container-instance\/<InfraCluster[0-9A-F]+>\/\*\]$/),
  ]);
});

describe('BaseInfra with EC2 capacity fails when', () => {
  test('minCapacity exceeds maxCapacity', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { ec2Capacity: { minCapacity: 5, maxCapacity: 2 } }))
      .toThrow(/ec2Capacity.minCapacity \(5\) must not exceed ec2Capacity.maxCapacity \(2\)/);
  });
  test('the root volume is smaller than the AMI needs', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { ec2Capacity: { rootVolumeSizeGiB: 8 } })).toThrow(/ec2Capacity.rootVolumeSizeGiB \(8\) must be a whole number from 30/);
  });
  test('the target capacity is out of range', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { ec2Capacity: { targetCapacityPercent: 0 } })).toThrow(/ec2Capacity.targetCapacityPercent \(0\)/);
  });
  test('the cluster is imported and cannot get a capacity provider', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'x', vpc });
    expect(() => new BaseInfra(stack, 'Infra', { cluster, ec2Capacity: {} })).toThrow(/ec2Capacity needs a cluster BaseInfra creates/);
  });
});

describe('BaseInfra with executeCommand', () => {
  const stack = newStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['s-1', 's-2'], publicSubnetIds: ['s-3', 's-4'],
  });
  const infra = new BaseInfra(stack, 'Infra', { vpc, executeCommand: true });
  const template = Template.fromStack(stack);

  test('configures the cluster to log every session, encrypted with its own key (logging OVERRIDE)', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InfraExecKey'), 'Arn'] },
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('InfraExecLogs') }, CloudWatchEncryptionEnabled: true, S3BucketName: Match.absent() },
        },
      },
    });
    expect(infra.executeCommandKey).toBeDefined();
    expect(infra.executeCommandLogGroup).toBeDefined();
    expect(infra.executeCommandLogsBucket).toBeUndefined();
  });

  test('creates a retained key with rotation, usable by CloudWatch Logs for the account\'s log groups only', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          })]),
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('lets only AWS services create grants on the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }]),
      },
    });
  });

  test('passes the cfn-guard Control Tower rule on KMS grants (CT.KMS.PR.3)', () => {
    expect(guardFindings(stack.node.root as App).map(f => f.rule)).not.toContain('CT.KMS.PR.3');
  });

  test('keeps session logs a year in a retained log group encrypted with the key', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InfraExecKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});

describe('BaseInfra without executeCommand', () => {
  test('creates no key, no session log group and no cluster configuration', () => {
    const stack = newStack();
    const infra = new BaseInfra(stack, 'Infra');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::ECS::Cluster', { Configuration: Match.absent() });
    expect(infra.executeCommandKey).toBeUndefined();
  });
});

describe('BaseInfra with executeCommand accepts', () => {
  test('a session bucket, written under ecs-exec/ with encryption checked', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Audit');
    const infra = new BaseInfra(stack, 'Infra', { executeCommand: true, executeCommandLogsBucket: bucket, executeCommandLogRetention: logs.RetentionDays.TWO_YEARS });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: { ExecuteCommandConfiguration: { LogConfiguration: { S3BucketName: { Ref: Match.stringLikeRegexp('Audit') }, S3EncryptionEnabled: true, S3KeyPrefix: 'ecs-exec' } } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731, KmsKeyId: Match.anyValue() });
    expect(infra.executeCommandLogsBucket).toBe(bucket);
  });
});

describe('BaseInfra with executeCommand fails when', () => {
  test('an existing cluster is given', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'x', vpc });
    expect(() => new BaseInfra(stack, 'Infra', { cluster, executeCommand: true }))
      .toThrow('Test/Infra: executeCommand configures the cluster BaseInfra creates, but an existing cluster was given: remove cluster, or configure ECS Exec on that cluster and pass its key and log group to BaseInfra.fromBaseInfraAttributes()');
  });
  test('its options are given without it', () => {
    expect(() => new BaseInfra(newStack(), 'Infra', { executeCommandLogRetention: logs.RetentionDays.ONE_WEEK }))
      .toThrow('Test/Infra: executeCommandLogRetention is set but executeCommand is not: set executeCommand to true, or remove executeCommandLogRetention');
    const stack = newStack();
    expect(() => new BaseInfra(stack, 'Infra', { executeCommandLogsBucket: new s3.Bucket(stack, 'B') }))
      .toThrow(/executeCommandLogsBucket is set but executeCommand is not/);
  });
  test('the session bucket is encrypted with a KMS key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Audit', { encryption: s3.BucketEncryption.KMS });
    expect(() => new BaseInfra(stack, 'Infra', { executeCommand: true, executeCommandLogsBucket: bucket }))
      .toThrow(/executeCommandLogsBucket \(Test\/Audit\) is encrypted with a KMS key .*S3_MANAGED/);
  });
  test('imported infra has an ECS Exec key without its log group', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => BaseInfra.fromBaseInfraAttributes(stack, 'Shared', {
      vpc,
      clusterName: 'c',
      namespaceName: 'svc.internal',
      namespaceId: 'ns-1',
      namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1',
      executeCommandKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    })).toThrow('Test/Shared: executeCommandKey and executeCommandLogGroup describe one ECS Exec configuration: give both, or neither');
  });
});
