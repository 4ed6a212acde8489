import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IDeployTarget } from './deploy-target';
import { createServicePipeline, DeployEngine } from './pipeline-core';
import { ServicePipelineProps } from './service-pipeline-props';
import { validatePipelineProps } from './validate-props';

/**
 * What `RollingPipeline` and `BlueGreenPipeline` have in common: the same stages and the same
 * resources, exposed under the same names. Only the deploy action differs; each pipeline chooses
 * it from the service's deployment strategy.
 */
export abstract class ServicePipelineBase extends Construct {
  /** The service or task this pipeline delivers. */
  public readonly service: IDeployTarget;
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
  /** The source bucket the pipeline created. Undefined unless the source is `PipelineSource.s3()` without a bucket. */
  public readonly sourceBucket?: s3.IBucket;
  /** The CodeCommit repository the pipeline created. Undefined unless the source is `PipelineSource.codeCommit({ repositoryName })`. */
  public readonly sourceRepository?: codecommit.IRepository;

  /**
   * @param scope the construct to create the pipeline in
   * @param id the ID of the pipeline, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the pipeline's properties
   */
  protected constructor(scope: Construct, id: string, props: ServicePipelineProps) {
    super(scope, id);
    validatePipelineProps(this, props);
    this.service = props.service;
    // The subclass checks the props against its engine before anything is created, with this
    // construct's path in its errors.
    const parts = createServicePipeline(this, props, this._deployEngine(props));
    this.pipeline = parts.pipeline;
    this.buildProject = parts.buildProject;
    this.recordProject = parts.recordProject;
    this.artifactBucket = parts.artifactBucket;
    this.notificationTopic = parts.notificationTopic;
    this.sourceBucket = parts.sourceBucket;
    this.sourceRepository = parts.sourceRepository;
  }

  /**
   * Validates the props for this kind of pipeline and returns how its deploy stage deploys.
   * Called once, by the constructor, before any child exists.
   *
   * @internal
   */
  protected abstract _deployEngine(props: ServicePipelineProps): DeployEngine;
}
