import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { instanceResources, schedulableMemoryMiB } from './instance-resources';
import { checkRange, fail } from './validation';

/** A task's size and architecture. */
export interface TaskSize {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
}

/**
 * ECS's range for EC2 task sizes and, when the instance type is known, a task that fits on one
 * instance of the same CPU architecture.
 */
export function checkEc2TaskFits(scope: IConstruct, size: TaskSize, instanceType: ec2.InstanceType | undefined): void {
  const { cpu, memoryLimitMiB, cpuArchitecture } = size;
  checkRange(scope, 'cpu', cpu, 128, 196608, 'ECS runs EC2 tasks of 128 to 196608 CPU units (1024 = 1 vCPU)');
  if (!Token.isUnresolved(memoryLimitMiB) && (!Number.isInteger(memoryLimitMiB) || memoryLimitMiB < 6)) {
    fail(scope, `memoryLimitMiB (${memoryLimitMiB}) must be a whole number of at least 6: Docker gives a container at least 6 MiB`);
  }
  if (!instanceType || Token.isUnresolved(instanceType.toString())) {
    return;
  }
  const instanceArm = instanceType.architecture === ec2.InstanceArchitecture.ARM_64;
  const taskArm = cpuArchitecture === ecs.CpuArchitecture.ARM64;
  if (instanceArm !== taskArm) {
    const [has, needs] = instanceArm ? ['ARM64 (Graviton)', 'ARM64'] : ['X86_64', 'X86_64'];
    fail(scope, `cpuArchitecture (${taskArm ? 'ARM64' : 'X86_64'}) does not match the EC2 capacity's instance type ${instanceType}, which is ${has}: set cpuArchitecture to ecs.CpuArchitecture.${needs}, or give the BaseInfra an instance type of the task's architecture`);
  }
  const resources = instanceResources(instanceType.toString());
  if (!resources) {
    return;
  }
  const maxCpu = resources.vcpus * 1024;
  if (!Token.isUnresolved(cpu) && cpu > maxCpu) {
    fail(scope, `cpu (${cpu}) is more than one ${instanceType} instance has (${resources.vcpus} vCPUs = ${maxCpu} CPU units), so no instance could run the task: use at most ${maxCpu}, or a larger instance type`);
  }
  const maxMemory = schedulableMemoryMiB(resources);
  if (!Token.isUnresolved(memoryLimitMiB) && memoryLimitMiB > maxMemory) {
    fail(scope, `memoryLimitMiB (${memoryLimitMiB}) does not fit on one ${instanceType} instance: of its ${resources.memoryMiB} MiB, tasks can use ${maxMemory} MiB (the rest stays with the ECS agent and the OS): use at most ${maxMemory}, or a larger instance type`);
  }
}
