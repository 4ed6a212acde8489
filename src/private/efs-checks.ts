import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './validation';
import type { EfsVolume, EfsVolumeOptions } from '../efs-volume';

/**
 * Where no volume may be mounted: what the container runtime mounts itself (procfs, sysfs and
 * the device tree; runc refuses a mount destination inside /proc, checkProcMount in
 * opencontainers/runc libcontainer/rootfs_linux.go), and where ECS Exec bind-mounts its
 * SSM agent (/managed-agents/execute-command, aws/amazon-ecs-agent#2692, aws/containers-roadmap#1359).
 */
const RESERVED_PATHS = ['/proc', '/sys', '/dev', '/managed-agents'];

/** The largest UID or GID an access point takes ("PosixUser", https://docs.aws.amazon.com/efs/latest/ug/API_PosixUser.html). */
const MAX_ID = 4294967295;

/** `/a/b/` and `/a//b` are `/a/b` to the container runtime; `.` segments are nothing. */
export function normalizePath(path: string): string {
  return '/' + path.split('/').filter(s => s !== '' && s !== '.').join('/');
}

/** One volume's options, before anything is created. */
export function checkEfsVolumeOptions(scope: IConstruct, o: EfsVolumeOptions): void {
  // "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed"
  // (Volume name, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html).
  if (Token.isUnresolved(o.name) || !/^[A-Za-z0-9_-]{1,255}$/.test(o.name)) {
    fail(scope, `volumes: name ('${o.name}') must be 1-255 letters, digits, hyphens and underscores, known at synth, such as 'uploads'`);
  }
  checkContainerPath(scope, o);
  if (o.rootDirectory !== undefined) {
    checkRootDirectory(scope, o.name, o.rootDirectory);
  }
  const user = o.posixUser ?? { uid: 1000, gid: 1000 };
  checkId(scope, o.name, 'posixUser.uid', user.uid);
  checkId(scope, o.name, 'posixUser.gid', user.gid);
  const secondary = user.secondaryGids ?? [];
  if (secondary.length > 16) {
    fail(scope, `volumes: '${o.name}' has ${secondary.length} posixUser.secondaryGids, at most 16 are allowed`);
  }
  secondary.forEach((gid, i) => checkId(scope, o.name, `posixUser.secondaryGids[${i}]`, gid));
  // "In some cases you might configure the access point user ID, group ID, or both to be root
  // (that is, setting the UID, GID, or both to 0). In such cases, you must grant the
  // ClientRootAccess IAM permission" ("Enforcing a user identity using an access point",
  // https://docs.aws.amazon.com/efs/latest/ug/enforce-identity-access-points.html).
  if ((user.uid === 0 || user.gid === 0) && !o.rootAccess) {
    fail(scope, `volumes: '${o.name}' has posixUser ${user.uid}:${user.gid}, which is root, and EFS refuses root through an access point without elasticfilesystem:ClientRootAccess: use a non-root posixUser (such as { uid: 1000, gid: 1000 }), or set rootAccess: true`);
  }
  const permissions = o.rootDirectoryPermissions;
  // CreationInfo Permissions: "^[0-7]{3,4}$" (https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html).
  if (permissions !== undefined && !Token.isUnresolved(permissions) && !/^[0-7]{3,4}$/.test(permissions)) {
    fail(scope, `volumes: '${o.name}' rootDirectoryPermissions ('${permissions}') must be 3 or 4 octal digits, such as '750' or '2770'`);
  }
}

function checkContainerPath(scope: IConstruct, o: EfsVolumeOptions): void {
  const path = o.containerPath;
  if (Token.isUnresolved(path)) {
    fail(scope, `volumes: '${o.name}' containerPath must be known at synth: it is checked against the other volumes' paths`);
  }
  if (!path.startsWith('/')) {
    fail(scope, `volumes: '${o.name}' containerPath ('${path}') must be an absolute path, such as '/${path}'`);
  }
  if (path.split('/').includes('..')) {
    fail(scope, `volumes: '${o.name}' containerPath ('${path}') must not contain '..': write the path it leads to`);
  }
  const normalized = normalizePath(path);
  if (normalized === '/') {
    fail(scope, `volumes: '${o.name}' containerPath ('${path}') is the container's root, which would hide the image: mount the volume in a directory, such as '/data'`);
  }
  const reserved = RESERVED_PATHS.find(r => normalized === r || normalized.startsWith(`${r}/`));
  if (reserved) {
    fail(scope, `volumes: '${o.name}' containerPath ('${path}') is under ${reserved}, where ${reserved === '/managed-agents' ? 'ECS Exec mounts its agent' : 'the container runtime mounts its own file system'}: choose another directory, such as '/data'`);
  }
}

/** An access point's path: "^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*\/\n]+){1,4})$", 1-100 characters (AWS::EFS::AccessPoint RootDirectory, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-efs-accesspoint-rootdirectory.html). */
function checkRootDirectory(scope: IConstruct, name: string, path: string): void {
  if (Token.isUnresolved(path)) {
    return;
  }
  const ok = path.length <= 100 && /^(\/|(\/(?!\.)[^$#<>;`|&?{}^*/\n]+){1,4})$/.test(path);
  if (!ok) {
    fail(scope, `volumes: '${name}' rootDirectory ('${path}') must be '/' or one to four directories below it, none starting with '.', without $#<>;\`|&?{}^* and at most 100 characters, such as '/${name}'`);
  }
}

function checkId(scope: IConstruct, name: string, prop: string, value: number): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) {
    fail(scope, `volumes: '${name}' ${prop} (${value}) must be a whole number from 0 to ${MAX_ID}`);
  }
}

/** The volumes of one task together: names and container paths unique. */
export function checkVolumeSet(scope: IConstruct, volumes: EfsVolume[]): void {
  const names = new Set<string>();
  const paths = new Map<string, string>();
  for (const v of volumes) {
    if (names.has(v.name)) {
      fail(scope, `volumes: two volumes are named '${v.name}': give each volume of a task its own name`);
    }
    names.add(v.name);
    if (Token.isUnresolved(v.containerPath)) {
      continue;
    }
    const path = normalizePath(v.containerPath);
    const other = paths.get(path);
    if (other !== undefined) {
      fail(scope, `volumes: '${other}' and '${v.name}' are both mounted at ${path}: give each volume its own containerPath (one may be inside the other, such as '/data' and '/data/cache')`);
    }
    paths.set(path, v.name);
  }
}
