import { Names, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';

/**
 * The parameter holding the image a service's pipeline deployed last. CloudFormation creates it
 * with the initial image and never writes it again. An `AWS::SSM::Parameter` would not do: on any
 * update of that resource (a description, a tag from `Tags.of(app)`), CloudFormation writes its
 * template value back over the live one (aws-cdk #25949, "update Parameter Store Tags without
 * overwriting the values"), which would put the service back on the initial image.
 */
export function createImageParameter(scope: Construct, initialImage: string): { parameter: ssm.IStringParameter; creation: IDependable } {
  const stack = Stack.of(scope);
  // Unique per account and region: the stack's name and the service's path within the app.
  const name = `/cdk-ecs-devops/${stack.stackName}/${Names.uniqueId(scope)}/image`;
  const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
  // Not 'ImageParameter', the ID of the AWS::SSM::Parameter this replaces: CloudFormation cannot change a resource's type in place.
  const creation = new cr.AwsCustomResource(scope, 'ImageParameterStore', {
    resourceType: 'Custom::PipelineImageParameter',
    // No onUpdate: a changed initialImage (or anything else) never overwrites what the pipeline recorded.
    onCreate: {
      service: 'SSM',
      action: 'PutParameter',
      parameters: { Name: name, Value: initialImage, Type: 'String', Overwrite: true, Description: 'The container image of this service that its pipeline deployed last' },
      physicalResourceId: cr.PhysicalResourceId.of(name),
    },
    onDelete: {
      service: 'SSM',
      action: 'DeleteParameter',
      parameters: { Name: name },
      ignoreErrorCodesMatching: 'ParameterNotFound',
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [arn] }),
    installLatestAwsSdk: false,
    ...providerIdentity(stack),
  });
  Validations.of(stack.node.findChild(PROVIDER_ID)).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The runtime of aws-cdk-lib\'s AwsCustomResource provider is chosen by aws-cdk-lib; it runs only when a service\'s stack is created or deleted.',
  });
  // A reference by name only: fromStringParameterName would add an unused template parameter.
  const parameter = ssm.StringParameter.fromStringParameterAttributes(scope, 'ImageParameterName', { parameterName: name, forceDynamicReference: true });
  return { parameter, creation };
}

/** The construct ID aws-cdk-lib gives the stack's one AwsCustomResource function. */
const PROVIDER_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/**
 * The role and log group of the stack's one AwsCustomResource function, created once per stack:
 * the function would otherwise get AWSLambdaBasicExecutionRole, which may write to any log group.
 */
function providerIdentity(stack: Stack): { role: iam.IRole; logGroup: logs.ILogGroup } {
  const id = 'PipelineImageParameterProvider';
  const existing = stack.node.tryFindChild(id) as Construct | undefined;
  if (existing) {
    return { role: existing.node.findChild('Role') as iam.IRole, logGroup: existing.node.findChild('Logs') as logs.ILogGroup };
  }
  const scope = new Construct(stack, id);
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Creates and deletes the image parameters of this stack\'s services',
  });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

/**
 * The container image of a service its pipeline deploys: the image URI is read from an SSM
 * parameter whenever CloudFormation registers the task definition, so a `cdk deploy` picks up
 * the image the pipeline deployed last instead of a tag written into the template.
 */
export class PipelineContainerImage extends ecs.ContainerImage {
  constructor(
    /** Holds the image the pipeline deployed last. Starts with the initial image. */
    public readonly parameter: ssm.IStringParameter,
    private readonly repository: ecr.IRepository,
    /** What creates the parameter. CloudFormation resolves the reference only after it. */
    private readonly creation: IDependable,
  ) {
    super();
  }

  public bind(_scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    const executionRole = containerDefinition.taskDefinition.obtainExecutionRole();
    this.repository.grantPull(executionRole);
    containerDefinition.taskDefinition.node.addDependency(this.creation);
    // A dynamic reference, resolved whenever CloudFormation registers a revision (a template
    // parameter would be resolved once, before the stack that creates the parameter exists).
    return { imageName: `{{resolve:ssm:${this.parameter.parameterName}}}` };
  }
}
