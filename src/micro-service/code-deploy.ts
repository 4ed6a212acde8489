import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { addGreenSide, BlueGreenResources, ProductionTraffic, validateBlueGreen } from './blue-green';
import { ResolvedProps } from './resolve';
import { DeploymentStrategy } from '../deployment-strategy';
import { checkRange, checkWholeMinutes, fail } from '../private/validation';
import { TrafficShiftingType } from '../traffic-shifting';

/**
 * CodeDeploy blue/green: a deployment group that shifts the listeners from the blue to the green
 * target group, with a role scoped to this service.
 */
export function attachCodeDeploy(scope: Construct, r: ResolvedProps, traffic: ProductionTraffic): BlueGreenResources {
  // CodeDeploy needs the green target group behind a listener before its first deployment.
  const { green, testListener } = addGreenSide(scope, r, traffic, 'green');
  const strategy = r.strategy;
  const service = traffic.service;
  const taskDefinition = service.taskDefinition;
  // What CodeDeploy's ECS blue/green needs, on this service only (instead of the AWS managed
  // AWSCodeDeployRoleForECS, which allows it on every service, listener and role). Reading the
  // deployment alarms is granted per alarm as they are added (`grantDescribeAlarm`).
  const role = new iam.Role(scope, 'CodeDeployRole', {
    assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
    description: 'Lets CodeDeploy run blue/green deployments of this service',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet'],
    resources: [service.serviceArn],
  }));
  // Task sets get their IDs during a deployment: allowed on this service's task sets by condition.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:CreateTaskSet', 'ecs:DeleteTaskSet'],
    resources: ['*'],
    conditions: { ArnEquals: { 'ecs:service': service.serviceArn } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: [traffic.listener.listenerArn, testListener.listenerArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
    resources: ['*'],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Elastic Load Balancing\'s Describe* actions are authorized on * only; task sets get their IDs during a deployment, so creating and deleting them is allowed on * for this service only (ecs:service condition). Everything else is scoped to this service, its listeners and its roles.',
  });

  const shifting = strategy.trafficShifting!;
  const deploymentGroup = new codedeploy.EcsDeploymentGroup(scope, 'DeploymentGroup', {
    service,
    blueGreenDeploymentConfig: {
      blueTargetGroup: traffic.blue,
      greenTargetGroup: green,
      listener: traffic.listener,
      testListener,
      terminationWaitTime: strategy.terminationWaitTime,
    },
    deploymentConfig: deploymentConfig(scope, shifting.type, shifting.percentage, shifting.interval),
    autoRollback: { failedDeployment: true, stoppedDeployment: true },
    // The deployment group would attach AWSCodeDeployRoleForECS to any role it is given.
    role: role.withoutPolicyUpdates(),
  });
  deploymentGroup.node.addDependency(role);
  // CodeDeploy moves production by rewriting the listener's default action, which CloudFormation
  // also owns (aws-cdk #36649): any later update of the listener resource writes blue back.
  Annotations.of(scope).addWarningV2('cdk-ecs-devops:codeDeployListenerUpdates',
    `'${r.props.serviceName}' deploys with CodeDeploy, which points the listener's default action at whichever target group won the last deployment; a later CloudFormation update of the listener (certificate, sslPolicy, listenerPort, protocol) writes the blue target group back, which after an odd number of deployments has no tasks: prefer DeploymentStrategy.blueGreen(), canary() or linear(), whose traffic sits on listener rules such changes leave alone`);
  return { greenTargetGroup: green, testListener, deploymentGroup };
}

/** CodeDeploy's predefined configuration where one matches, otherwise one of this service's own. */
function deploymentConfig(scope: Construct, type: TrafficShiftingType, percentage: number, interval: Duration): codedeploy.IEcsDeploymentConfig {
  if (type === TrafficShiftingType.ALL_AT_ONCE) {
    return codedeploy.EcsDeploymentConfig.ALL_AT_ONCE;
  }
  const minutes = interval.isUnresolved() ? undefined : interval.toMinutes();
  const predefined: Record<string, codedeploy.IEcsDeploymentConfig> = {
    'CANARY/10/5': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    'CANARY/10/15': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES,
    'LINEAR/10/1': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
    'LINEAR/10/3': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  };
  const known = predefined[`${type}/${percentage}/${minutes}`];
  if (known) {
    return known;
  }
  return new codedeploy.EcsDeploymentConfig(scope, 'DeploymentConfig', {
    trafficRouting: type === TrafficShiftingType.CANARY
      ? codedeploy.TrafficRouting.timeBasedCanary({ percentage, interval })
      : codedeploy.TrafficRouting.timeBasedLinear({ percentage, interval }),
  });
}

/** CodeDeploy's limits: whole minutes, a percentage that leaves a second step, no Service Connect, no EC2 placement. */
export function validateCodeDeploy(scope: Construct, r: ResolvedProps, strategy: DeploymentStrategy): void {
  if (r.onEc2) {
    fail(scope, 'deploymentStrategy codeDeploy is not supported on EC2 capacity: CodeDeploy deploys ECS task sets, which take no placement strategies or constraints; use the ECS-native DeploymentStrategy.blueGreen(), canary() or linear(), which keep them, or rolling()');
  }
  validateBlueGreen(scope, r, strategy);
  if (r.props.serviceConnect) {
    fail(scope, 'serviceConnect is set but deploymentStrategy is codeDeploy, which does not support Service Connect: use DeploymentStrategy.blueGreen(), canary() or linear(), or remove serviceConnect');
  }
  const shifting = strategy.trafficShifting!;
  if (shifting.type !== TrafficShiftingType.ALL_AT_ONCE) {
    checkRange(scope, 'trafficShifting percentage', shifting.percentage, 1, 99, 'CodeDeploy shifts whole percentages and needs something left for the second step');
    checkWholeMinutes(scope, 'trafficShifting interval', shifting.interval, 1, 2880);
  }
  checkWholeMinutes(scope, 'deploymentStrategy terminationWaitTime', strategy.terminationWaitTime, 0, 2880);
}


/**
 * Lets CodeDeploy invoke this service's AfterAllowTestTraffic hook function, and no other. The AWS
 * managed AWSCodeDeployRoleForECS would allow only functions named `CodeDeployHook_*`
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html).
 */
export function grantInvokeHook(scope: Construct, functionArn: string): void {
  const role = scope.node.tryFindChild('CodeDeployRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] }));
}

/** Lets CodeDeploy read a deployment alarm of this service's deployment group, and no other. */
export function grantDescribeAlarm(scope: Construct, alarmArn: string): void {
  const role = scope.node.tryFindChild('CodeDeployRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarmArn] }));
}
