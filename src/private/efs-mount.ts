import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { checkVolumeSet } from './efs-checks';
import type { EfsPosixUser, EfsVolume } from '../efs-volume';
import type { TaskSpec } from '../micro-service/task';

/** NFS, the only port EFS mount targets listen on ("Using VPC security groups", https://docs.aws.amazon.com/efs/latest/ug/network-access.html). */
export const NFS_PORT = 2049;

/** A volume's options with their defaults. */
export interface MountSpec {
  readonly name: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
  readonly rootDirectory: string;
  readonly posixUser: EfsPosixUser;
  readonly rootDirectoryPermissions: string;
  readonly rootAccess: boolean;
}

/** The access points made so far, by file system and root directory: who creates the directory decides its owner. */
const rootDirectories = new WeakMap<efs.IFileSystem, Map<string, { path: string; creation: string }>>();

/** Mounts the task's volumes in its application container (`volumes` of the construct's props). */
export function addVolumes(scope: Construct, r: TaskSpec, taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition): void {
  const volumes = r.props.volumes ?? [];
  checkVolumeSet(scope, volumes);
  for (const volume of volumes) {
    volume._bind(scope, r.props.infra, r.removalPolicy, taskDefinition, container);
  }
}

/** Lets the task reach each volume's file system over NFS, once its security groups exist. */
export function connectVolumes(volumes: EfsVolume[] | undefined, task: ec2.IConnectable): void {
  for (const volume of volumes ?? []) {
    volume._connect(task);
  }
}

/**
 * The file system of `EfsVolume.create()`: encrypted, backed up, one mount target per
 * Availability Zone in the private subnets the tasks run in, and a file system policy that
 * accepts TLS connections only and allows nothing by itself.
 */
export function createFileSystem(scope: Construct, name: string, vpc: ec2.IVpc, removalPolicy: RemovalPolicy): efs.FileSystem {
  return new efs.FileSystem(scope, `${name}FileSystem`, {
    vpc,
    // "If the VPC has multiple subnets in an Availability Zone, you can create a mount target in
    // only one of those subnets" ("Creating mount targets",
    // https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html).
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true },
    encrypted: true,
    enableAutomaticBackups: true,
    removalPolicy,
    // Without a policy of its own, EFS's default one "grants full access to any anonymous client
    // that can connect to the file system using a mount target" ("Using IAM to control access to
    // file systems", https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
    // This policy allows nothing, so only principals granted by their identity policy (the task
    // roles) mount, and denies every connection without TLS ("Enforce in-transit encryption",
    // https://docs.aws.amazon.com/efs/latest/ug/create-file-system-policy.html).
    fileSystemPolicy: new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      })],
    }),
    // Not anonymous access: with it unset, aws-cdk-lib (under the efs denyAnonymousAccess feature
    // flag) would add a statement allowing ClientWrite and ClientRootAccess to every IAM principal
    // that reaches a mount target. The policy above is the whole policy either way.
    allowAnonymousAccess: true,
  });
}

/**
 * The volume's access point, its entry in the task definition with TLS and IAM authorization,
 * its mount point in the container, and the task role's grant to mount through that access
 * point only.
 */
export function mountVolume(scope: Construct, v: MountSpec, fileSystem: efs.IFileSystem,
  taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition): efs.AccessPoint {
  const { uid, gid, secondaryGids } = v.posixUser;
  warnOnOtherCreationInfo(scope, v, fileSystem);
  const accessPoint = new efs.AccessPoint(scope, `${v.name}AccessPoint`, {
    fileSystem,
    path: v.rootDirectory,
    // "The owner and group for new files and directories are set to the user ID and group ID of
    // the access point" and "EFS ignores the NFS client's IDs" ("Enforcing a user identity using
    // an access point", https://docs.aws.amazon.com/efs/latest/ug/enforce-identity-access-points.html):
    // the container's own user does not matter to the file system.
    posixUser: { uid: String(uid), gid: String(gid), secondaryGids: secondaryGids?.map(String) },
    createAcl: { ownerUid: String(uid), ownerGid: String(gid), permissions: v.rootDirectoryPermissions },
  });
  taskDefinition.addVolume({
    name: v.name,
    efsVolumeConfiguration: {
      fileSystemId: fileSystem.fileSystemId,
      // An access point needs transit encryption, IAM authorization does too ("AuthorizationConfig",
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html).
      transitEncryption: 'ENABLED',
      authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
    },
  });
  container.addMountPoints({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: v.readOnly });

  // With IAM authorization ECS mounts as the task role ("Use Amazon EFS volumes with Amazon ECS",
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html); the condition
  // keeps the grant to this access point ("Using access points in IAM policies",
  // https://docs.aws.amazon.com/efs/latest/ug/access-points-iam-policy.html).
  const actions = ['elasticfilesystem:ClientMount'];
  if (!v.readOnly) {
    actions.push('elasticfilesystem:ClientWrite');
  }
  if (v.rootAccess) {
    actions.push('elasticfilesystem:ClientRootAccess');
  }
  // A task started before the mount targets are available fails to mount.
  // The task definition resource alone: its role and policy must not wait for the NFS rule, which
  // refers to the service's security group, which waits for them.
  taskDefinition.node.defaultChild!.node.addDependency(fileSystem.mountTargetsAvailable);
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions,
    resources: [fileSystem.fileSystemArn],
    conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
  }));
  return accessPoint;
}

/**
 * Lets the task's security groups reach the file system over NFS. The task definition (and so the
 * service or schedule that runs it) waits for the rules, so no task starts before it can mount.
 * On EC2 capacity too the mount comes from the task's security group, not the instance's: for
 * awsvpc tasks the ECS agent passes the task's network namespace to the EFS volume plugin "so that
 * the mount will happen in the task network namespace" (aws/amazon-ecs-agent,
 * agent/taskresource/volume/dockervolume.go, getDriverOpts).
 */
export function allowNfs(fileSystem: efs.IFileSystem, task: ec2.IConnectable, taskDefinition: ecs.TaskDefinition, description: string): void {
  const root = taskDefinition.node.root;
  const rules = (): IConstruct[] => root.node.findAll()
    .filter(c => c instanceof ec2.CfnSecurityGroupIngress || c instanceof ec2.CfnSecurityGroupEgress);
  const before = new Set(rules());
  // From the task's side: when the file system is in another stack (another service's), the
  // ingress rule goes to the task's stack, which already depends on the file system's, and no
  // dependency cycle between the two stacks arises.
  task.connections.allowTo(fileSystem, ec2.Port.tcp(NFS_PORT), description);
  taskDefinition.node.defaultChild!.node.addDependency(...rules().filter(rule => !before.has(rule)));
}

/**
 * EFS creates an access point's root directory with its creation info only when the directory
 * does not exist yet ("Creating access points", https://docs.aws.amazon.com/efs/latest/ug/create-access-point.html):
 * two access points on one directory with different owners or permissions leave it to whichever
 * task mounts first.
 */
function warnOnOtherCreationInfo(scope: IConstruct, v: MountSpec, fileSystem: efs.IFileSystem): void {
  const creation = `owner ${v.posixUser.uid}:${v.posixUser.gid}, permissions ${v.rootDirectoryPermissions}`;
  const byDirectory = rootDirectories.get(fileSystem) ?? new Map();
  rootDirectories.set(fileSystem, byDirectory);
  const other = byDirectory.get(v.rootDirectory);
  if (other && other.creation !== creation) {
    Annotations.of(scope).addWarningV2('cdk-ecs-devops:efs-root-directory-owner',
      `volumes: '${v.name}' creates ${v.rootDirectory} with ${creation}, but ${other.path} creates it with ${other.creation}; the task that mounts first decides: give both the same posixUser and rootDirectoryPermissions, or different rootDirectory`);
  }
  byDirectory.set(v.rootDirectory, other ?? { path: scope.node.path, creation });
}
