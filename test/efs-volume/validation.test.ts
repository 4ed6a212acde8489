import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EfsVolume, EfsVolumeOptions, MicroService } from '../../src';
import { IMAGE } from '../micro-service/builder';
import { importedInfra, newStack } from '../util';

const UPLOADS: EfsVolumeOptions = { name: 'uploads', containerPath: '/srv/uploads' };

/** The 'orders' service with the given volumes; throws what the constructor throws. */
function create(volumes: EfsVolume[], user?: string, stack: Stack = newStack()): MicroService {
  return new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, user, volumes });
}

/** A service with one volume made from `options` (on top of UPLOADS). */
function withVolume(options: Partial<EfsVolumeOptions>): MicroService {
  return create([EfsVolume.create({ ...UPLOADS, ...options })]);
}

describe('EFS volumes fail when', () => {
  test('the name has characters ECS does not take', () => {
    expect(() => withVolume({ name: 'my uploads' }))
      .toThrow(/^Test\/Orders: volumes: name \('my uploads'\) must be 1-255 letters, digits, hyphens and underscores/);
  });

  test('two volumes of a task have the same name', () => {
    expect(() => create([EfsVolume.create(UPLOADS), EfsVolume.create({ name: 'uploads', containerPath: '/srv/other' })]))
      .toThrow(/volumes: two volumes are named 'uploads': give each volume of a task its own name/);
  });

  test('the container path is relative', () => {
    expect(() => withVolume({ containerPath: 'srv/uploads' }))
      .toThrow(/volumes: 'uploads' containerPath \('srv\/uploads'\) must be an absolute path, such as '\/srv\/uploads'/);
  });

  test('the container path climbs with ..', () => {
    expect(() => withVolume({ containerPath: '/srv/../etc' })).toThrow(/containerPath \('\/srv\/\.\.\/etc'\) must not contain '\.\.'/);
  });

  test('the container path is the root, however written', () => {
    for (const path of ['/', '//', '/./']) {
      expect(() => withVolume({ containerPath: path })).toThrow(/is the container's root, which would hide the image: mount the volume in a directory/);
    }
  });

  test('the container path is where the runtime or ECS Exec mounts', () => {
    expect(() => withVolume({ containerPath: '/proc/data' })).toThrow(/containerPath \('\/proc\/data'\) is under \/proc, where the container runtime mounts its own file system/);
    expect(() => withVolume({ containerPath: '/dev' })).toThrow(/is under \/dev/);
    expect(() => withVolume({ containerPath: '/sys/fs' })).toThrow(/is under \/sys/);
    expect(() => withVolume({ containerPath: '/managed-agents' })).toThrow(/is under \/managed-agents, where ECS Exec mounts its agent/);
  });

  test('two volumes are mounted at the same path, however written', () => {
    expect(() => create([EfsVolume.create(UPLOADS), EfsVolume.create({ name: 'other', containerPath: '/srv//uploads/' })]))
      .toThrow(/volumes: 'uploads' and 'other' are both mounted at \/srv\/uploads: give each volume its own containerPath/);
  });

  test('the root directory is not absolute, too deep, hidden, has a forbidden character or is too long', () => {
    for (const dir of ['uploads', '/a/b/c/d/e', '/.hidden', '/a$b', `/${'a'.repeat(100)}`, '/a/']) {
      expect(() => withVolume({ rootDirectory: dir }))
        .toThrow(new RegExp(`rootDirectory \\('${dir.replace(/[$.]/g, '\\$&')}'\\) must be '/' or one to four directories below it`));
    }
  });

  test('a UID or GID is out of range or not whole', () => {
    expect(() => withVolume({ posixUser: { uid: -1, gid: 1000 } })).toThrow(/volumes: 'uploads' posixUser.uid \(-1\) must be a whole number from 0 to 4294967295/);
    expect(() => withVolume({ posixUser: { uid: 1000, gid: 4294967296 } })).toThrow(/posixUser.gid \(4294967296\) must be a whole number/);
    expect(() => withVolume({ posixUser: { uid: 1000.5, gid: 1000 } })).toThrow(/posixUser.uid \(1000.5\) must be a whole number/);
    expect(() => withVolume({ posixUser: { uid: 1000, gid: 1000, secondaryGids: [7, -2] } })).toThrow(/posixUser.secondaryGids\[1\] \(-2\) must be a whole number/);
  });

  test('there are more than 16 secondary groups', () => {
    const secondaryGids = Array.from({ length: 17 }, (_, i) => 2000 + i);
    expect(() => withVolume({ posixUser: { uid: 1000, gid: 1000, secondaryGids } })).toThrow(/has 17 posixUser.secondaryGids, at most 16 are allowed/);
  });

  test('the access point is root without rootAccess', () => {
    expect(() => withVolume({ posixUser: { uid: 0, gid: 1000 } }))
      .toThrow(/posixUser 0:1000, which is root, and EFS refuses root through an access point without elasticfilesystem:ClientRootAccess: .* or set rootAccess: true/);
    expect(() => withVolume({ posixUser: { uid: 1000, gid: 0 } })).toThrow(/posixUser 1000:0, which is root/);
  });

  test('the root directory permissions are not 3 or 4 octal digits', () => {
    for (const permissions of ['75', '800', '07550', 'rwx']) {
      expect(() => withVolume({ rootDirectoryPermissions: permissions })).toThrow(new RegExp(`rootDirectoryPermissions \\('${permissions}'\\) must be 3 or 4 octal digits`));
    }
  });

  test('one volume is given to two tasks', () => {
    const stack = newStack();
    const volume = EfsVolume.create(UPLOADS);
    const infra = importedInfra(stack);
    new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, volumes: [volume] });
    expect(() => new MicroService(stack, 'Reports', { infra, serviceName: 'reports', image: IMAGE, volumes: [volume] }))
      .toThrow(/^Test\/Reports: volumes: EfsVolume 'uploads' is already mounted by Test\/Orders, and a volume belongs to one task: .*EfsVolume.fromFileSystem\(volume.fileSystem/);
  });

  test('the file system or the access point of a created volume is read before a task mounts it', () => {
    const volume = EfsVolume.create(UPLOADS);
    expect(() => volume.fileSystem).toThrow(/EfsVolume 'uploads' has no file system yet: it is created when a MicroService, WorkerService or ScheduledTask/);
    expect(() => volume.accessPoint).toThrow(/EfsVolume 'uploads' has no access point yet/);
  });
});

describe('EFS volumes accept', () => {
  test('a name of letters, digits, hyphens and underscores', () => {
    expect(() => withVolume({ name: 'Uploads_2-b' })).not.toThrow();
  });

  test('two volumes with their own names and paths, one inside the other', () => {
    expect(() => create([EfsVolume.create(UPLOADS), EfsVolume.create({ name: 'cache', containerPath: '/srv/uploads/cache' })])).not.toThrow();
  });

  test('paths that only begin like reserved ones', () => {
    expect(() => create([
      EfsVolume.create({ name: 'a', containerPath: '/process' }),
      EfsVolume.create({ name: 'b', containerPath: '/devdata' }),
      EfsVolume.create({ name: 'c', containerPath: '/system' }),
      EfsVolume.create({ name: 'd', containerPath: '/managed' }),
    ])).not.toThrow();
  });

  test('a container path with a trailing slash', () => {
    expect(() => withVolume({ containerPath: '/srv/uploads/' })).not.toThrow();
  });

  test('root directories from / to four levels of 100 characters', () => {
    for (const dir of ['/', '/a/b/c/d', `/${'a'.repeat(99)}`, '/media.v2']) {
      expect(() => withVolume({ rootDirectory: dir })).not.toThrow();
    }
  });

  test('the largest UID and GID and 16 secondary groups', () => {
    const secondaryGids = Array.from({ length: 16 }, (_, i) => 4294967295 - i);
    expect(() => withVolume({ posixUser: { uid: 4294967295, gid: 4294967295, secondaryGids } })).not.toThrow();
  });

  test('a root access point with rootAccess', () => {
    expect(() => withVolume({ posixUser: { uid: 0, gid: 0 }, rootAccess: true })).not.toThrow();
  });

  test('4-digit permissions with a setgid bit', () => {
    expect(() => withVolume({ rootDirectoryPermissions: '2770' })).not.toThrow();
  });

  test('a container user other than the access point\'s POSIX user: EFS uses the access point\'s identity for every file operation', () => {
    const service = create([EfsVolume.create({ ...UPLOADS, posixUser: { uid: 1000, gid: 1000 } })], '101:101');
    Template.fromStack(Stack.of(service)).hasResourceProperties('AWS::EFS::AccessPoint', { PosixUser: { Uid: '1000', Gid: '1000' } });
  });

  test('the same volume options for another task through fromFileSystem', () => {
    const stack = newStack();
    const volume = EfsVolume.create(UPLOADS);
    const infra = importedInfra(stack);
    new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, volumes: [volume] });
    expect(() => new MicroService(stack, 'Reports', { infra, serviceName: 'reports', image: IMAGE, volumes: [EfsVolume.fromFileSystem(volume.fileSystem, UPLOADS)] })).not.toThrow();
  });
});
