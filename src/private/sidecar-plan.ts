import { Token, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkPort, checkRange, fail } from './validation';
import type { Sidecar } from '../sidecars/sidecar';

/** What a sidecar's container needs from the task it joins. */
export interface SidecarContext {
  readonly taskDefinition: ecs.TaskDefinition;
  /** The application container's name. */
  readonly appName: string;
  /** The application container's own variables, which a sidecar's must not override. */
  readonly appEnvironment: Record<string, string>;
  /** The service's log group: the default destination of every container's output. */
  readonly logGroup: logs.ILogGroup;
}

/** One sidecar, resolved from its options: what the plan checks and how it joins the task. */
export interface SidecarImpl {
  readonly containerName: string;
  readonly memoryLimitMiB: number;
  readonly cpu?: number;
  readonly essential: boolean;
  /** What the application container waits for. */
  readonly appStartCondition?: ecs.ContainerDependencyCondition;
  readonly hasHealthCheck: boolean;
  /** The ports it listens on in the task's network namespace, with or without a port mapping. */
  readonly ports: number[];
  /** Whether it is a FireLens log router (a task has at most one). */
  readonly routesLogs: boolean;
  /** Whether it sets environment variables, on its container or the application's. */
  readonly setsEnvironment: boolean;
  /** Checks the options that need the construct path in their message. */
  validate?(scope: Construct, prop: string): void;
  /** The application container's log driver, for a log router. */
  appLogging?(scope: Construct, appName: string, logGroup: logs.ILogGroup): ecs.LogDriver;
  /** Adds the container, the task role's grants and the application's environment. */
  addTo(scope: Construct, ctx: SidecarContext, app: ecs.ContainerDefinition): ecs.ContainerDefinition;
}

/** The part of a task spec the sidecars are checked against. */
export interface SidecarTask {
  readonly props: { readonly serviceName: string; readonly sidecars?: Sidecar[]; readonly environment?: Record<string, string> };
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly containerPort?: number;
}

/** A sidecar's own output: the service's log group, streams prefixed with its name, never blocking it. */
export function sidecarLogging(ctx: SidecarContext, containerName: string): ecs.LogDriver {
  return ecs.LogDrivers.awsLogs({ logGroup: ctx.logGroup, streamPrefix: containerName, mode: ecs.AwsLogDriverMode.NON_BLOCKING });
}

/** The least memory the application container keeps, whatever the task's size. */
const MIN_APP_MEMORY_MIB = 128;

/**
 * The sidecars of a task, checked, and what they change on the application container: its memory
 * (the task's less theirs) and, with a log router, its log driver.
 */
export interface SidecarPlan {
  readonly appMemoryLimitMiB: number;
  readonly appLogging?: ecs.LogDriver;
  /** Adds the sidecars' containers after the application container, which waits for them as asked. */
  addTo(taskDefinition: ecs.TaskDefinition, app: ecs.ContainerDefinition): void;
}

/**
 * Checks the sidecars against the task and each other and works out the application container's
 * share, before anything is created.
 *
 * The application container keeps at least half of the task's memory and at least 128 MiB:
 * sidecars serve it, and a task whose sidecars can starve it of memory fails in ways its own
 * settings do not explain. Sidecar memory is a hard limit (`memory`), so the sum is a guarantee.
 */
export function planSidecars(scope: Construct, r: SidecarTask, logGroup: logs.ILogGroup): SidecarPlan {
  const sidecars = (r.props.sidecars ?? []).map(s => s._impl);
  const appName = r.props.serviceName;
  const routers = sidecars.filter(s => s.routesLogs);
  if (routers.length > 1) {
    fail(scope, `sidecars has ${routers.length} FireLens log routers (${routers.map(s => `'${s.containerName}'`).join(', ')}): a task has at most one container with a FireLens configuration; keep one`);
  }
  const names = new Map<string, number>();
  const ports = new Map<number, string>();
  if (r.containerPort !== undefined && !Token.isUnresolved(r.containerPort)) {
    ports.set(r.containerPort, `the application container (containerPort ${r.containerPort})`);
  }
  sidecars.forEach((s, i) => {
    const prop = `sidecars[${i}]`;
    if (Token.isUnresolved(s.containerName) || !/^[A-Za-z0-9_-]{1,255}$/.test(s.containerName)) {
      fail(scope, `${prop}.containerName ('${s.containerName}') must be 1-255 letters, digits, hyphens and underscores`);
    }
    if (s.containerName === appName) {
      fail(scope, `${prop}.containerName ('${s.containerName}') is the application container's name (the service's name): give the sidecar another name`);
    }
    const other = names.get(s.containerName);
    if (other !== undefined) {
      fail(scope, `${prop}.containerName ('${s.containerName}') is also the name of sidecars[${other}]: container names are unique in a task`);
    }
    names.set(s.containerName, i);
    checkRange(scope, `${prop}.memoryLimitMiB`, s.memoryLimitMiB, 6, r.memoryLimitMiB, 'a hard limit of at least 6 MiB (Docker\'s minimum) and at most the task\'s memoryLimitMiB');
    checkRange(scope, `${prop}.cpu`, s.cpu, 0, r.cpu, 'CPU units out of the task\'s cpu');
    const condition = s.appStartCondition;
    if (condition === ecs.ContainerDependencyCondition.HEALTHY && !s.hasHealthCheck) {
      fail(scope, `${prop}.appStartCondition is HEALTHY but '${s.containerName}' has no healthCheck, so it never reports healthy and the application container never starts: add a healthCheck, or wait for START`);
    }
    if ((condition === ecs.ContainerDependencyCondition.COMPLETE || condition === ecs.ContainerDependencyCondition.SUCCESS) && s.essential) {
      fail(scope, `${prop}.appStartCondition is ${condition} but '${s.containerName}' is essential: a container the application waits to exit would stop the task when it exits; set essential to false`);
    }
    for (const port of s.ports) {
      checkPort(scope, `${prop}.ports`, port);
      const holder = ports.get(port);
      if (holder !== undefined) {
        fail(scope, `${prop} ('${s.containerName}') listens on port ${port}, as does ${holder}: the containers of a task share its network namespace, so a port has one listener; change one of them`);
      }
      ports.set(port, `sidecars[${i}] ('${s.containerName}')`);
    }
    s.validate?.(scope, prop);
  });

  const appMemoryLimitMiB = appShare(scope, r, sidecars);
  return {
    appMemoryLimitMiB,
    appLogging: routers[0]?.appLogging?.(scope, appName, logGroup),
    addTo(taskDefinition, app) {
      for (const s of sidecars) {
        const container = s.addTo(scope, { taskDefinition, appName, logGroup, appEnvironment: r.props.environment ?? {} }, app);
        if (s.appStartCondition) {
          app.addContainerDependencies({ container, condition: s.appStartCondition });
        }
      }
      if (sidecars.some(s => s.setsEnvironment)) {
        Validations.of(taskDefinition).acknowledge({
          id: 'AwsSolutions-ECS2',
          reason: 'Environment variables carry non-secret configuration: the service team\'s, the sidecars\' own (collector configuration, log destinations) and the OTLP endpoint on localhost; credentials go through secrets.',
        });
      }
    },
  };
}

/** The application container's memory: the task's less the sidecars', at least half and 128 MiB. */
function appShare(scope: Construct, r: SidecarTask, sidecars: SidecarImpl[]): number {
  if (sidecars.length === 0) {
    return r.memoryLimitMiB;
  }
  const sizes = [r.memoryLimitMiB, r.cpu, ...sidecars.flatMap(s => [s.memoryLimitMiB, s.cpu ?? 0])];
  if (sizes.some(v => Token.isUnresolved(v))) {
    fail(scope, 'sidecars need the task\'s memoryLimitMiB and cpu and the sidecars\' memoryLimitMiB and cpu known at synth, to carve the sidecars\' share out of the task: use numbers, not tokens');
  }
  const memory = sidecars.reduce((sum, s) => sum + s.memoryLimitMiB, 0);
  const app = r.memoryLimitMiB - memory;
  const floor = Math.max(MIN_APP_MEMORY_MIB, Math.ceil(r.memoryLimitMiB / 2));
  if (app < floor) {
    const needed = Math.max(2 * memory, memory + MIN_APP_MEMORY_MIB);
    fail(scope, `sidecars take ${memory} MiB of the task's memoryLimitMiB (${r.memoryLimitMiB}: ${sidecars.map(s => `'${s.containerName}' ${s.memoryLimitMiB}`).join(', ')}), leaving the application container ${app} MiB; it keeps at least half of the task's memory and at least ${MIN_APP_MEMORY_MIB} MiB: raise memoryLimitMiB to ${needed} or more (a size your capacity allows), or lower the sidecars' memoryLimitMiB`);
  }
  const cpu = sidecars.reduce((sum, s) => sum + (s.cpu ?? 0), 0);
  if (cpu > r.cpu / 2) {
    fail(scope, `sidecars reserve ${cpu} CPU units of the task's cpu (${r.cpu}); the application container keeps at least half: raise cpu to ${2 * cpu} or more, or lower the sidecars' cpu`);
  }
  return app;
}
