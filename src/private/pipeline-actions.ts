import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { familyRevisions } from './ecs-arns';
import { acknowledgeWildcards, resourceFinding } from './iam-findings';

/**
 * The deploy actions of aws-codepipeline-actions with the same configuration but least-privilege
 * roles: theirs allow every ECS action they use, and iam:PassRole, on `*`.
 */

export interface ScopedEcsDeployActionProps {
  readonly actionName: string;
  readonly service: ecs.BaseService;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly imageFile: codepipeline.ArtifactPath;
  readonly deploymentTimeout: Duration;
  readonly runOrder?: number;
}

/** CodePipeline's ECS standard deployment: a new revision with the image, then UpdateService. */
export class ScopedEcsDeployAction extends actions.EcsDeployAction {
  constructor(private readonly scopedProps: ScopedEcsDeployActionProps) {
    super(scopedProps);
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const { service, taskDefinition } = this.scopedProps;
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
      resources: [service.serviceArn],
    }));
    // Tasks get their IDs at run time: allowed in this cluster only.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': service.cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }));
    grantRegisterRevision(scope, role, taskDefinition);
    // Tags copied onto the revision it registers, and nothing else.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: ['*'],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
    grantPassTaskRoles(role, taskDefinition);
    const artifacts = grantReadArtifacts(role, options);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ECS authorizes DescribeTaskDefinition on * only; tasks and the new revision get their IDs at deploy time, so DescribeTasks and ListTasks are limited to the cluster (ecs:cluster) and TagResource to RegisterTaskDefinition (ecs:CreateAction).',
    });
    acknowledgeWildcards(role, [resourceFinding(role, artifacts)], 'CodePipeline names the artifact objects per execution: read access to the artifact bucket\'s objects, nothing else.');
    return {
      configuration: {
        ClusterName: service.cluster.clusterName,
        ServiceName: service.serviceName,
        FileName: this.scopedProps.imageFile.fileName,
        DeploymentTimeout: this.scopedProps.deploymentTimeout.toMinutes(),
      },
    };
  }
}

export interface ScopedCodeDeployEcsDeployActionProps {
  readonly actionName: string;
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly input: codepipeline.Artifact;
  readonly runOrder?: number;
}

/** CodePipeline's CodeDeploy ECS blue/green deployment from taskdef.json, appspec.yaml and imageDetail.json. */
export class ScopedCodeDeployEcsDeployAction extends actions.CodeDeployEcsDeployAction {
  constructor(private readonly scopedProps: ScopedCodeDeployEcsDeployActionProps) {
    super({
      actionName: scopedProps.actionName,
      deploymentGroup: scopedProps.deploymentGroup,
      taskDefinitionTemplateFile: scopedProps.input.atPath('taskdef.json'),
      appSpecTemplateFile: scopedProps.input.atPath('appspec.yaml'),
      containerImageInputs: [{ input: scopedProps.input, taskDefinitionPlaceholder: 'IMAGE1_NAME' }],
      runOrder: scopedProps.runOrder,
    });
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const group = this.scopedProps.deploymentGroup;
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
      resources: [group.application.applicationArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
      resources: [group.deploymentGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [group.deploymentConfig.deploymentConfigArn],
    }));
    grantRegisterRevision(scope, role, this.scopedProps.taskDefinition);
    grantPassTaskRoles(role, this.scopedProps.taskDefinition);
    const artifacts = grantReadArtifacts(role, options);
    acknowledgeWildcards(role, [resourceFinding(role, artifacts)], 'CodePipeline names the artifact objects per execution: read access to the artifact bucket\'s objects, nothing else.');
    const input = this.scopedProps.input.artifactName!;
    return {
      configuration: {
        ApplicationName: group.application.applicationName,
        DeploymentGroupName: group.deploymentGroupName,
        TaskDefinitionTemplateArtifact: input,
        TaskDefinitionTemplatePath: 'taskdef.json',
        AppSpecTemplateArtifact: input,
        AppSpecTemplatePath: 'appspec.yaml',
        Image1ArtifactName: input,
        Image1ContainerName: 'IMAGE1_NAME',
      },
    };
  }
}

/**
 * Reads the deploy stage's input from the artifact bucket. Returns the objects' ARN pattern. A role
 * in another account (aws-cdk-lib creates a cross-account action's role in its resource's stack)
 * needs the bucket's and the key's policies to name it too; its own policy names the bucket with
 * wildcards for the partition and the region and account an S3 ARN leaves empty, as the stage's
 * CodeBuild roles do (createProjectRole).
 */
function grantReadArtifacts(role: iam.IRole, options: codepipeline.ActionBindOptions): string {
  const bucket = options.bucket;
  const read = ['s3:GetObject', 's3:GetObjectVersion'];
  if (Stack.of(bucket).account === Stack.of(role).account) {
    const objects = bucket.arnForObjects('*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: read, resources: [objects] }));
    bucket.encryptionKey?.grantDecrypt(role);
    return objects;
  }
  const objects = `arn:*:s3:*:*:${bucket.bucketName}/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: read, resources: [objects] }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: read, resources: [bucket.arnForObjects('*')] }));
  if (bucket.encryptionKey) {
    grantKeyAcrossAccounts(role, bucket.encryptionKey);
  }
  return objects;
}

/**
 * Decrypting with the artifact key from another account. aws-cdk-lib would allow kms:Decrypt on
 * "*" (the key's ARN is unknown in the other account), which in that account covers every key whose
 * policy defers to IAM. Here the role may use keys of the key's account and region only, and the key's
 * policy names the role: a key of another account is usable only when both allow it ("Allowing
 * users in other accounts to use a KMS key", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
 */
export function grantKeyAcrossAccounts(role: iam.IRole, key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: ['*'] }));
  const keyStack = Stack.of(key);
  const keys = `arn:*:kms:${keyStack.region}:${keyStack.account}:key/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [keys] }));
  acknowledgeWildcards(role, [resourceFinding(role, keys)], 'The artifact key is in the pipeline\'s account, whose key ID is unknown here: keys of that account and region only, and only the artifact key\'s policy names this role.');
}

/** The task definition's roles, to ECS tasks only. */
export function grantPassTaskRoles(role: iam.IRole, taskDefinition: ecs.TaskDefinition): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
}

/**
 * Lets the action register revisions of the service's task definition family and no other
 * (RegisterTaskDefinition authorizes the task-definition resource type, "Actions, resources, and
 * condition keys for Amazon Elastic Container Service"). The ARN leaves partition and account as
 * wildcards, as the EC2 instance role does: pseudo parameters in it would make a cdk-nag finding
 * that cannot be acknowledged finding by finding; a role registers in its own account only.
 */
export function grantRegisterRevision(scope: Construct, role: iam.IRole, taskDefinition: ecs.TaskDefinition): void {
  const revisions = familyRevisions(scope, taskDefinition);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:RegisterTaskDefinition'], resources: [revisions] }));
  acknowledgeWildcards(role, [resourceFinding(scope, revisions)],
    'Revisions get their numbers when they are registered: any revision of this service\'s task definition family, nothing else.');
}
