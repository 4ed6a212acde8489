import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/**
 * The container image of a service its pipeline deploys: the image URI is read from an SSM
 * parameter whenever CloudFormation registers the task definition, so a `cdk deploy` picks up
 * the image the pipeline deployed last instead of a tag written into the template.
 */
export class PipelineContainerImage extends ecs.ContainerImage {
  constructor(
    /** Holds the image the pipeline deployed last; starts with the initial image. */
    public readonly parameter: ssm.IStringParameter,
    private readonly repository: ecr.IRepository,
  ) {
    super();
  }

  public bind(_scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    const executionRole = containerDefinition.taskDefinition.obtainExecutionRole();
    this.repository.grantPull(executionRole);
    // A dynamic reference to the parameter resource (not a template parameter, which CloudFormation
    // would have to resolve before the stack that creates the parameter exists).
    return { imageName: `{{resolve:ssm:${this.parameter.parameterName}}}` };
  }
}
