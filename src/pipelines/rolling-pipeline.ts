import { Construct } from 'constructs';
import { DeployEngine, ecsDeployEngine, serviceTarget, targetName, validatePipeline } from './pipeline-core';
import { registerRevisionEngine } from './register-revision';
import { ServicePipelineBase } from './service-pipeline-base';
import { ServicePipelineProps } from './service-pipeline-props';
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
export class RollingPipeline extends ServicePipelineBase {
  /**
   * @param scope the construct to create the pipeline in
   * @param id the ID of the pipeline, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the RollingPipeline's properties
   */
  constructor(scope: Construct, id: string, props: RollingPipelineProps) {
    super(scope, id, props);
  }

  /** @internal */
  protected _deployEngine(props: RollingPipelineProps): DeployEngine {
    const service = serviceTarget(props.service);
    if (service?.deploymentStrategy._isBlueGreen) {
      fail(this, `service '${service.serviceName}' uses deploymentStrategy ${service.deploymentStrategy._describe()}, which RollingPipeline cannot deploy: use BlueGreenPipeline, or DeploymentStrategy.rolling() on the service`);
    }
    validatePipeline(this, props);
    if (!service) {
      if (props.deployTimeout !== undefined) {
        fail(this, `deployTimeout is set but '${targetName(props.service)}' is a task no ECS service runs: its deploy step registers a revision and waits for nothing; remove deployTimeout`);
      }
      return registerRevisionEngine(this, props.service);
    }
    return ecsDeployEngine(this, props, service);
  }
}
