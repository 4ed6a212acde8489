import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * ECS ARN patterns in the stack's region, with partition and account as wildcards: an ARN with
 * pseudo parameters makes a cdk-nag finding that cannot be acknowledged on its own, and a role acts
 * in its own account only.
 */
export function ecsArn(scope: IConstruct, resource: string): string {
  const region = Stack.of(scope).region;
  return `arn:*:ecs:${Token.isUnresolved(region) ? '*' : region}:*:${resource}`;
}

/** Every revision of a task definition's family. */
export function familyRevisions(_scope: IConstruct, taskDefinition: ecs.TaskDefinition): string {
  // In the task definition's region: a release pipeline deploys to other regions too.
  return ecsArn(taskDefinition, `task-definition/${taskDefinition.family}:*`);
}

/** RunTask of the family's revisions, in this cluster only. */
export function grantRunTask(role: iam.IRole, revisions: string, cluster: ecs.ICluster): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:RunTask'],
    resources: [revisions],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));
}
