import { Duration, RemovalPolicy, Size, Token, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkEnvironment } from './environment-check';
import { MicroServiceProps } from './props';
import { addVolumes } from '../private/efs-mount';
import { PipelineContainerImage } from '../private/pipeline-image';
import { planSidecars } from '../private/sidecar-plan';
import { checkPort, checkRange, fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';

/** The tag prefix a pipeline's record step adds to each image it deployed. */
export const DEPLOYED_TAG_PREFIX = 'deployed-';

/** The task definition, its application container and, for pipeline images, the image parameter. */
export interface ServiceTask {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly imageParameter?: ssm.IStringParameter;
}

/**
 * What the task, container, repository and log group are made from, shared by every construct
 * that runs this library's tasks (MicroService, WorkerService, ScheduledTask). A MicroService's
 * resolved props are one; the others resolve theirs to the same shape.
 */
export interface TaskSpec {
  /** The props the container is made from. `serviceName` names the container and its log streams. */
  readonly props: Pick<MicroServiceProps, 'infra' | 'serviceName' | 'image' | 'environment' | 'secrets' | 'user'
  | 'containerHealthCheck' | 'readonlyRootFilesystem' | 'logRetention' | 'maxImageCount' | 'maxDeployedImageCount' | 'volumes'
  | 'sidecars'>;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly capacity: ServiceCapacity;
  readonly removalPolicy: RemovalPolicy;
  /** The port the container listens on. None for tasks nobody connects to. */
  readonly containerPort?: number;
  /** How long the container has between SIGTERM and SIGKILL. Undefined leaves ECS's default. */
  readonly stopTimeout?: Duration;
}

/** The service's own image repository: scan on push, immutable tags, the newest images kept. */
export function createRepository(scope: Construct, r: TaskSpec): ecr.IRepository {
  checkRange(scope, 'maxImageCount', r.props.maxImageCount, 1, 10000);
  checkRange(scope, 'maxDeployedImageCount', r.props.maxDeployedImageCount, 1, 10000);
  return new ecr.Repository(scope, 'Repository', {
    imageScanOnPush: true,
    imageTagMutability: ecr.TagMutability.IMMUTABLE,
    encryption: ecr.RepositoryEncryption.AES_256,
    // "An image that matches the tagging requirements of a higher priority rule cannot be expired by
    // a rule with a lower priority" (ECR, "Lifecycle policies",
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html): deployed images
    // are counted apart from builds, so builds never push out the image the service runs.
    lifecycleRules: [
      { rulePriority: 1, description: 'Keep the newest deployed images', tagPrefixList: [DEPLOYED_TAG_PREFIX], maxImageCount: r.props.maxDeployedImageCount ?? 10 },
      { rulePriority: 2, description: 'Keep the newest images', maxImageCount: r.props.maxImageCount ?? 30 },
    ],
    removalPolicy: r.removalPolicy,
  });
}

export function createLogGroup(scope: Construct, r: TaskSpec): logs.LogGroup {
  return new logs.LogGroup(scope, 'Logs', {
    retention: r.props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: r.removalPolicy,
  });
}

/** The task definition on the service's capacity and its one application container. */
export function addTask(scope: Construct, r: TaskSpec, repository: ecr.IRepository, logGroup: logs.ILogGroup): ServiceTask {
  const { props, containerPort, cpu, memoryLimitMiB, cpuArchitecture } = r;
  checkPort(scope, 'containerPort', containerPort);
  r.capacity._validateTask(scope, props.infra, { cpu, memoryLimitMiB, cpuArchitecture });
  checkEnvironment(scope, props.environment ?? {}, props.secrets ?? {});
  if (props.user !== undefined && !Token.isUnresolved(props.user) && !/^[^\s:]+(:[^\s:]+)?$/.test(props.user)) {
    fail(scope, `user ('${props.user}') must be a user or UID, optionally with a group or GID after a colon, such as 'node' or '1000:1000'`);
  }

  const sidecars = planSidecars(scope, r, logGroup);
  const taskDefinition = r.capacity._createTaskDefinition(scope, 'TaskDef', { cpu, memoryLimitMiB, cpuArchitecture });
  const image = props.image.bind(scope, { cpuArchitecture, repository });
  const container = taskDefinition.addContainer('App', {
    containerName: props.serviceName,
    image,
    essential: true,
    // A hard limit: the task's memory less the sidecars', all of it without sidecars; never more.
    memoryLimitMiB: sidecars.appMemoryLimitMiB,
    portMappings: containerPort === undefined ? undefined : [{ name: 'http', containerPort, appProtocol: ecs.AppProtocol.http }],
    environment: props.environment,
    secrets: props.secrets,
    user: props.user,
    healthCheck: props.containerHealthCheck,
    stopTimeout: r.stopTimeout,
    readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
    logging: sidecars.appLogging ?? ecs.LogDrivers.awsLogs({
      logGroup,
      streamPrefix: props.serviceName,
      // A full log buffer must not block the application's stdout (and so its requests).
      mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      maxBufferSize: Size.mebibytes(25),
    }),
  });
  if (image instanceof ecs.EcrImage || image instanceof ecs.AssetImage || image instanceof PipelineContainerImage) {
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which every pull from ECR needs, is only authorized on *; the pull actions themselves are scoped to the image\'s repository.',
    });
  }
  if (props.environment && Object.keys(props.environment).length > 0) {
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'Environment variables carry non-secret configuration set by the service team; credentials go through the secrets prop (SSM Parameter Store or Secrets Manager).',
    });
  }
  addVolumes(scope, r, taskDefinition, container);
  sidecars.addTo(taskDefinition, container);
  return { taskDefinition, container, imageParameter: image instanceof PipelineContainerImage ? image.parameter : undefined };
}
