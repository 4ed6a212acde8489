import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ResolvedScheduledTask } from './resolve';
import { ecsArn, familyRevisions, grantRunTask } from '../private/ecs-arns';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';

/** What runs the task on its schedule. */
export interface RunSchedule {
  readonly schedule: scheduler.CfnSchedule;
  readonly role: iam.Role;
}

/**
 * The EventBridge Scheduler schedule that runs the task (ECS RunTask as a templated target,
 * "Using Amazon EventBridge Scheduler to schedule Amazon ECS tasks",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/tasks-scheduled.html), its role,
 * retry policy and dead-letter queue.
 *
 * The target names the task definition family without a revision: RunTask then runs "the latest
 * ACTIVE revision" (RunTask, taskDefinition), which is the one the pipeline registered last, or the
 * one CloudFormation registered last with the image the pipeline recorded; naming CloudFormation's
 * revision would put the schedule back on an older image.
 */
export function addRunSchedule(scope: Construct, r: ResolvedScheduledTask, taskDefinition: ecs.TaskDefinition,
  securityGroup: ec2.ISecurityGroup, deadLetterQueue: sqs.IQueue, executeCommand: boolean): RunSchedule {
  const { props } = r;
  const stack = Stack.of(scope);
  const cluster = props.infra.cluster;
  const role = new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      // Only this account's schedules may use the role ("Set up the execution role", EventBridge Scheduler User Guide).
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Runs the scheduled task ${props.taskName}`,
  });
  // Partition and account as wildcards, as the pipeline's deploy actions grant them: an ARN with
  // pseudo parameters makes a cdk-nag finding that cannot be acknowledged on its own.
  const revisions = familyRevisions(scope, taskDefinition);
  // Any task: the cluster's name in the ARN would be a cross-stack reference, whose cdk-nag finding
  // cannot be acknowledged at construction; the condition limits it to tasks RunTask creates.
  const tasks = ecsArn(scope, 'task/*');
  grantRunTask(role, revisions, cluster);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
  // ECS managed tags are added to the task RunTask creates.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:TagResource'],
    resources: [tasks],
    conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
  }));
  deadLetterQueue.grantSendMessages(role);
  acknowledgeWildcards(role, [resourceFinding(scope, revisions)],
    'Revisions get their numbers when they are registered, by CloudFormation or the pipeline: any revision of this task\'s family, run in this cluster only (ecs:cluster).');
  acknowledgeWildcards(role, [resourceFinding(scope, tasks)],
    'Tasks get their IDs when they start: tags on the tasks RunTask creates (ecs:CreateAction), nothing else.');

  const capacity = r.capacity;
  const subnets = props.infra.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
  const schedule = new scheduler.CfnSchedule(scope, 'Schedule', {
    description: `Runs ${props.taskName}`,
    scheduleExpression: props.schedule.expressionString,
    scheduleExpressionTimezone: props.schedule.timeZone?.timezoneName,
    flexibleTimeWindow: props.flexibleTimeWindow
      ? { mode: 'FLEXIBLE', maximumWindowInMinutes: props.flexibleTimeWindow.toMinutes() }
      : { mode: 'OFF' },
    state: props.enabled === false ? 'DISABLED' : 'ENABLED',
    target: {
      arn: cluster.clusterArn,
      roleArn: role.roleArn,
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: r.retryAttempts, maximumEventAgeInSeconds: r.maxEventAge.toSeconds() },
      ecsParameters: {
        taskDefinitionArn: stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: taskDefinition.family }),
        taskCount: 1,
        group: r.group,
        capacityProviderStrategy: capacity._capacityProviderStrategies
          .map(s => ({ capacityProvider: s.capacityProvider, weight: s.weight, base: s.base })),
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [securityGroup.securityGroupId], assignPublicIp: 'DISABLED' } },
        placementStrategy: capacity.placementStrategies.length > 0 ? capacity.placementStrategies.flatMap(p => p.toJson()) : undefined,
        placementConstraints: capacity.placementConstraints.length > 0 ? capacity.placementConstraints.flatMap(p => p.toJson()) : undefined,
        enableEcsManagedTags: true,
        // Scheduler passes it to RunTask ("EcsParameters", EnableExecuteCommand, EventBridge Scheduler
        // API Reference, https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html).
        // Absent rather than false without ECS Exec, so existing schedules' templates do not change.
        enableExecuteCommand: executeCommand || undefined,
        propagateTags: 'TASK_DEFINITION',
      },
    },
  });
  // The first run must not start before the role may run the task.
  schedule.node.addDependency(role);
  return { schedule, role };
}
