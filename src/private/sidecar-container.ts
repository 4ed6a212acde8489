import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SidecarImpl, sidecarLogging } from './sidecar-plan';
import type { SidecarContainerOptions } from '../sidecars/sidecar';

/**
 * A sidecar of the user's own. Essential unless the application waits for it to exit: "If the
 * essential parameter of a container is marked as true, and that container fails or stops for
 * any reason, all other containers that are part of the task are stopped", and a container a
 * dependency waits to COMPLETE or SUCCEED "can't be an essential container" ("Amazon ECS task
 * definition parameters", essential and dependsOn,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
 * A sidecar that silently stopped (a proxy, an agent) leaves a task that looks healthy and is
 * not, so by default its end ends the task and ECS replaces it.
 */
export function containerSidecar(options: SidecarContainerOptions): SidecarImpl {
  const exits = options.appStartCondition === ecs.ContainerDependencyCondition.COMPLETE
    || options.appStartCondition === ecs.ContainerDependencyCondition.SUCCESS;
  const essential = options.essential ?? !exits;
  return {
    containerName: options.containerName,
    memoryLimitMiB: options.memoryLimitMiB,
    cpu: options.cpu,
    essential,
    appStartCondition: options.appStartCondition,
    hasHealthCheck: options.healthCheck !== undefined,
    ports: options.ports ?? [],
    routesLogs: false,
    setsEnvironment: Object.keys(options.environment ?? {}).length > 0,
    addTo(_scope, ctx) {
      return ctx.taskDefinition.addContainer(`Sidecar-${options.containerName}`, {
        containerName: options.containerName,
        image: options.image,
        memoryLimitMiB: options.memoryLimitMiB,
        cpu: options.cpu,
        essential,
        healthCheck: options.healthCheck,
        command: options.command,
        environment: options.environment,
        secrets: options.secrets,
        portMappings: options.ports?.map(containerPort => ({ containerPort })),
        logging: options.logging ?? sidecarLogging(ctx, options.containerName),
      });
    },
  };
}
