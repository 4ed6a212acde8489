import { Duration, Names, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { IDeployTarget } from './deploy-target';
import {
  acknowledgeEncryption, createArtifactBucket, createImageBuildProject, createProjectRole, createTopic, imageBuildVariables, serviceTarget,
  targetName,
} from './pipeline-core';
import { PipelineSource } from './pipeline-source';
import { ImageBuildOptions } from './service-pipeline-props';
import { validatePipelineProps } from './validate-props';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';
import { recordReleaseBuildSpec, releaseBuildSpec } from '../private/release-buildspec';
import { bakeConditions, grantReadAlarms, windowConditions } from '../private/release-gates';
import { deployPlan, grantStageAccess, ReleaseStagePlan, validateReleaseStages } from '../private/release-stages';
import { fail } from '../private/validation';

/**
 * When a stage may start deploying: a CodePipeline DeploymentWindow rule.
 */
export interface DeploymentWindow {
  /**
   * The times a deployment may start, as the DeploymentWindow rule's cron expression: 6 fields
   * (seconds, minutes, hours, day of month, month, day of week) and an optional year, such as
   * `'* * 9-16 ? * MON-FRI'` for weekdays from 9:00 to 16:59.
   */
  readonly cron: string;

  /**
   * The IANA time zone the expression is read in, such as `'Europe/Berlin'`.
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/**
 * One stage a release goes through.
 */
export interface ReleaseStage {
  /**
   * The stage's name in the pipeline, such as `'dev'` or `'prod'`: 1-80 letters, digits, '.', '@',
   * '_' and '-'. Each stage has its own.
   */
  readonly stageName: string;

  /**
   * What the stage deploys: a `MicroService` or `WorkerService` (an ECS or CodeDeploy deployment,
   * as its deployment strategy says) or a `ScheduledTask` (a new revision of its task definition).
   * Its image must be `ServiceImage.fromPipeline()` and its `repository` the pipeline's build
   * repository (in another account or region, imported with `ecr.Repository.fromRepositoryArn`).
   */
  readonly target: IDeployTarget;

  /**
   * Whether a person approves the release before this stage deploys it. The request goes to the
   * notification topic.
   *
   * @default false
   */
  readonly manualApproval?: boolean;

  /**
   * When the stage may start deploying. A release that reaches the stage outside the window waits
   * at its entry until the window opens.
   *
   * @default - any time
   */
  readonly deploymentWindow?: DeploymentWindow;

  /**
   * The alarms that must stay out of ALARM for `bakeTime` after the stage deployed. One in ALARM
   * rolls the stage back and stops the release. At most 5 (a composite alarm counts as one).
   *
   * The alarms must be in the pipeline's account and region: a stage condition reads them there.
   * A MicroService in another account has no default, as its `rollbackAlarms` are in its own
   * account: give alarms of the pipeline's account, or `bakeTime: Duration.minutes(0)`.
   *
   * @default - the target's `rollbackAlarms` (a MicroService with a load balancer, in the pipeline's account); none otherwise
   */
  readonly bakeAlarms?: cloudwatch.IAlarm[];

  /**
   * How long the stage bakes on its alarms before the release moves on, in whole minutes.
   * `Duration.minutes(0)` turns the bake off.
   *
   * @default Duration.minutes(10) when the stage has alarms to bake on
   */
  readonly bakeTime?: Duration;

  /**
   * How long the stage's ECS deploy action waits for the deployment, at most 60 minutes. Not for
   * CodeDeploy strategies or a ScheduledTask.
   *
   * @default Duration.minutes(60)
   */
  readonly deployTimeout?: Duration;
}

/**
 * Properties of `ReleasePipeline`.
 */
export interface ReleasePipelineProps {
  /** Where the code (or image) comes from. */
  readonly source: PipelineSource;

  /** The stages the release goes through, in order: 1 to 5. */
  readonly stages: ReleaseStage[];

  /**
   * The repository the image is built into once. It must be in the pipeline's account and region.
   * Stages in other accounts pull from it through its repository policy, which the pipeline writes,
   * so it must be a repository created in this app. Ignored for `PipelineSource.ecrImage()`,
   * whose repository holds the image.
   *
   * @default - the first stage's target's repository
   */
  readonly buildRepository?: ecr.IRepository;

  /**
   * How the image is built. Ignored for `PipelineSource.ecrImage()`, which builds nothing.
   *
   * @default - the Dockerfile at the source root, no tests
   */
  readonly imageBuild?: ImageBuildOptions;

  /**
   * The topic for approval requests and for succeeded and failed executions.
   *
   * @default - a topic that accepts publishing over TLS only
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the notification topic. Each receives a confirmation mail first.
   *
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * The pipeline's artifact bucket. With a stage in another account it must be encrypted with a KMS
   * key, whose policy the pipeline extends to that stage's roles.
   *
   * @default - a bucket with SSE-S3 encryption (a KMS key when a stage is in another account), SSL only, public access blocked, objects expiring after 90 days
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * What happens to the stateful resources the pipeline creates (artifact bucket and key, source
   * bucket, logs) when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The pipeline's name.
   *
   * @default - generated by CloudFormation
   */
  readonly pipelineName?: string;
}

/**
 * Builds an image once and releases the same image digest through an ordered list of stages:
 * source → build → for each stage: [approval] → [deployment window] → deploy → record → [alarm bake].
 *
 * The build tags the image with the commit, pushes it to the build repository and pins it to its
 * digest; every stage deploys `repository@sha256:…`, so every stage runs the same bytes. Each stage
 * deploys with the engine its target's deployment strategy names (as `RollingPipeline` and
 * `BlueGreenPipeline` do), records the image in the target's own image parameter, so a later
 * `cdk deploy` of that stage keeps it, and bakes on its alarms: one in ALARM during the bake rolls the
 * stage back and the release stops. Stages may be in other accounts of the same app, in the
 * pipeline's region; the pipeline then encrypts its artifacts with a KMS key those stages' roles may
 * use, and the services and cluster those stages deploy to get names at synth.
 *
 * @example
 * declare const devService: MicroService;
 * declare const prodService: MicroService;
 * new ReleasePipeline(this, 'Release', {
 *   source: PipelineSource.s3(),
 *   stages: [
 *     { stageName: 'dev', target: devService },
 *     { stageName: 'prod', target: prodService, manualApproval: true },
 *   ],
 * });
 */
export class ReleasePipeline extends Construct {
  /** The pipeline. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The CodeBuild project that builds the image once and writes every stage's deploy files. */
  public readonly buildProject: codebuild.PipelineProject;
  /** The repository the image is built into, which every stage pulls from. */
  public readonly buildRepository: ecr.IRepository;
  /** The CodeBuild projects that record the released image in each stage's image parameter, in stage order. */
  public readonly recordProjects: codebuild.IProject[];
  /** The bucket the pipeline keeps its artifacts in. */
  public readonly artifactBucket: s3.IBucket;
  /** The KMS key the artifacts are encrypted with. Undefined when they are encrypted with SSE-S3 (no stage in another account). */
  public readonly artifactKey?: kms.IKey;
  /** The topic for approval requests and execution results. */
  public readonly notificationTopic: sns.ITopic;
  /** The source bucket the pipeline created. Undefined unless the source is `PipelineSource.s3()` without a bucket. */
  public readonly sourceBucket?: s3.IBucket;
  /** The CodeCommit repository the pipeline created. Undefined unless the source is `PipelineSource.codeCommit({ repositoryName })`. */
  public readonly sourceRepository?: codecommit.IRepository;
  /**
   * How long one release takes from the end of the build through the last stage's bake, without
   * approvals and windows: the sum of each stage's modelled deployment (`estimatedDeploymentTime`)
   * and bake time.
   */
  public readonly estimatedReleaseTime: Duration;

  /**
   * @param scope the construct to create the pipeline in
   * @param id the ID of the pipeline, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the ReleasePipeline's properties
   */
  constructor(scope: Construct, id: string, props: ReleasePipelineProps) {
    super(scope, id);
    const plans = validateReleaseStages(this, props);
    validatePipelineProps(this, { ...props, service: plans[0].stage.target });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const crossAccount = plans.some(p => p.crossAccount);

    if (props.artifactBucket) {
      if (crossAccount && !props.artifactBucket.encryptionKey) {
        fail(this, 'artifactBucket has no KMS key, and a stage is in another account, whose roles can only read artifacts encrypted with a key they may use: give a bucket encrypted with a KMS key, or leave artifactBucket unset');
      }
      this.artifactKey = props.artifactBucket.encryptionKey;
    } else if (crossAccount) {
      this.artifactKey = new kms.Key(this, 'ArtifactsKey', {
        description: 'Encrypts the release pipeline\'s artifacts; the roles of stages in other accounts decrypt them through this key\'s policy',
        enableKeyRotation: true,
        removalPolicy,
      });
    }
    this.artifactBucket = props.artifactBucket ?? createArtifactBucket(this, removalPolicy, this.artifactKey);
    this.notificationTopic = props.notificationTopic ?? createTopic(this);
    for (const email of props.notificationEmails ?? []) {
      this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      // Stage conditions (the bake and the deployment windows) exist in V2 pipelines only.
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
    });

    const source = props.source.bind(this, { pipeline: this.pipeline, removalPolicy });
    if (source.trigger) {
      this.pipeline.addTrigger(source.trigger);
    }
    this.pipeline.addStage({ stageName: 'Source', actions: [source.action] });
    this.sourceBucket = source.bucket;
    this.sourceRepository = source.repository;

    const buildImage = !source.imageRepository;
    this.buildRepository = source.imageRepository ?? props.buildRepository ?? plans[0].stage.target.repository;
    for (const plan of plans) {
      grantStageAccess(this, plan, this.buildRepository, !buildImage);
    }

    const build = props.imageBuild ?? {};
    const first = plans[0].stage.target;
    const stageVariables = Object.fromEntries(plans.flatMap(p => Object.entries(p.buildVariables)));
    this.buildProject = createImageBuildProject(this, {
      description: `Builds the image of ${targetName(first)} once and the deploy files of every stage`,
      repository: buildImage ? this.buildRepository : undefined,
      imageBuild: build,
      cpuArchitecture: first.cpuArchitecture,
      environmentVariables: {
        ...(buildImage ? imageBuildVariables(this, this.buildRepository, build, first.cpuArchitecture) : {}),
        ...stageVariables,
      },
      buildSpec: releaseBuildSpec({
        buildImage,
        testCommands: build.testCommands ?? [],
        stages: plans.map(p => p.files),
      }),
      describeTaskDefinitions: plans.some(p => p.files.codeDeploy),
      artifactBucket: this.artifactBucket,
      removalPolicy,
    });

    if (this.artifactBucket.encryptionKey) {
      acknowledgeWildcards(this.node.findChild('BuildRole'), ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
        'The build writes the stages\' artifacts encrypted with the artifact key: the encrypt actions aws-cdk-lib grants for one key, on that key only.');
    }
    const outputs = plans.map(p => new codepipeline.Artifact(p.files.artifact));
    const buildAction = new actions.CodeBuildAction({
      actionName: 'Build',
      project: this.buildProject,
      input: source.output,
      outputs,
      environmentVariables: source.revisionVariable ? { SOURCE_REVISION: { value: source.revisionVariable } } : undefined,
    });
    this.pipeline.addStage({ stageName: 'Build', actions: [buildAction] });

    this.recordProjects = plans.map((plan, i) => {
      const { stage } = plan;
      const artifact = outputs[i];
      if (stage.manualApproval) {
        this.pipeline.addStage({
          stageName: `${stage.stageName}-Approval`,
          actions: [new actions.ManualApprovalAction({
            actionName: 'Review',
            notificationTopic: this.notificationTopic,
            additionalInformation: `Release ${buildAction.variable('IMAGE_URI')} to ${stage.stageName} (${targetName(stage.target)})?`,
            externalEntityLink: serviceTarget(stage.target)?.url,
          })],
        });
      }
      // A stage's own resources go next to the pipeline, or into the target's stack when that is in another account.
      const stageScope = plan.crossAccount
        ? new Construct(Stack.of(stage.target), `${Names.uniqueId(this)}-${stage.stageName}`)
        : new Construct(this, `${stage.stageName}Stage`);
      const deploy = deployPlan(this, stageScope, plan, artifact, this.artifactBucket, removalPolicy);
      const record = this.recordProject(stageScope, plan, removalPolicy);
      grantReadAlarms(this.pipeline.role, plan.bakeAlarms);
      this.pipeline.addStage({
        stageName: stage.stageName,
        actions: [
          ...deploy.actions,
          new actions.CodeBuildAction({ actionName: 'Record', project: record, input: artifact, runOrder: deploy.actions.length + 1 }),
        ],
        beforeEntry: stage.deploymentWindow ? windowConditions(stage.stageName, stage.deploymentWindow) : undefined,
        onFailure: deploy.rollbackOnFailure ? { result: codepipeline.Result.ROLLBACK } : undefined,
        onSuccess: plan.bakeAlarms.length > 0 ? bakeConditions(stage.stageName, plan.bakeAlarms, plan.bakeTime) : undefined,
      });
      return record;
    });
    const stageSeconds = (p: ReleaseStagePlan) => p.deploySeconds + (p.bakeAlarms.length > 0 ? p.bakeTime.toSeconds() : 0);
    this.estimatedReleaseTime = Duration.seconds(plans.reduce((sum, p) => sum + stageSeconds(p), 0));

    acknowledgeWildcards(this.pipeline, [
      'Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*',
      resourceFinding(this.pipeline, this.artifactBucket.arnForObjects('*')),
      ...(this.artifactBucket.encryptionKey ? ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'] : []),
    ], 'CodePipeline names the artifact objects per execution and needs to read, write and clean them up; the actions are the ones CDK grants for a pipeline\'s artifact bucket, its key and source object, on those resources only.');

    this.pipeline.notifyOn('Notifications', this.notificationTopic, {
      events: [
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
      ],
    });
  }

  /**
   * The project that records the released image in the stage's parameter. It runs in the stage's
   * account, where the parameter is. CodePipeline supports cross-account actions of every type but
   * Jenkins, and an action in another account may consume an artifact created in the pipeline's
   * account ("Create a pipeline in CodePipeline that uses resources from another AWS account",
   * https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html);
   * aws-cdk-lib creates the action's role in the project's stack (aws-codepipeline
   * `Pipeline.getRoleFromActionPropsOrGenerateIfCrossAccount`) and refuses only a cross-account
   * CodeBuild action with outputs (aws-cdk #4169), which this one has none of. Its role has a name,
   * so the artifact bucket's and key's policies in the pipeline's account can name it.
   */
  private recordProject(scope: Construct, plan: ReleaseStagePlan, removalPolicy: RemovalPolicy): codebuild.PipelineProject {
    const { stage } = plan;
    const local = !plan.crossAccount;
    const logGroup = new logs.LogGroup(scope, 'RecordLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy });
    const role = createProjectRole(scope, 'RecordRole', logGroup, this.artifactBucket, false, local ? undefined : PhysicalName.GENERATE_IF_NEEDED);
    const buildStack = Stack.of(this.buildRepository);
    const project = new codebuild.PipelineProject(scope, 'Record', {
      projectName: local ? undefined : PhysicalName.GENERATE_IF_NEEDED,
      description: `Records the image released to ${stage.stageName} (${targetName(stage.target)}), for CloudFormation to keep`,
      role: role.withoutPolicyUpdates(),
      environment: { buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5, computeType: codebuild.ComputeType.SMALL },
      environmentVariables: {
        IMAGE_PARAMETER: { value: stage.target.imageParameter!.parameterName },
        REPOSITORY_NAME: { value: this.buildRepository.repositoryName },
        REGISTRY_ID: { value: this.buildRepository.env.account ?? buildStack.account },
        REGISTRY_REGION: { value: this.buildRepository.env.region ?? buildStack.region },
      },
      buildSpec: codebuild.BuildSpec.fromObject(recordReleaseBuildSpec()),
      logging: { cloudWatch: { logGroup } },
      timeout: Duration.minutes(10),
    });
    stage.target.imageParameter!.grantWrite(role);
    this.buildRepository.grant(role, 'ecr:BatchGetImage', 'ecr:PutImage');
    project.node.addDependency(role);
    acknowledgeEncryption(project);
    return project;
  }
}
