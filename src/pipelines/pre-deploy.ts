import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeEncryption, createProjectRole, DeployActionContext, ServiceTarget, targetName } from './pipeline-core';
import { ecsArn, familyRevisions, grantRunTask } from '../private/ecs-arns';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';
import { grantPassTaskRoles, grantRegisterRevision } from '../private/pipeline-actions';
import { preDeployBuildSpec } from '../private/pre-deploy-buildspec';
import { fail } from '../private/validation';

/** Fails when the pre-deploy command cannot run. Returns nothing to create when there is none. */
export function validatePreDeploy(scope: Construct, command: string[] | undefined, service: ServiceTarget | undefined, name: string): void {
  if (command === undefined) {
    return;
  }
  if (!service) {
    fail(scope, `preDeployCommand is set but '${name}' is a task no ECS service runs: run the command in the task itself, or leave preDeployCommand unset`);
  }
  if (command.length === 0 || command.some(c => !Token.isUnresolved(c) && c.length === 0)) {
    fail(scope, `preDeployCommand (${JSON.stringify(command)}) must be a non-empty list of non-empty arguments, such as ['npm', 'run', 'migrate']`);
  }
}

/**
 * The pre-deploy action: a CodeBuild project registers a revision of the service's family with
 * the built image, runs one task of it with the command in the service's subnets, security groups
 * and capacity, waits for it to stop and fails unless its container exited 0 (RunTask,
 * DescribeTasks, Amazon ECS API Reference).
 */
export function preDeployAction(scope: Construct, service: ServiceTarget, command: string[], buildOutput: codepipeline.Artifact,
  pipeline: DeployActionContext): codepipeline.IAction {
  const stack = Stack.of(scope);
  const cluster = service.infra.cluster;
  const taskDefinition = service.taskDefinition;
  const logGroup = new logs.LogGroup(scope, 'PreDeployLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: pipeline.removalPolicy });
  const role = createProjectRole(scope, 'PreDeployRole', logGroup, pipeline.artifactBucket, false);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
  grantRegisterRevision(scope, role, taskDefinition);
  grantPassTaskRoles(role, taskDefinition);
  const revisions = familyRevisions(scope, taskDefinition);
  const tasks = ecsArn(scope, 'task/*');
  grantRunTask(role, revisions, cluster);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeTasks'],
    resources: [tasks],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ECS authorizes DescribeTaskDefinition on * only; registering and running are limited to this service\'s family and cluster.',
  });
  acknowledgeWildcards(role, [resourceFinding(scope, revisions)],
    'Revisions get their numbers when they are registered: the step runs the revision it registered of this service\'s family, in its cluster only (ecs:cluster).');
  acknowledgeWildcards(role, [resourceFinding(scope, tasks)],
    'The task gets its ID when it starts: DescribeTasks on the tasks of this cluster (ecs:cluster), to wait for the one the step started.');

  const subnets = service.infra.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
  const project = new codebuild.PipelineProject(scope, 'PreDeploy', {
    description: `Runs the pre-deploy command of ${targetName(service)} with the built image`,
    role: role.withoutPolicyUpdates(),
    environment: { buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5, computeType: codebuild.ComputeType.SMALL },
    environmentVariables: {
      CONTAINER_NAME: { value: service.container.containerName },
      TASK_DEFINITION_FAMILY: { value: taskDefinition.family },
      CLUSTER: { value: cluster.clusterArn },
      PRE_DEPLOY_COMMAND: { value: stack.toJsonString(command) },
      NETWORK_CONFIGURATION: {
        value: stack.toJsonString({
          awsvpcConfiguration: { subnets, securityGroups: service.connections.securityGroups.map(sg => sg.securityGroupId), assignPublicIp: 'DISABLED' },
        }),
      },
      CAPACITY_PROVIDER_STRATEGY: { value: stack.toJsonString(service.capacity._capacityProviderStrategies) },
    },
    buildSpec: codebuild.BuildSpec.fromObject(preDeployBuildSpec()),
    logging: { cloudWatch: { logGroup } },
    // The longest a migration may run before the pipeline gives up on it.
    timeout: Duration.minutes(60),
  });
  project.node.addDependency(role);
  acknowledgeEncryption(project);
  return new actions.CodeBuildAction({ actionName: 'PreDeploy', project, input: buildOutput, runOrder: 1 });
}
