import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';

/**
 * What a pipeline delivers: a `MicroService`, a `WorkerService` or a `ScheduledTask`. The pipeline
 * builds the image into its repository, deploys it and records it in its image parameter.
 */
export interface IDeployTarget extends IConstruct {
  /** The task definition whose family the pipeline registers new revisions of. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The container whose image the pipeline replaces. */
  readonly container: ecs.ContainerDefinition;
  /** The repository the pipeline pushes images to. */
  readonly repository: ecr.IRepository;
  /** The parameter the pipeline records the deployed image in. The pipeline refuses a target without one. */
  readonly imageParameter?: ssm.IStringParameter;
  /** The CPU architecture the image is built for. */
  readonly cpuArchitecture: ecs.CpuArchitecture;
}
