import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MicroService } from '../micro-service';
import { checkDeployTimeout, createServicePipeline, DeployEngine, MAX_ECS_DEPLOY_TIMEOUT, validatePipeline } from './pipeline-core';
import { ServicePipelineProps } from './service-pipeline-props';
import { ScopedCodeDeployEcsDeployAction, ScopedEcsDeployAction } from '../private/pipeline-actions';
import { fail } from '../private/validation';

/**
 * Properties of `BlueGreenPipeline`.
 */
export interface BlueGreenPipelineProps extends ServicePipelineProps {}

/**
 * Which engine moves traffic in a `BlueGreenPipeline`'s deployments.
 */
export enum BlueGreenEngine {
  /** ECS itself (`DeploymentStrategy.blueGreen()`, `canary()`, `linear()`). */
  ECS = 'ECS',
  /** AWS CodeDeploy (`DeploymentStrategy.codeDeploy()`). */
  CODE_DEPLOY = 'CODE_DEPLOY',
}

/**
 * Delivers a MicroService with a blue/green, canary or linear deployment: source → build (image
 * tagged with the commit) → optional manual approval → deploy → record.
 *
 * The engine follows the service's deployment strategy. With `DeploymentStrategy.blueGreen()`,
 * `canary()` or `linear()` the deploy stage hands `imagedefinitions.json` to ECS, and the service's
 * strategy shifts traffic between its two target groups (test listener first, then production,
 * then the bake time). With `DeploymentStrategy.codeDeploy()` the build also writes `taskdef.json`
 * (the newest revision of the service's task definition with the image left as a placeholder) and
 * `appspec.yaml`, and the service's CodeDeploy deployment group shifts traffic, rolling back on
 * failure and on deployment alarms.
 *
 * @example
 * new BlueGreenPipeline(this, 'Pipeline', { service, source: PipelineSource.s3(), manualApproval: true });
 */
export class BlueGreenPipeline extends Construct {
  /** The engine that shifts traffic, from the service's deployment strategy. */
  public readonly engine: BlueGreenEngine;
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

  constructor(scope: Construct, id: string, props: BlueGreenPipelineProps) {
    super(scope, id);
    this.service = props.service;
    const service = props.service;
    const strategy = service.deploymentStrategy;
    if (!strategy.isBlueGreen) {
      fail(this, `service '${service.serviceName}' uses deploymentStrategy rolling, which BlueGreenPipeline does not deploy: use RollingPipeline, or DeploymentStrategy.blueGreen(), canary(), linear() or codeDeploy() on the service`);
    }
    validatePipeline(this, props, props.deployTimeout);

    let engine: DeployEngine;
    if (strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      this.engine = BlueGreenEngine.CODE_DEPLOY;
      if (props.deployTimeout !== undefined) {
        fail(this, `deployTimeout is set but service '${service.serviceName}' deploys with CodeDeploy, which runs its own schedule: remove deployTimeout, or choose an ECS strategy (DeploymentStrategy.blueGreen(), canary() or linear())`);
      }
      const deploymentGroup = service.deploymentGroup!;
      engine = {
        codeDeploy: true,
        // CodeDeploy rolls back itself; the record step only runs after a successful deployment.
        rollbackOnFailure: false,
        deployAction: (buildOutput: codepipeline.Artifact) => new ScopedCodeDeployEcsDeployAction({
          actionName: 'Deploy',
          deploymentGroup,
          taskDefinition: service.taskDefinition,
          input: buildOutput,
        }),
      };
    } else {
      this.engine = BlueGreenEngine.ECS;
      const deployTimeout = props.deployTimeout ?? MAX_ECS_DEPLOY_TIMEOUT;
      checkDeployTimeout(this, service, deployTimeout);
      engine = {
        codeDeploy: false,
        // ECS rolls traffic back to blue; the stage rollback makes the newest task definition revision a good one again.
        rollbackOnFailure: true,
        deployAction: (buildOutput: codepipeline.Artifact) => new ScopedEcsDeployAction({
          actionName: 'Deploy',
          service: service.service,
          taskDefinition: service.taskDefinition,
          imageFile: buildOutput.atPath('imagedefinitions.json'),
          deploymentTimeout: deployTimeout,
        }),
      };
    }

    const parts = createServicePipeline(this, props, engine);
    this.pipeline = parts.pipeline;
    this.buildProject = parts.buildProject;
    this.recordProject = parts.recordProject;
    this.artifactBucket = parts.artifactBucket;
    this.notificationTopic = parts.notificationTopic;
    this.sourceBucket = parts.sourceBucket;
    this.sourceRepository = parts.sourceRepository;
  }
}
