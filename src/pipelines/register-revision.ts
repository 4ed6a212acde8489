import { Duration, PhysicalName, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IDeployTarget } from './deploy-target';
import { acknowledgeEncryption, createProjectRole, DeployActionContext, DeployEngine, targetName } from './pipeline-core';
import { grantPassTaskRoles, grantRegisterRevision } from '../private/pipeline-actions';
import { registerRevisionBuildSpec } from '../private/register-revision-buildspec';

/**
 * The deploy stage of a task no ECS service runs (a ScheduledTask): a CodeBuild action registers a
 * new revision of the task's family with the built image. Its schedule names the family without
 * a revision, so the next run takes the new revision; the record step then writes the image to the
 * task's parameter, so a revision CloudFormation registers later carries it too. Nothing runs
 * during the deployment, so there is nothing to roll back. With `crossEnvironment` the project is in
 * another account or region than the pipeline: the pipeline's template names it, and the artifact
 * bucket's and key's policies name its role, so both get names at synth.
 */
export function registerRevisionEngine(scope: Construct, target: IDeployTarget, crossEnvironment = false): DeployEngine {
  const physicalName = crossEnvironment ? PhysicalName.GENERATE_IF_NEEDED : undefined;
  return {
    codeDeploy: false,
    rollbackOnFailure: false,
    deployAction: (buildOutput: codepipeline.Artifact, pipeline: DeployActionContext) => {
      const logGroup = new logs.LogGroup(scope, 'DeployLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: pipeline.removalPolicy });
      const role = createProjectRole(scope, 'DeployRole', logGroup, pipeline.artifactBucket, false, physicalName);
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
      grantRegisterRevision(scope, role, target.taskDefinition);
      grantPassTaskRoles(role, target.taskDefinition);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ECS authorizes DescribeTaskDefinition on * only; registering is limited to this task\'s family.',
      });
      const project = new codebuild.PipelineProject(scope, 'Deploy', {
        projectName: physicalName,
        description: `Registers a revision of ${targetName(target)} with the built image`,
        role: role.withoutPolicyUpdates(),
        environment: { buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5, computeType: codebuild.ComputeType.SMALL },
        environmentVariables: {
          CONTAINER_NAME: { value: target.container.containerName },
          TASK_DEFINITION_FAMILY: { value: target.taskDefinition.family },
        },
        buildSpec: codebuild.BuildSpec.fromObject(registerRevisionBuildSpec()),
        logging: { cloudWatch: { logGroup } },
        timeout: Duration.minutes(10),
      });
      project.node.addDependency(role);
      acknowledgeEncryption(project);
      return new actions.CodeBuildAction({ actionName: 'Deploy', project, input: buildOutput, runOrder: pipeline.runOrder });
    },
  };
}
