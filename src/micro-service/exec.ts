import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ContainerTaskProps } from '../container-task-props';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';
import { fail } from '../private/validation';

/**
 * ECS Exec on a task definition, audited by the cluster's configuration: the task role gets
 * exactly what the SSM agent in the task uses — the ssmmessages channels, the cluster's key to
 * decrypt the session, and writes to the session log group and bucket ("Monitor Amazon ECS containers with ECS Exec", IAM permissions and logging,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html; "Amazon ECS task IAM
 * role", ECS Exec permissions,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
 *
 * aws-cdk-lib's `enableExecuteCommand` service prop is not used: it also grants
 * `kms:GenerateDataKey` (the user's side of the session, not the task's), `s3:GetBucketLocation`
 * on `*`, and adds a key-policy statement of its own.
 *
 * The caller allows `execute-command` where its tasks start (the service, or the schedule's RunTask)
 * when this returns true.
 */
export function grantExecuteCommand(scope: Construct, props: Pick<ContainerTaskProps, 'infra' | 'enableExecuteCommand' | 'readonlyRootFilesystem'>,
  taskDefinition: ecs.TaskDefinition): boolean {
  if (!props.enableExecuteCommand) {
    return false;
  }
  const { executeCommandKey: key, executeCommandLogGroup: logGroup, executeCommandLogsBucket: bucket } = props.infra;
  if (!key || !logGroup) {
    fail(scope, 'enableExecuteCommand is true but the infra\'s cluster has no audited ECS Exec configuration (executeCommandKey and executeCommandLogGroup): create the BaseInfra with executeCommand: true, or pass the key and log group of the cluster\'s configuration to BaseInfra.fromBaseInfraAttributes()');
  }
  // "The SSM agent requires that the container file system is able to be written to" (ecs-exec.html, considerations).
  // The SSM agent ECS mounts into the container writes to its file system: ECS Exec does not run
  // with a read-only root file system (aws-containers/amazon-ecs-exec-checker #21, whose note was
  // added to the ECS Exec page; containers-roadmap #1359).
  if (props.readonlyRootFilesystem) {
    fail(scope, 'enableExecuteCommand is true but readonlyRootFilesystem is true, and the SSM agent ECS Exec runs in the container must write to its file system: set readonlyRootFilesystem to false, or enableExecuteCommand to false');
  }
  const role = taskDefinition.taskRole;
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    resources: ['*'],
  }));
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  const findings = ['Resource::*', resourceFinding(role, logGroup.logGroupArn)];
  if (bucket) {
    const objects = bucket.arnForObjects('ecs-exec/*');
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetEncryptionConfiguration'], resources: [bucket.bucketArn] }));
    findings.push(resourceFinding(role, objects));
  }
  acknowledgeWildcards(role, findings, 'ECS Exec: the ssmmessages channel actions and logs:DescribeLogGroups support no resource-level permissions, so AWS documents them on *; session logs are written only to the cluster\'s ECS Exec log group (its streams) and objects under ecs-exec/ of its bucket.');
  return true;
}

/** ECS Exec on a service's tasks: allowed on the service, the task role granted as above. */
export function enableExecuteCommand(scope: Construct, props: Pick<ContainerTaskProps, 'infra' | 'enableExecuteCommand' | 'readonlyRootFilesystem'>,
  service: ecs.BaseService, taskDefinition: ecs.TaskDefinition): void {
  if (grantExecuteCommand(scope, props, taskDefinition)) {
    (service.node.defaultChild as ecs.CfnService).enableExecuteCommand = true;
  }
}
