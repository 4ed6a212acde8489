import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { EfsVolume, EfsVolumeOptions, IBaseInfra, MicroService, MicroServiceProps, ScheduledTask, ServiceCapacity, WorkerService } from '../../src';
import { ACCOUNT, resolve, TemplateContext } from '../iam/cfn-arns';
import { checkStatement, statementsOf } from '../iam/iam-model';
import { ec2Infra, IMAGE } from '../micro-service/builder';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const UPLOADS: EfsVolumeOptions = { name: 'uploads', containerPath: '/srv/uploads' };

const infras = new WeakMap<Stack, IBaseInfra>();

/** The 'orders' service (or the one named by `id`) with the given volumes on the stack's imported infra. */
function service(volumes: EfsVolume[], props: Partial<MicroServiceProps> = {}, stack: Stack = newStack(), id = 'Orders'): MicroService {
  const infra = infras.get(stack) ?? importedInfra(stack);
  infras.set(stack, infra);
  return new MicroService(stack, id, { infra, serviceName: id.toLowerCase(), image: IMAGE, volumes, ...props });
}

/** The policy statements of the task role of the service with construct ID `id`. */
function taskRoleStatements(template: Template, id = 'Orders'): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${id}TaskDefTaskRole`) }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The logical ID of the only resource of `type` whose ID starts with `prefix`. */
function logicalId(template: Template, type: string, prefix = ''): string {
  const ids = Object.keys(template.findResources(type)).filter(id => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/**
 * IAM's decision on a call the task role makes when ECS mounts with IAM authorization, simulated
 * against the role's synthesized policies with concrete ARNs (as test/iam/required-calls.test.ts does).
 */
async function simulateMount(stack: Stack, action: string, fileSystemId: string, accessPointArn: string): Promise<string> {
  const template = Template.fromStack(stack).toJSON();
  const ctx: TemplateContext = { source: 'efs', stackName: stack.stackName, region: stack.region, template, siblings: () => [ctx] };
  const policies = Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('OrdersTaskDefTaskRole'))
    .map(([id, r]) => ({ name: id, policy: resolve(r.Properties.PolicyDocument, ctx) }));
  const response = await runSimulation({
    request: {
      principal: `arn:aws:iam::${ACCOUNT}:role/OrdersTaskRole`,
      action,
      resource: { resource: resolve({ 'Fn::GetAtt': [fileSystemId, 'Arn'] }, ctx) as string, accountId: ACCOUNT },
      contextVariables: { 'elasticfilesystem:AccessPointArn': accessPointArn },
    },
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  return response.resultType === 'error' ? `error: ${response.errors.message}` : response.overallResult;
}

/** The IAM model's findings over every policy statement of the stack (test/iam/iam-model.ts). */
async function iamFindings(stack: Stack): Promise<string[]> {
  const ctx: TemplateContext = { source: 'efs', stackName: stack.stackName, region: stack.region, template: Template.fromStack(stack).toJSON(), siblings: () => [ctx] };
  const findings = (await Promise.all(statementsOf(ctx).map(checkStatement))).flat();
  return findings.map(f => `${f.logicalId} ${f.action}: ${f.why}`);
}

describe('a MicroService with a volume on a file system it creates', () => {
  const stack = newStack();
  const volume = EfsVolume.create(UPLOADS);
  service([volume], {}, stack);
  const template = Template.fromStack(stack);
  const fileSystemId = logicalId(template, 'AWS::EFS::FileSystem');
  const accessPointId = logicalId(template, 'AWS::EFS::AccessPoint');

  test('mounts it with TLS and IAM authorization through its access point', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [{
        Name: 'uploads',
        EFSVolumeConfiguration: {
          FilesystemId: { Ref: fileSystemId },
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: { Ref: accessPointId }, IAM: 'ENABLED' },
          RootDirectory: Match.absent(),
        },
      }],
      ContainerDefinitions: [Match.objectLike({ MountPoints: [{ SourceVolume: 'uploads', ContainerPath: '/srv/uploads', ReadOnly: false }] })],
    });
  });

  test('creates the access point on /<name> as UID and GID 1000, the directory owned by them with 750', () => {
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      FileSystemId: { Ref: fileSystemId },
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/uploads', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
  });

  test('creates the file system encrypted, backed up and retained, with mount targets in the private subnets', () => {
    template.hasResource('AWS::EFS::FileSystem', {
      Properties: Match.objectLike({ Encrypted: true, BackupPolicy: { Status: 'ENABLED' } }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const subnets = Object.values(template.findResources('AWS::EFS::MountTarget')).map((m: any) => m.Properties.SubnetId);
    expect(subnets.sort()).toEqual(['subnet-priv1', 'subnet-priv2']);
  });

  test('gives the file system a policy that allows nothing and denies connections without TLS', () => {
    const policy = template.findResources('AWS::EFS::FileSystem')[fileSystemId].Properties.FileSystemPolicy;
    expect(policy.Statement).toEqual([{
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
  });

  test('grants the task role ClientMount and ClientWrite on the file system through its access point only', () => {
    const statements = taskRoleStatements(template).filter(s => JSON.stringify(s.Action).includes('elasticfilesystem'));
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [fileSystemId, 'Arn'] });
    expect(JSON.stringify(statements[0].Condition.StringEquals['elasticfilesystem:AccessPointArn'])).toContain(`{"Ref":"${accessPointId}"}`);
  });

  test('lets NFS in from the service\'s security group only', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r: any) => r.Properties).filter(p => JSON.stringify(p.GroupId).includes('FileSystemEfsSecurityGroup'));
    expect(ingress).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', 'OrdersServiceSecurityGroup'), 'GroupId'] },
    })]);
  });

  test('registers the task definition only once the mount targets and the NFS rule exist', () => {
    const taskDefinition = template.findResources('AWS::ECS::TaskDefinition')[logicalId(template, 'AWS::ECS::TaskDefinition')];
    const mountTargets = Object.keys(template.findResources('AWS::EFS::MountTarget'));
    const rule = logicalId(template, 'AWS::EC2::SecurityGroupIngress', 'OrdersuploadsFileSystem');
    expect(taskDefinition.DependsOn.sort()).toEqual([...mountTargets, rule].sort());
  });

  test('exposes the file system and the access point', () => {
    expect(stack.resolve(volume.fileSystem.fileSystemId)).toEqual({ Ref: fileSystemId });
    expect(stack.resolve(volume.accessPoint.accessPointId)).toEqual({ Ref: accessPointId });
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('fits the IAM model: the action, the file-system ARN and the AccessPointArn condition key', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });

  test('lets ECS mount and write through the volume\'s access point, and through no other', async () => {
    const ctx: TemplateContext = { source: 'efs', stackName: stack.stackName, region: stack.region, template: template.toJSON(), siblings: () => [ctx] };
    const own = resolve({ 'Fn::GetAtt': [accessPointId, 'Arn'] }, ctx) as string;
    const other = own.replace(/fsap-[0-9a-f]+$/, 'fsap-0123456789abcdef0');
    expect(await simulateMount(stack, 'elasticfilesystem:ClientMount', fileSystemId, own)).toEqual('Allowed');
    expect(await simulateMount(stack, 'elasticfilesystem:ClientWrite', fileSystemId, own)).toEqual('Allowed');
    expect(await simulateMount(stack, 'elasticfilesystem:ClientRootAccess', fileSystemId, own)).not.toEqual('Allowed');
    expect(await simulateMount(stack, 'elasticfilesystem:ClientMount', fileSystemId, other)).not.toEqual('Allowed');
  });
});

describe('volume options', () => {
  test('removalPolicy DESTROY deletes the file system with the stack', () => {
    const stack = newStack();
    service([EfsVolume.create(UPLOADS)], { removalPolicy: RemovalPolicy.DESTROY }, stack);
    Template.fromStack(stack).hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Delete' });
  });

  test('readOnly mounts read-only and grants ClientMount alone', () => {
    const stack = newStack();
    service([EfsVolume.create({ ...UPLOADS, readOnly: true })], {}, stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ MountPoints: [Match.objectLike({ ReadOnly: true })] })],
    });
    const statement = taskRoleStatements(template).find(s => JSON.stringify(s.Action).includes('elasticfilesystem'));
    expect(statement.Action).toEqual('elasticfilesystem:ClientMount');
  });

  test('rootAccess grants ClientRootAccess to a root access point', () => {
    const stack = newStack();
    service([EfsVolume.create({ ...UPLOADS, posixUser: { uid: 0, gid: 0 }, rootAccess: true })], {}, stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EFS::AccessPoint', { PosixUser: { Uid: '0', Gid: '0' } });
    const statement = taskRoleStatements(template).find(s => JSON.stringify(s.Action).includes('elasticfilesystem'));
    expect(statement.Action).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess']);
  });

  test('rootDirectory, posixUser with secondary groups and rootDirectoryPermissions reach the access point', () => {
    const stack = newStack();
    service([EfsVolume.create({ ...UPLOADS, rootDirectory: '/shared/media', posixUser: { uid: 101, gid: 102, secondaryGids: [2000] }, rootDirectoryPermissions: '2770' })], {}, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '101', Gid: '102', SecondaryGids: ['2000'] },
      RootDirectory: { Path: '/shared/media', CreationInfo: { OwnerUid: '101', OwnerGid: '102', Permissions: '2770' } },
    });
  });

  test('two volumes get a file system, an access point and a mount point each', () => {
    const stack = newStack();
    service([EfsVolume.create(UPLOADS), EfsVolume.create({ name: 'cache', containerPath: '/srv/uploads/cache' })], {}, stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EFS::FileSystem', 2);
    template.resourceCountIs('AWS::EFS::AccessPoint', 2);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        MountPoints: [
          { SourceVolume: 'uploads', ContainerPath: '/srv/uploads', ReadOnly: false },
          { SourceVolume: 'cache', ContainerPath: '/srv/uploads/cache', ReadOnly: false },
        ],
      })],
    });
  });

  test('without volumes, nothing of EFS is created', () => {
    const stack = newStack();
    service([], {}, stack);
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).not.toMatch(/EFS|elasticfilesystem|2049/);
  });
});

describe('on EC2 capacity', () => {
  const stack = newStack();
  new MicroService(stack, 'Web', {
    infra: ec2Infra(stack), serviceName: 'web', image: IMAGE, capacity: ServiceCapacity.ec2(), volumes: [EfsVolume.create(UPLOADS)],
  });
  const template = Template.fromStack(stack);

  test('the EC2 task definition mounts the volume the same way', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'awsvpc',
      Volumes: [Match.objectLike({ EFSVolumeConfiguration: Match.objectLike({ TransitEncryption: 'ENABLED', AuthorizationConfig: Match.objectLike({ IAM: 'ENABLED' }) }) })],
    });
  });

  test('NFS comes from the task\'s own security group (awsvpc mounts in the task\'s network namespace)', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', 'WebServiceSecurityGroup'), 'GroupId'] },
    });
  });

  test('leaves no unacknowledged cdk-nag finding with EC2 capacity', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});

describe('WorkerService and ScheduledTask', () => {
  test('a WorkerService mounts the volume and lets NFS in from its security group', () => {
    const stack = newStack();
    new WorkerService(stack, 'Thumbnails', {
      infra: importedInfra(stack), serviceName: 'thumbnails', image: IMAGE, processingTime: Duration.seconds(2), volumes: [EfsVolume.create(UPLOADS)],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [Match.objectLike({ Name: 'uploads', EFSVolumeConfiguration: Match.objectLike({ TransitEncryption: 'ENABLED' }) })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', 'ThumbnailsServiceSecurityGroup'), 'GroupId'] },
    });
    expect(taskRoleStatements(template, 'Thumbnails').some(s => s.Condition?.StringEquals?.['elasticfilesystem:AccessPointArn'])).toBe(true);
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('a ScheduledTask mounts the volume and lets NFS in from its runs\' security group', () => {
    const stack = newStack();
    new ScheduledTask(stack, 'Nightly', {
      infra: importedInfra(stack),
      taskName: 'nightly',
      image: IMAGE,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
      volumes: [EfsVolume.create(UPLOADS)],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [Match.objectLike({ Name: 'uploads', EFSVolumeConfiguration: Match.objectLike({ TransitEncryption: 'ENABLED' }) })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', 'NightlySecurityGroup'), 'GroupId'] },
    });
    expect(taskRoleStatements(template, 'Nightly').some(s => s.Condition?.StringEquals?.['elasticfilesystem:AccessPointArn'])).toBe(true);
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});

describe('sharing one file system between two services', () => {
  const stack = newStack();
  const uploads = EfsVolume.create(UPLOADS);
  service([uploads], {}, stack, 'Orders');
  service([EfsVolume.fromFileSystem(uploads.fileSystem, { ...UPLOADS, readOnly: true })], {}, stack, 'Reports');
  const template = Template.fromStack(stack);
  const fileSystemId = logicalId(template, 'AWS::EFS::FileSystem');

  test('creates one file system and an access point per service, both on /uploads', () => {
    const accessPoints = Object.values(template.findResources('AWS::EFS::AccessPoint')).map((a: any) => a.Properties);
    expect(accessPoints).toHaveLength(2);
    for (const ap of accessPoints) {
      expect(ap.FileSystemId).toEqual({ Ref: fileSystemId });
      expect(ap.RootDirectory.Path).toEqual('/uploads');
    }
  });

  test('lets NFS in from each service\'s security group, with a rule each', () => {
    const sources = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r: any) => r.Properties).filter(p => p.FromPort === 2049).map(p => p.SourceSecurityGroupId['Fn::GetAtt'][0]);
    expect(sources.sort()).toEqual([
      logicalId(template, 'AWS::EC2::SecurityGroup', 'OrdersServiceSecurityGroup'),
      logicalId(template, 'AWS::EC2::SecurityGroup', 'ReportsServiceSecurityGroup'),
    ]);
  });

  test('grants each task role its own access point, the reader ClientMount only', () => {
    const grant = (id: string) => taskRoleStatements(template, id).find(s => JSON.stringify(s.Action).includes('elasticfilesystem'));
    const orders = grant('Orders');
    const reports = grant('Reports');
    expect(JSON.stringify(orders.Condition)).toMatch(/OrdersuploadsAccessPoint/);
    expect(JSON.stringify(reports.Condition)).toMatch(/ReportsuploadsAccessPoint/);
    expect(reports.Action).toEqual('elasticfilesystem:ClientMount');
    expect(reports.Resource).toEqual({ 'Fn::GetAtt': [fileSystemId, 'Arn'] });
  });

  test('does not warn: both access points create /uploads alike', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('rootDirectory'));
  });
});

describe('sharing a file system with a service in another stack', () => {
  const app = new App();
  const producer = new Stack(app, 'Producer', { env: { region: 'eu-west-1' } });
  const consumer = new Stack(app, 'Consumer', { env: { region: 'eu-west-1' } });
  const uploads = EfsVolume.create(UPLOADS);
  service([uploads], {}, producer, 'Orders');
  service([EfsVolume.fromFileSystem(uploads.fileSystem, UPLOADS)], {}, consumer, 'Reports');

  test('synthesizes without a dependency cycle: the consumer depends on the producer only', () => {
    expect(() => app.synth()).not.toThrow();
    expect(consumer.dependencies).toEqual([producer]);
    expect(producer.dependencies).toEqual([]);
  });

  test('puts the NFS rule of the consumer in the consumer\'s stack, on the producer\'s file system security group', () => {
    const template = Template.fromStack(consumer);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 2049,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('uploadsFileSystemEfsSecurityGroup') },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', 'ReportsServiceSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('an imported file system', () => {
  test('gets an access point and an NFS rule on its security group, and no file system resource', () => {
    const stack = newStack();
    const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'Shared', {
      fileSystemId: 'fs-12345678',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedSg', 'sg-12345678'),
    });
    service([EfsVolume.fromFileSystem(fileSystem, UPLOADS)], {}, stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EFS::FileSystem', 0);
    template.hasResourceProperties('AWS::EFS::AccessPoint', { FileSystemId: 'fs-12345678' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-12345678', FromPort: 2049, ToPort: 2049 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [Match.objectLike({ EFSVolumeConfiguration: Match.objectLike({ FilesystemId: 'fs-12345678' }) })],
    });
  });
});

describe('creation info of a shared root directory', () => {
  test('warns when two access points would create the same directory with other owners', () => {
    const stack = newStack();
    const uploads = EfsVolume.create(UPLOADS);
    service([uploads], {}, stack, 'Orders');
    service([EfsVolume.fromFileSystem(uploads.fileSystem, { ...UPLOADS, posixUser: { uid: 2000, gid: 2000 } })], {}, stack, 'Reports');
    Annotations.fromStack(stack).hasWarning('/Test/Reports', Match.stringLikeRegexp("'uploads' creates /uploads with owner 2000:2000, permissions 750, but Test/Orders creates it with owner 1000:1000, permissions 750"));
  });
});
