import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import { Construct, IConstruct } from 'constructs';
import type { IBaseInfra } from './base-infra';
import { checkEfsVolumeOptions } from './private/efs-checks';
import { allowNfs, createFileSystem, MountSpec, mountVolume } from './private/efs-mount';
import { fail } from './private/validation';

/**
 * The POSIX identity every file operation through a volume's access point runs as, whatever
 * user the container runs as.
 */
export interface EfsPosixUser {
  /** The user ID, 0 to 4294967295. 0 (root) needs `rootAccess`. */
  readonly uid: number;

  /** The group ID, 0 to 4294967295. 0 (root) needs `rootAccess`. */
  readonly gid: number;

  /**
   * Further group IDs, at most 16.
   *
   * @default - none
   */
  readonly secondaryGids?: number[];
}

/**
 * How a task mounts an EFS file system: where in the container, through which directory of the
 * file system, as whom.
 */
export interface EfsVolumeOptions {
  /**
   * The volume's name in the task definition: letters, digits, hyphens and underscores, unique in
   * the task. The construct IDs of the access point (and of the file system `EfsVolume.create()`
   * makes) derive from it: renaming a volume replaces them.
   */
  readonly name: string;

  /** Where the volume appears in the container: an absolute path other than `/`. */
  readonly containerPath: string;

  /**
   * Whether the container may only read. The task role then gets `elasticfilesystem:ClientMount`
   * alone, so the file system refuses writes even if the mount were made writable.
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * The directory of the file system the access point exposes as the volume's root: up to four
   * levels below `/`, at most 100 characters. EFS creates it on first mount, owned by `posixUser`
   * with `rootDirectoryPermissions`. Two tasks mounting the same file system with the same
   * `rootDirectory` share its files.
   *
   * @default `/<name>`
   */
  readonly rootDirectory?: string;

  /**
   * The identity every file operation through the access point runs as.
   *
   * @default - UID 1000, GID 1000
   */
  readonly posixUser?: EfsPosixUser;

  /**
   * The octal permissions EFS gives `rootDirectory` when it creates it (the owner is `posixUser`).
   * An existing directory keeps its own.
   *
   * @default '750'
   */
  readonly rootDirectoryPermissions?: string;

  /**
   * Whether the task role gets `elasticfilesystem:ClientRootAccess`, which an access point whose
   * `posixUser` has UID or GID 0 needs.
   *
   * @default false
   */
  readonly rootAccess?: boolean;
}

/** Where an EfsVolume is mounted, once bound. */
interface Binding {
  readonly scope: IConstruct;
  readonly fileSystem: efs.IFileSystem;
  readonly accessPoint: efs.AccessPoint;
  readonly taskDefinition: ecs.TaskDefinition;
}

/**
 * An Amazon EFS volume of a task (`volumes` of MicroService, WorkerService and ScheduledTask),
 * mounted through an access point of its own with TLS and IAM authorization: the task role may
 * mount (and write, unless `readOnly`) through that access point only, and the file system's
 * security group lets in NFS from the task's security group only.
 *
 * @example
 * const uploads = EfsVolume.create({ name: 'uploads', containerPath: '/srv/uploads' });
 */
export class EfsVolume {
  /**
   * A volume on a new file system the task's construct creates: encrypted at rest, automatic
   * backups on, mount targets in the private subnets of its infra's VPC, kept on stack deletion
   * unless the construct's `removalPolicy` says otherwise. Only IAM principals with a grant may
   * mount it, over TLS only. Other tasks share it through `EfsVolume.fromFileSystem(volume.fileSystem, …)`.
   *
   * @param options how the task mounts the volume
   */
  public static create(options: EfsVolumeOptions): EfsVolume {
    return new EfsVolume(options);
  }

  /**
   * A volume on an existing file system, such as another service's (`volume.fileSystem`) or one
   * imported with `efs.FileSystem.fromFileSystemAttributes()` (with its security group, which
   * gets the NFS rule). Whoever owns an imported file system decides its file system policy.
   *
   * @param fileSystem the file system to mount
   * @param options how the task mounts the volume
   */
  public static fromFileSystem(fileSystem: efs.IFileSystem, options: EfsVolumeOptions): EfsVolume {
    return new EfsVolume(options, fileSystem);
  }

  /** The volume's name in the task definition. */
  public readonly name: string;
  /** Where the volume appears in the container. */
  public readonly containerPath: string;
  /** Whether the container may only read. */
  public readonly readOnly: boolean;
  /** The directory of the file system the access point exposes. */
  public readonly rootDirectory: string;
  /** The identity of every file operation through the access point. */
  public readonly posixUser: EfsPosixUser;

  private readonly options: EfsVolumeOptions;
  private readonly resolved: MountSpec;
  private readonly existingFileSystem?: efs.IFileSystem;
  private binding?: Binding;

  private constructor(options: EfsVolumeOptions, fileSystem?: efs.IFileSystem) {
    this.options = options;
    this.existingFileSystem = fileSystem;
    this.resolved = {
      name: options.name,
      containerPath: options.containerPath,
      readOnly: options.readOnly ?? false,
      rootDirectory: options.rootDirectory ?? `/${options.name}`,
      posixUser: options.posixUser ?? { uid: 1000, gid: 1000 },
      rootDirectoryPermissions: options.rootDirectoryPermissions ?? '750',
      rootAccess: options.rootAccess ?? false,
    };
    this.name = this.resolved.name;
    this.containerPath = this.resolved.containerPath;
    this.readOnly = this.resolved.readOnly;
    this.rootDirectory = this.resolved.rootDirectory;
    this.posixUser = this.resolved.posixUser;
  }

  /**
   * The file system: the one passed to `fromFileSystem()`, or the one `create()` made once a
   * MicroService, WorkerService or ScheduledTask mounts the volume.
   */
  public get fileSystem(): efs.IFileSystem {
    const fileSystem = this.existingFileSystem ?? this.binding?.fileSystem;
    if (!fileSystem) {
      throw new Error(`EfsVolume '${this.name}' has no file system yet: it is created when a MicroService, WorkerService or ScheduledTask with this volume in its volumes is constructed; read fileSystem after that`);
    }
    return fileSystem;
  }

  /** The volume's access point, once a MicroService, WorkerService or ScheduledTask mounts the volume. */
  public get accessPoint(): efs.IAccessPoint {
    if (!this.binding) {
      throw new Error(`EfsVolume '${this.name}' has no access point yet: it is created when a MicroService, WorkerService or ScheduledTask with this volume in its volumes is constructed; read accessPoint after that`);
    }
    return this.binding.accessPoint;
  }

  /**
   * Checks the options, creates the file system (for `create()`) and the access point in `scope`,
   * and mounts the volume in the container.
   *
   * @internal
   */
  public _bind(scope: Construct, infra: IBaseInfra, removalPolicy: RemovalPolicy,
    taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition): void {
    if (this.binding) {
      fail(scope, `volumes: EfsVolume '${this.name}' is already mounted by ${this.binding.scope.node.path}, and a volume belongs to one task: give this task its own, EfsVolume.fromFileSystem(volume.fileSystem, { name: '${this.name}', containerPath: '${this.containerPath}' }) shares the file system`);
    }
    checkEfsVolumeOptions(scope, this.options);
    const fileSystem = this.existingFileSystem ?? createFileSystem(scope, this.name, infra.vpc, removalPolicy);
    const accessPoint = mountVolume(scope, this.resolved, fileSystem, taskDefinition, container);
    this.binding = { scope, fileSystem, accessPoint, taskDefinition };
  }

  /**
   * Lets the task's security groups reach the file system's mount targets over NFS.
   *
   * @internal
   */
  public _connect(task: ec2.IConnectable): void {
    const { scope, taskDefinition } = this.binding!;
    allowNfs(this.fileSystem, task, taskDefinition, `NFS from ${scope.node.path}`);
  }
}
