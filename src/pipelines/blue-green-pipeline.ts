import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { DeployActionContext, DeployEngine, ecsDeployEngine, targetName, validatePipeline } from './pipeline-core';
import { ServicePipelineBase } from './service-pipeline-base';
import { ServicePipelineProps } from './service-pipeline-props';
import { MicroService } from '../micro-service';
import { ScopedCodeDeployEcsDeployAction } from '../private/pipeline-actions';
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
export class BlueGreenPipeline extends ServicePipelineBase {
  /** The engine that shifts traffic, from the service's deployment strategy. */
  public readonly engine: BlueGreenEngine;

  /**
   * @param scope the construct to create the pipeline in
   * @param id the ID of the pipeline, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the BlueGreenPipeline's properties
   */
  constructor(scope: Construct, id: string, props: BlueGreenPipelineProps) {
    super(scope, id, props);
    this.engine = (props.service as MicroService).deploymentStrategy._controller === ecs.DeploymentControllerType.CODE_DEPLOY
      ? BlueGreenEngine.CODE_DEPLOY
      : BlueGreenEngine.ECS;
  }

  /** @internal */
  protected _deployEngine(props: BlueGreenPipelineProps): DeployEngine {
    const service = props.service;
    if (!(service instanceof MicroService)) {
      fail(this, `'${targetName(service)}' is a ${service.constructor.name}, which has no traffic to shift: deliver it with RollingPipeline`);
    }
    const strategy = service.deploymentStrategy;
    if (!strategy._isBlueGreen) {
      fail(this, `service '${service.serviceName}' uses deploymentStrategy rolling, which BlueGreenPipeline does not deploy: use RollingPipeline, or DeploymentStrategy.blueGreen(), canary(), linear() or codeDeploy() on the service`);
    }
    validatePipeline(this, props);
    if (strategy._controller !== ecs.DeploymentControllerType.CODE_DEPLOY) {
      return ecsDeployEngine(this, props, service);
    }
    if (props.deployTimeout !== undefined) {
      fail(this, `deployTimeout is set but service '${service.serviceName}' deploys with CodeDeploy, which runs its own schedule: remove deployTimeout, or choose an ECS strategy (DeploymentStrategy.blueGreen(), canary() or linear())`);
    }
    const deploymentGroup = service.deploymentGroup!;
    return {
      codeDeploy: true,
      // CodeDeploy rolls back itself; the record step only runs after a successful deployment.
      rollbackOnFailure: false,
      deployAction: (buildOutput: codepipeline.Artifact, pipeline: DeployActionContext) => new ScopedCodeDeployEcsDeployAction({
        actionName: 'Deploy',
        runOrder: pipeline.runOrder,
        deploymentGroup,
        taskDefinition: service.taskDefinition,
        input: buildOutput,
      }),
    };
  }
}
