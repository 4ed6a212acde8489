import { Duration, PhysicalName, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { IDeployTarget } from './deploy-target';
import { preDeployAction, validatePreDeploy } from './pre-deploy';
import type { ServicePipelineBase } from './service-pipeline-base';
import { ImageBuildOptions, ServicePipelineProps } from './service-pipeline-props';
import { codeDeployHooksOf } from '../load-test-gate/code-deploy-hook';
import { MicroService } from '../micro-service';
import { appSpec, BuildSpecObject, imageBuildSpec, recordImageBuildSpec } from '../private/buildspec';
import { describeModel } from '../private/deployment-timing';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';
import { grantKeyAcrossAccounts, ScopedEcsDeployAction } from '../private/pipeline-actions';
import { secureBucket } from '../private/secure-bucket';
import { fail } from '../private/validation';
import { WorkerService } from '../worker-service';

/**
 * What RollingPipeline and BlueGreenPipeline share: source, build, approval, deploy, record and
 * notifications. Only the deploy action differs.
 */

/** The most an ECS deploy action waits, set by CodePipeline. */
const MAX_ECS_DEPLOY_TIMEOUT = Duration.minutes(60);

/** What a pipeline exposes of what it created. */
export type PipelineParts = Pick<ServicePipelineBase,
'pipeline' | 'buildProject' | 'recordProject' | 'artifactBucket' | 'notificationTopic' | 'sourceBucket' | 'sourceRepository'>;

/** A target an ECS service runs, which the ECS deploy action updates. */
export type ServiceTarget = MicroService | WorkerService;

/** The target's ECS service, or undefined for a task no service runs (a ScheduledTask). */
export function serviceTarget(target: IDeployTarget): ServiceTarget | undefined {
  return target instanceof MicroService || target instanceof WorkerService ? target : undefined;
}

/** The target's name in messages and descriptions: its container's, which is its service or task name. */
export function targetName(target: IDeployTarget): string {
  return target.container.containerName;
}

/** What the pipeline created that a deploy action built of a CodeBuild project needs, and where the action goes in its stage. */
export interface DeployActionContext {
  readonly artifactBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  /** 2 after a pre-deploy step. Undefined (the first) otherwise. */
  readonly runOrder?: number;
}

export interface DeployEngine {
  /** Whether the deploy stage is CodeDeploy's (taskdef.json and appspec.yaml) or ECS's (imagedefinitions.json). */
  readonly codeDeploy: boolean;
  /** Whether CodePipeline rolls the deploy stage back to the last successful execution when it fails. */
  readonly rollbackOnFailure: boolean;
  /** The deploy action, given the build's output artifact and what the pipeline created for its own projects. */
  deployAction(buildOutput: codepipeline.Artifact, pipeline: DeployActionContext): codepipeline.IAction;
}

/** Checks every pipeline makes before creating anything. */
export function validatePipeline(scope: Construct, props: ServicePipelineProps): void {
  const service = props.service;
  const deployTimeout = props.deployTimeout;
  if (!service.imageParameter) {
    fail(scope, `service '${targetName(service)}' does not take its image from ServiceImage.fromPipeline(): use image: ServiceImage.fromPipeline({ initialImage }) on the ${service.constructor.name}, otherwise a later cdk deploy puts it back on the image in the template`);
  }
  if (deployTimeout !== undefined && !deployTimeout.isUnresolved()) {
    const minutes = deployTimeout.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_ECS_DEPLOY_TIMEOUT.toMinutes()) {
      fail(scope, `deployTimeout (${minutes} min) must be a whole number of minutes from 1 to 60, the ECS deploy action's limit`);
    }
  }
  validatePreDeploy(scope, props.preDeployCommand, serviceTarget(service), targetName(service));
  const build = props.imageBuild ?? {};
  for (const [prop, value] of [['imageBuild.appPath', build.appPath], ['imageBuild.dockerfile', build.dockerfile]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (value.length === 0 || value.startsWith('/') || value.split('/').includes('..'))) {
      fail(scope, `${prop} ('${value}') must be a path inside the source, relative to its root and without '..', such as 'services/orders'`);
    }
  }
}

/**
 * The deploy stage of every ECS-controlled strategy (rolling, blue/green, canary, linear): ECS
 * reads `imagedefinitions.json`, registers a revision with the new image and deploys it, waiting
 * at most `deployTimeout`.
 */
export function ecsDeployEngine(scope: Construct, props: Pick<ServicePipelineProps, 'deployTimeout'>, service: ServiceTarget): DeployEngine {
  const deployTimeout = props.deployTimeout ?? MAX_ECS_DEPLOY_TIMEOUT;
  checkDeployTimeout(scope, service, deployTimeout);
  return {
    codeDeploy: false,
    // ECS rolls the service back itself (circuit breaker, deployment alarms, traffic back to
    // blue); the stage rollback makes the newest task definition revision a good one again.
    rollbackOnFailure: true,
    deployAction: (buildOutput: codepipeline.Artifact, pipeline: DeployActionContext) => new ScopedEcsDeployAction({
      actionName: 'Deploy',
      runOrder: pipeline.runOrder,
      service: service.service,
      taskDefinition: service.taskDefinition,
      imageFile: buildOutput.atPath('imagedefinitions.json'),
      deploymentTimeout: deployTimeout,
    }),
  };
}

/**
 * Fails when the deploy action would give up before the strategy's schedule can finish.
 */
function checkDeployTimeout(scope: Construct, service: ServiceTarget, deployTimeout: Duration): void {
  const model = service._deploymentModel;
  if (!deployTimeout.isUnresolved() && model.totalSeconds > deployTimeout.toSeconds()) {
    fail(scope, `deployTimeout (${deployTimeout.toMinutes()} min) is shorter than one deployment with deploymentStrategy ${service.deploymentStrategy._describe()}, modelled at ${describeModel(model)}: raise deployTimeout (at most 60 min, the ECS deploy action's limit), or shorten the traffic shifting or bake time`);
  }
}

export function createServicePipeline(scope: Construct, props: ServicePipelineProps, engine: DeployEngine): PipelineParts {
  const service = props.service;
  const name = targetName(service);
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

  const artifactBucket = props.artifactBucket ?? createArtifactBucket(scope, removalPolicy);
  const notificationTopic = props.notificationTopic ?? createTopic(scope);
  for (const email of props.notificationEmails ?? []) {
    notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
  }

  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: props.pipelineName,
    pipelineType: codepipeline.PipelineType.V2,
    artifactBucket,
    // Artifacts stay in this account and region: no KMS key for cross-account access needed.
    crossAccountKeys: false,
    restartExecutionOnUpdate: false,
  });

  const source = props.source.bind(scope, { pipeline, removalPolicy });
  if (source.trigger) {
    pipeline.addTrigger(source.trigger);
  }
  pipeline.addStage({ stageName: 'Source', actions: [source.action] });
  if (source.imageRepository) {
    // Images from another repository run with the service's execution role.
    source.imageRepository.grantPull(service.taskDefinition.obtainExecutionRole());
  }

  const buildImage = !source.imageRepository;
  const build = props.imageBuild ?? {};
  const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = {
    CONTAINER_NAME: { value: service.container.containerName },
    ...(buildImage ? imageBuildVariables(scope, service.repository, build, service.cpuArchitecture) : {}),
  };
  if (engine.codeDeploy && service instanceof MicroService) {
    Object.assign(environmentVariables, {
      TASK_DEFINITION_FAMILY: { value: service.taskDefinition.family },
      APPSPEC_YAML: { value: codeDeployAppSpec(service) },
    });
  }
  const buildProject = createImageBuildProject(scope, {
    description: `Builds the image of ${name} and the files its deploy stage reads`,
    repository: buildImage ? service.repository : undefined,
    imageBuild: build,
    cpuArchitecture: service.cpuArchitecture,
    environmentVariables,
    buildSpec: imageBuildSpec({
      buildImage,
      testCommands: build.testCommands ?? [],
      codeDeploy: engine.codeDeploy,
    }),
    describeTaskDefinitions: engine.codeDeploy,
    artifactBucket,
    removalPolicy,
  });

  const buildOutput = new codepipeline.Artifact('Build');
  const buildAction = new actions.CodeBuildAction({
    actionName: 'Build',
    project: buildProject,
    input: source.output,
    outputs: [buildOutput],
    environmentVariables: source.revisionVariable ? { SOURCE_REVISION: { value: source.revisionVariable } } : undefined,
  });
  pipeline.addStage({ stageName: 'Build', actions: [buildAction] });

  if (props.manualApproval) {
    pipeline.addStage({
      stageName: 'Approve',
      actions: [new actions.ManualApprovalAction({
        actionName: 'Review',
        notificationTopic,
        additionalInformation: `Deploy ${buildAction.variable('IMAGE_URI')} to ${name}?`,
        externalEntityLink: serviceTarget(service)?.url,
      })],
    });
  }

  const recordLogs = new logs.LogGroup(scope, 'RecordLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy });
  const recordRole = createProjectRole(scope, 'RecordRole', recordLogs, artifactBucket, false);
  const recordProject = new codebuild.PipelineProject(scope, 'Record', {
    description: `Records the image the pipeline deployed to ${name}, for CloudFormation to keep`,
    role: recordRole.withoutPolicyUpdates(),
    environment: { buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5, computeType: codebuild.ComputeType.SMALL },
    environmentVariables: {
      IMAGE_PARAMETER: { value: service.imageParameter!.parameterName },
      REPOSITORY_NAME: { value: service.repository.repositoryName },
    },
    buildSpec: codebuild.BuildSpec.fromObject(recordImageBuildSpec()),
    logging: { cloudWatch: { logGroup: recordLogs } },
    timeout: Duration.minutes(10),
  });
  // ssm:PutParameter on the service's parameter only; reading a manifest and adding a tag in its repository only.
  service.imageParameter!.grantWrite(recordRole);
  service.repository.grant(recordRole, 'ecr:BatchGetImage', 'ecr:PutImage');
  recordProject.node.addDependency(recordRole);
  acknowledgeEncryption(recordProject);

  const preDeploy = props.preDeployCommand
    && preDeployAction(scope, serviceTarget(service)!, props.preDeployCommand, buildOutput, { artifactBucket, removalPolicy });
  const deployRunOrder = preDeploy ? 2 : undefined;
  pipeline.addStage({
    stageName: 'Deploy',
    actions: [
      ...(preDeploy ? [preDeploy] : []),
      engine.deployAction(buildOutput, { artifactBucket, removalPolicy, runOrder: deployRunOrder }),
      new actions.CodeBuildAction({ actionName: 'Record', project: recordProject, input: buildOutput, runOrder: (deployRunOrder ?? 1) + 1 }),
    ],
    onFailure: engine.rollbackOnFailure ? { result: codepipeline.Result.ROLLBACK } : undefined,
  });

  // CDK grants the pipeline's role and its source action's role s3:GetObject*, s3:List* and the
  // like on the artifact bucket's objects (and the source's object); every other action role is ours.
  acknowledgeWildcards(pipeline, [
    'Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*',
    resourceFinding(pipeline, artifactBucket.arnForObjects('*')),
  ], 'CodePipeline names the artifact objects per execution and needs to read, write and clean them up; the actions are the ones CDK grants for a pipeline\'s artifact bucket and source object, on those resources only.');

  pipeline.notifyOn('Notifications', notificationTopic, {
    events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED, codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED],
  });

  return {
    pipeline,
    buildProject,
    recordProject,
    artifactBucket,
    notificationTopic,
    sourceBucket: source.bucket,
    sourceRepository: source.repository,
  };
}

/**
 * The AppSpec of a CodeDeploy service's deployments: its container, port and capacity, and its
 * load-test gate's function at AfterAllowTestTraffic when it has one (codeDeployHooksOf).
 */
export function codeDeployAppSpec(service: MicroService): string {
  return appSpec({
    containerName: service.container.containerName,
    containerPort: service.containerPort,
    capacityProviderStrategy: service.capacity._capacityProviderStrategies,
    hooks: codeDeployHooksOf(service),
  });
}

/**
 * The URI of `repository` as the build project in `scope` refers to it. In the project's own stack,
 * the repository's `repositoryUri`. In another stack of the same account and region, built from the
 * repository's name, not split out of its ARN: aws-cdk-lib's `repositoryUri` splits the ARN with
 * `Fn::Split`, and with `@aws-cdk/core:defaultCrossStackReferences` the ARN arrives as
 * `Fn::GetStackOutput`, which CloudFormation takes in `Fn::Join` and `Fn::Select` but cfn-lint does
 * not accept inside `Fn::Split` (aws-cloudformation/cfn-lint#4495 lists the positions CloudFormation
 * was tested to take it in; `Fn::Split` is not one).
 */
function repositoryUriFrom(scope: Construct, repository: ecr.IRepository): string {
  if (Stack.of(repository) === Stack.of(scope)) {
    return repository.repositoryUri;
  }
  return `${repository.env.account}.dkr.ecr.${repository.env.region}.${Stack.of(scope).urlSuffix}/${repository.repositoryName}`;
}

/** The build's inputs for building an image from source and pushing it to `repository`. */
export function imageBuildVariables(scope: Construct, repository: ecr.IRepository, build: ImageBuildOptions, cpuArchitecture: ecs.CpuArchitecture):
Record<string, codebuild.BuildEnvironmentVariable> {
  return {
    REPOSITORY_URI: { value: repositoryUriFrom(scope, repository) },
    APP_PATH: { value: build.appPath ?? '.' },
    DOCKERFILE: { value: build.dockerfile ?? 'Dockerfile' },
    DOCKER_PLATFORM: { value: cpuArchitecture === ecs.CpuArchitecture.ARM64 ? 'linux/arm64' : 'linux/amd64' },
  };
}

/** What the build project of a pipeline is made of. */
export interface ImageBuildProjectOptions {
  readonly description: string;
  /** The repository the build pushes to. Undefined when the source is an image and nothing is built. */
  readonly repository?: ecr.IRepository;
  readonly imageBuild: ImageBuildOptions;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly environmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
  readonly buildSpec: BuildSpecObject;
  /** Whether the build copies task definitions (CodeDeploy's taskdef.json). */
  readonly describeTaskDefinitions: boolean;
  readonly artifactBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The CodeBuild project that builds the image (privileged, Docker layer cache, pushes to the
 * repository only) and writes the deploy stage's files, with its log group and role.
 */
export function createImageBuildProject(scope: Construct, o: ImageBuildProjectOptions): codebuild.PipelineProject {
  const buildImage = o.repository !== undefined;
  const buildLogs = new logs.LogGroup(scope, 'BuildLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: o.removalPolicy });
  const arm = o.cpuArchitecture === ecs.CpuArchitecture.ARM64;
  const buildRole = createProjectRole(scope, 'BuildRole', buildLogs, o.artifactBucket, true);
  const buildProject = new codebuild.PipelineProject(scope, 'Build', {
    description: o.description,
    role: buildRole.withoutPolicyUpdates(),
    environment: {
      // A current standard image for the service's CPU architecture, so the image runs natively.
      buildImage: arm ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 : codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5,
      computeType: o.imageBuild.computeType ?? codebuild.ComputeType.SMALL,
      // The Docker daemon runs in the build container only in privileged mode.
      privileged: buildImage,
    },
    environmentVariables: o.environmentVariables,
    buildSpec: codebuild.BuildSpec.fromObject(o.buildSpec),
    cache: buildImage ? codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER) : undefined,
    logging: { cloudWatch: { logGroup: buildLogs } },
    timeout: Duration.minutes(60),
  });
  if (o.repository) {
    buildRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:DescribeImages',
        'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
      resources: [o.repository.repositoryArn],
    }));
    buildRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    Validations.of(buildProject).acknowledge({
      id: 'AwsSolutions-CB3',
      reason: 'docker build needs the Docker daemon, which CodeBuild only runs in privileged mode; the project builds this service\'s own source.',
    });
  }
  if (o.describeTaskDefinitions) {
    buildRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
  }
  if (buildImage || o.describeTaskDefinitions) {
    Validations.of(buildRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (docker login) and ecs:DescribeTaskDefinition (CodeDeploy\'s taskdef.json) are authorized on * only; pushes are scoped to the service\'s repository.',
    });
  }
  // The project's first build must not start before its role's policy exists.
  buildProject.node.addDependency(buildRole);
  acknowledgeEncryption(buildProject);
  return buildProject;
}

export function createArtifactBucket(scope: Construct, removalPolicy: RemovalPolicy, encryptionKey?: kms.IKey): s3.IBucket {
  return secureBucket(scope, 'Artifacts', {
    removalPolicy,
    encryptionKey,
    // Roles in other accounts name the bucket in their policies.
    bucketName: encryptionKey ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    // Long enough for a stage rollback to an earlier successful execution's artifacts; an
    // overwritten or deleted artifact stays recoverable for a week.
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
    noAccessLogsReason: 'Only the pipeline and its builds read and write the artifacts, and CloudTrail records their API calls; an access-log bucket per pipeline would only add cost.',
  });
}

export function createTopic(scope: Construct): sns.ITopic {
  const topic = new sns.Topic(scope, 'Notifications', { enforceSSL: true });
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason: 'Messages carry pipeline names, states and image URIs, no secrets; CodeStar Notifications cannot publish to a topic encrypted with the AWS managed key, and a customer managed key per pipeline costs more than the data is worth. Pass notificationTopic for an encrypted one.',
  });
  return topic;
}

/**
 * A CodeBuild project's role with what a pipeline build needs and nothing CodeBuild adds by
 * default (report groups, a log group per project name): the project gets it without policy
 * updates, and everything it does is granted here or by the caller.
 */
export function createProjectRole(scope: Construct, id: string, logGroup: logs.ILogGroup, artifactBucket: s3.IBucket,
  writeArtifacts: boolean, roleName?: string): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'), roleName });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  // In another account the bucket is named with wildcards for the partition and the (empty) region
  // and account: an ARN with a pseudo parameter or ':::' makes a cdk-nag finding that cannot be
  // acknowledged (acknowledgeWildcards), and IAM's '*' matches the empty segments of an S3 ARN.
  const crossAccount = Stack.of(artifactBucket).account !== Stack.of(role).account;
  const bucketArn = crossAccount ? `arn:*:s3:*:*:${artifactBucket.bucketName}` : artifactBucket.bucketArn;
  const objects = crossAccount ? `${bucketArn}/*` : artifactBucket.arnForObjects('*');
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: writeArtifacts ? ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'] : ['s3:GetObject', 's3:GetObjectVersion'],
    resources: [objects],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'], resources: [bucketArn] }));
  const key = artifactBucket.encryptionKey;
  if (key && crossAccount) {
    grantKeyAcrossAccounts(role, key);
  } else if (writeArtifacts) {
    key?.grantEncryptDecrypt(role);
  } else {
    key?.grantDecrypt(role);
  }
  acknowledgeWildcards(role, [resourceFinding(role, objects)], 'CodePipeline names the artifact objects per execution: access to the artifact bucket\'s objects, nothing else.');
  if (crossAccount) {
    acknowledgeWildcards(role, [resourceFinding(role, bucketArn)], 'The artifact bucket by its name; the wildcards stand for the partition and the region and account an S3 bucket ARN leaves empty.');
  }
  return role;
}

export function acknowledgeEncryption(project: codebuild.PipelineProject): void {
  Validations.of(project).acknowledge({
    id: 'AwsSolutions-CB4',
    reason: 'Build artifacts are encrypted with the AWS managed key for S3 (alias/aws/s3) and hold no secrets, only image URIs and deployment files; a customer managed key per pipeline would only add cost.',
  });
}
