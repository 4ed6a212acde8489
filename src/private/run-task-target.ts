import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/** What a RunTaskTarget starts, and where. */
export interface RunTaskTargetProps {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
  /** The role EventBridge assumes to call RunTask. It is granted exactly that. */
  readonly role: iam.IRole;
}

/**
 * An EventBridge target that starts one Fargate task with ECS RunTask.
 *
 * `aws-events-targets.EcsTask` takes no capacity-provider strategy (so no Fargate Spot), and it
 * always grants `ecs:TagResource` on every task of the cluster; this target asks for a strategy
 * and grants only `ecs:RunTask` on the one task definition plus passing its two roles.
 */
export class RunTaskTarget implements events.IRuleTarget {
  constructor(private readonly props: RunTaskTargetProps) {}

  public bind(): events.RuleTargetConfig {
    const { cluster, taskDefinition, role } = this.props;
    taskDefinition.grantRun(role);
    return {
      arn: cluster.clusterArn,
      role,
      targetResource: taskDefinition,
      ecsParameters: {
        taskDefinitionArn: taskDefinition.taskDefinitionArn,
        taskCount: 1,
        // A strategy replaces the launch type; the two must not both be set.
        capacityProviderStrategy: this.props.capacityProviderStrategies.map(s => ({
          capacityProvider: s.capacityProvider,
          weight: s.weight,
          base: s.base,
        })),
        networkConfiguration: {
          awsVpcConfiguration: {
            subnets: cluster.vpc.selectSubnets(this.props.subnets).subnetIds,
            securityGroups: this.props.securityGroups.map(sg => sg.securityGroupId),
            assignPublicIp: 'DISABLED',
          },
        },
      },
    };
  }
}
