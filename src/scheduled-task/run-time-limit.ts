import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ResolvedScheduledTask } from './resolve';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';

/**
 * ECS has no time limit for a task, so every run starts a state machine (from ECS's "Task State
 * Change" event when the task is RUNNING) that waits `maxRunTime` and then stops the task
 * (StopTask on a task that has already stopped changes nothing). The stopped task's non-zero exit
 * code makes it a failed run.
 */
export function addRunTimeLimit(scope: Construct, r: ResolvedScheduledTask): sfn.StateMachine {
  const { props } = r;
  const cluster = props.infra.cluster;
  const limit = new Construct(scope, 'RunTimeLimit');
  const region = Stack.of(scope).region;
  // Any task, narrowed to the cluster by ecs:cluster: the cluster's name in the ARN would be a
  // cross-stack reference, which makes a cdk-nag finding that cannot be acknowledged at construction.
  const runTasks = `arn:*:ecs:${Token.isUnresolved(region) ? '*' : region}:*:task/*`;
  const wait = new sfn.Wait(limit, 'WaitMaxRunTime', { time: sfn.WaitTime.duration(r.maxRunTime) });
  // The AWS SDK integration ("AWS SDK service integrations", Step Functions Developer Guide), written
  // out so the role's statement can carry the ecs:cluster condition.
  const stop = new sfn.CustomState(limit, 'StopTask', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:ecs:stopTask`,
      Parameters: {
        'Cluster': cluster.clusterArn,
        'Task.$': '$.detail.taskArn',
        'Reason': `ran longer than maxRunTime (${r.maxRunTime.toHumanString()})`,
      },
    },
  });
  const logGroup = new logs.LogGroup(limit, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: r.removalPolicy });
  const stateMachine = new sfn.StateMachine(limit, 'StateMachine', {
    comment: `Stops a run of ${props.taskName} after ${r.maxRunTime.toHumanString()}`,
    definitionBody: sfn.DefinitionBody.fromChainable(wait.next(stop)),
    timeout: r.maxRunTime.plus(Duration.minutes(5)),
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:StopTask'],
    resources: [runTasks],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));
  acknowledgeWildcards(stateMachine.role, [resourceFinding(scope, runTasks)],
    'Tasks get their IDs when they start: StopTask on the tasks of this cluster (ecs:cluster), which the rule narrows to this schedule\'s runs.');
  acknowledgeWildcards(stateMachine.role, ['Resource::*'],
    'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray (PutTraceSegments) authorize on * only; they are what Step Functions needs to log and trace the executions.');
  new events.Rule(limit, 'Rule', {
    description: `Starts the run-time limit of every run of ${props.taskName}`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: { clusterArn: [cluster.clusterArn], group: [r.group], lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] },
    },
    targets: [new targets.SfnStateMachine(stateMachine)],
  });
  return stateMachine;
}
