import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MicroService } from '../micro-service';
import { checkDeployTimeout, createServicePipeline, MAX_ECS_DEPLOY_TIMEOUT, validatePipeline } from './pipeline-core';
import { ServicePipelineProps } from './service-pipeline-props';
import { ScopedEcsDeployAction } from '../private/pipeline-actions';
import { fail } from '../private/validation';

/**
 * Properties of `RollingPipeline`.
 */
export interface RollingPipelineProps extends ServicePipelineProps {}

/**
 * Delivers a MicroService with an ECS rolling update: source → build (image tagged with the
 * commit) → optional manual approval → deploy → record.
 *
 * The deploy stage hands `imagedefinitions.json` to ECS, which starts new tasks next to the old
 * ones; the service's circuit breaker and deployment alarms roll a failed deployment back, and
 * CodePipeline then rolls the stage back to the last successful execution. After a successful
 * deployment the image is recorded in the service's image parameter, which CloudFormation reads,
 * so a later `cdk deploy` keeps it.
 *
 * @example
 * new RollingPipeline(this, 'Pipeline', { service, source: PipelineSource.s3() });
 */
export class RollingPipeline extends Construct {
  /** The service this pipeline delivers. */
  public readonly service: MicroService;
  /** The pipeline. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The CodeBuild project that builds the image and writes the deploy stage's files. */
  public readonly buildProject: codebuild.PipelineProject;
  /** The CodeBuild project that records the deployed image in the service's image parameter. */
  public readonly recordProject: codebuild.PipelineProject;
  /** The bucket the pipeline keeps its artifacts in. */
  public readonly artifactBucket: s3.IBucket;
  /** The topic for approval requests and execution results. */
  public readonly notificationTopic: sns.ITopic;
  /** The source bucket the pipeline created; undefined unless the source is `PipelineSource.s3()` without a bucket. */
  public readonly sourceBucket?: s3.IBucket;
  /** The CodeCommit repository the pipeline created; undefined unless the source is `PipelineSource.codeCommit({ repositoryName })`. */
  public readonly sourceRepository?: codecommit.IRepository;

  constructor(scope: Construct, id: string, props: RollingPipelineProps) {
    super(scope, id);
    this.service = props.service;
    const service = props.service;
    if (service.deploymentStrategy.isBlueGreen) {
      fail(this, `service '${service.serviceName}' uses deploymentStrategy ${service.deploymentStrategy.describe()}, which RollingPipeline cannot deploy: use BlueGreenPipeline, or DeploymentStrategy.rolling() on the service`);
    }
    validatePipeline(this, props, props.deployTimeout);
    const deployTimeout = props.deployTimeout ?? MAX_ECS_DEPLOY_TIMEOUT;
    checkDeployTimeout(this, service, deployTimeout);

    const parts = createServicePipeline(this, props, {
      codeDeploy: false,
      rollbackOnFailure: true,
      deployAction: (buildOutput: codepipeline.Artifact) => new ScopedEcsDeployAction({
        actionName: 'Deploy',
        service: service.service,
        taskDefinition: service.taskDefinition,
        imageFile: buildOutput.atPath('imagedefinitions.json'),
        deploymentTimeout: deployTimeout,
      }),
    });
    this.pipeline = parts.pipeline;
    this.buildProject = parts.buildProject;
    this.recordProject = parts.recordProject;
    this.artifactBucket = parts.artifactBucket;
    this.notificationTopic = parts.notificationTopic;
    this.sourceBucket = parts.sourceBucket;
    this.sourceRepository = parts.sourceRepository;
  }
}
