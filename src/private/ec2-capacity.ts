import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Ec2CapacityOptions } from '../base-infra';
import { acknowledgeWildcards, resourceFinding } from './iam-findings';
import { checkRange, fail } from './validation';

export interface Ec2CapacityProps extends Ec2CapacityOptions {
  readonly cluster: ecs.Cluster;
  readonly vpc: ec2.IVpc;
}

/**
 * ECS-optimized Amazon Linux 2023 instances in the private subnets, as a cluster capacity provider.
 *
 * The instance role is written here rather than by `Cluster.addAsgCapacityProvider`, whose role
 * statements use `Resource: "*"` for actions that can be scoped to the cluster.
 */
export class Ec2Capacity extends Construct {
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly instanceType: ec2.InstanceType;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    this.instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE);
    const minCapacity = props.minCapacity ?? 0;
    const maxCapacity = props.maxCapacity ?? 4;
    checkRange(scope, 'ec2Capacity.minCapacity', minCapacity, 0, 1000);
    checkRange(scope, 'ec2Capacity.maxCapacity', maxCapacity, 1, 1000);
    checkRange(scope, 'ec2Capacity.targetCapacityPercent', props.targetCapacityPercent, 1, 100);
    checkRange(scope, 'ec2Capacity.rootVolumeSizeGiB', props.rootVolumeSizeGiB, 30, 16384, 'the ECS-optimized AMI needs at least 30 GiB');
    if (minCapacity > maxCapacity) {
      fail(scope, `ec2Capacity.minCapacity (${minCapacity}) must not exceed ec2Capacity.maxCapacity (${maxCapacity})`);
    }
    const arm = this.instanceType.architecture === ec2.InstanceArchitecture.ARM_64;

    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container instances: register with one cluster and report task state',
    });
    const stack = Stack.of(this);
    const cluster = props.cluster;
    role.addToPolicy(new iam.PolicyStatement({
      actions: [
        'ecs:RegisterContainerInstance',
        'ecs:DeregisterContainerInstance',
        'ecs:SubmitAttachmentStateChanges',
        'ecs:SubmitContainerStateChange',
        'ecs:SubmitTaskStateChange',
      ],
      resources: [cluster.clusterArn],
    }));
    // The instances of this cluster, whose IDs are assigned when they register. Partition and
    // account are wildcards rather than pseudo parameters: ECS has no resource policies, so the
    // role acts in its own account only, and the ARN stays one cdk-nag finding that can be
    // acknowledged by itself.
    const region = Token.isUnresolved(stack.region) ? '*' : stack.region;
    const containerInstances = `arn:*:ecs:${region}:*:container-instance/${cluster.clusterName}/*`;
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:PutSystemLogEvents'],
      resources: [containerInstances],
    }));
    // These two actions have no resource-level permissions: AWS authorizes them only on "*".
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:DiscoverPollEndpoint', 'ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    acknowledgeWildcards(role, ['Resource::*', resourceFinding(role, containerInstances)],
      'ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken support no resource-level permissions (AWS authorizes them only on "*"); the container-instance wildcard covers the instances of this one cluster, whose IDs are assigned when they register.');

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: this.instanceType,
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(arm ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD),
      // The cluster wiring below would add its own statements on "*"; this role keeps only the scoped ones above.
      role: role.withoutPolicyUpdates(),
      userData: ec2.UserData.forLinux(),
      requireImdsv2: true,
      securityGroup: new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: 'ECS container instances (tasks use awsvpc and their own groups)' }),
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeSizeGiB ?? 30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity,
      maxCapacity,
    });

    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'ECS managed scaling launches and terminates the instances; every scaling activity is in the group\'s activity history and the capacity provider\'s CapacityProviderReservation metric, and there is no operator who acts on each event.',
    });

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'Provider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      // Managed termination protection needs scale-in protection on every instance, which also
      // blocks deleting the stack (the group cannot terminate protected instances). Managed
      // draining moves tasks off an instance before the group terminates it instead, on scale-in
      // and on deletion alike: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
      enableManagedTerminationProtection: false,
      enableManagedDraining: true,
      targetCapacityPercent: props.targetCapacityPercent ?? 100,
    });
    cluster.addAsgCapacityProvider(this.capacityProvider);
    // Tasks run in awsvpc mode and must not borrow the instance role through the metadata service.
    this.autoScalingGroup.addUserData('echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');
  }
}
