/**
 * What an EC2 container instance offers to ECS tasks, so a task that could never be placed fails
 * at synth instead of waiting forever in PROVISIONING.
 *
 * Known instance types (BaseInfra refuses any other, so no capacity goes unchecked):
 * - general purpose, 4 GiB per vCPU: m5, m5a, m5d, m5ad, m5n, m6i, m6id, m6in, m6a, m6g, m6gd, m7i, m7i-flex, m7a, m7g, m7gd, m8g
 * - compute optimized, 2 GiB per vCPU: c5, c5a, c5d, c6i, c6id, c6in, c6a, c6g, c6gd, c7i, c7a, c7g, c7gd, c8g
 * - memory optimized, 8 GiB per vCPU: r5, r5a, r5d, r5ad, r5n, r6i, r6id, r6in, r6a, r6g, r6gd, r7i, r7a, r7g, r7gd, r8g
 *   in sizes medium (1 vCPU), large (2), xlarge (4) and <n>xlarge (4 × n); metal sizes are not known
 * - burstable, from a table: t2, t3, t3a, t4g, nano to 2xlarge
 */

export interface InstanceResources {
  /** vCPUs. ECS registers 1024 CPU units per vCPU. */
  readonly vcpus: number;
  /** Installed memory in MiB, as EC2 advertises it. */
  readonly memoryMiB: number;
}

const GENERAL = ['m5', 'm5a', 'm5d', 'm5ad', 'm5n', 'm6i', 'm6id', 'm6in', 'm6a', 'm6g', 'm6gd', 'm7i', 'm7i-flex', 'm7a', 'm7g', 'm7gd', 'm8g'];
const COMPUTE = ['c5', 'c5a', 'c5d', 'c6i', 'c6id', 'c6in', 'c6a', 'c6g', 'c6gd', 'c7i', 'c7a', 'c7g', 'c7gd', 'c8g'];
const MEMORY = ['r5', 'r5a', 'r5d', 'r5ad', 'r5n', 'r6i', 'r6id', 'r6in', 'r6a', 'r6g', 'r6gd', 'r7i', 'r7a', 'r7g', 'r7gd', 'r8g'];

const GIB_PER_VCPU: Record<string, number> = {
  ...Object.fromEntries(GENERAL.map(f => [f, 4])),
  ...Object.fromEntries(COMPUTE.map(f => [f, 2])),
  ...Object.fromEntries(MEMORY.map(f => [f, 8])),
};

/** vCPUs and GiB of the burstable sizes. T2 has fewer vCPUs than t3 at the small end. */
const T3_SIZES: Record<string, [number, number]> = {
  'nano': [2, 0.5], 'micro': [2, 1], 'small': [2, 2], 'medium': [2, 4], 'large': [2, 8], 'xlarge': [4, 16], '2xlarge': [8, 32],
};
const BURSTABLE: Record<string, Record<string, [number, number]>> = {
  t2: { ...T3_SIZES, nano: [1, 0.5], micro: [1, 1], small: [1, 2] },
  t3: T3_SIZES,
  t3a: T3_SIZES,
  t4g: T3_SIZES,
};

/** The families of the table, for messages. */
export const KNOWN_INSTANCE_FAMILIES = `${[...GENERAL, ...COMPUTE, ...MEMORY].join(', ')} in sizes medium to <n>xlarge; t2, t3, t3a, t4g nano to 2xlarge`;

/** The vCPUs and installed memory of an instance type such as 'm7i.large', or undefined when this table does not know it. */
export function instanceResources(instanceType: string): InstanceResources | undefined {
  const [family, size] = instanceType.split('.');
  const burstable = BURSTABLE[family]?.[size];
  if (burstable) {
    return { vcpus: burstable[0], memoryMiB: burstable[1] * 1024 };
  }
  const gibPerVcpu = GIB_PER_VCPU[family];
  const vcpus = size === 'medium' ? 1 : size === 'large' ? 2 : size === 'xlarge' ? 4 : Number(/^(\d+)xlarge$/.exec(size ?? '')?.[1]) * 4;
  if (gibPerVcpu === undefined || !Number.isInteger(vcpus) || vcpus <= 0) {
    return undefined;
  }
  return { vcpus, memoryMiB: vcpus * gibPerVcpu * 1024 };
}

/**
 * The memory tasks can reserve on one instance, in MiB.
 *
 * The ECS agent registers the memory the kernel reports, which is below the installed memory
 * (AWS's example: an m4.large has 8192 MiB installed and registers 7985 MiB, 2.5 % less), and
 * tasks that reserve all of it leave the agent, Docker and the OS contending for memory. The rule
 * here keeps 5 % of the installed memory, and at least 256 MiB, out of the tasks' reach: a task
 * that needs more is refused at synth rather than left unplaceable or starving its instance.
 */
export function schedulableMemoryMiB(resources: InstanceResources): number {
  const reserved = Math.max(256, Math.ceil(resources.memoryMiB * 0.05));
  return resources.memoryMiB - reserved;
}
