import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IMAGE } from './builder';
import { BaseInfra, MicroService, MicroServiceProps, ScheduledTask, WorkerService } from '../../src';
import { TemplateContext } from '../iam/cfn-arns';
import { checkStatement, statementsOf } from '../iam/iam-model';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

/** The IAM model's findings over every policy statement of the stack (test/iam/iam-model.ts). */
async function iamFindings(stack: Stack): Promise<string[]> {
  const ctx: TemplateContext = { source: 'exec', stackName: stack.stackName, region: stack.region, template: Template.fromStack(stack).toJSON(), siblings: () => [ctx] };
  const statements = statementsOf(ctx);
  expect(statements.length).toBeGreaterThanOrEqual(4);
  const findings = (await Promise.all(statements.map(checkStatement))).flat();
  return findings.map(f => `${f.logicalId} ${f.action}: ${f.why}`);
}

/** A BaseInfra with ECS Exec on the imported test VPC and the 'orders' service on it. */
function execService(props: Partial<MicroServiceProps> = {}, bucket = false, stack: Stack = newStack()) {
  const infra = new BaseInfra(stack, 'Platform', {
    vpc: importedInfra(stack).vpc,
    executeCommand: true,
    executeCommandLogsBucket: bucket ? new s3.Bucket(stack, 'Audit', { enforceSSL: true }) : undefined,
  });
  const service = new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, enableExecuteCommand: true, ...props });
  return { stack, infra, service, template: Template.fromStack(stack) };
}

function taskRoleStatements(template: Template, owner = 'Orders'): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`${owner}TaskDefTaskRole`) }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('ECS Exec on a MicroService', () => {
  const { stack, template } = execService();

  test('is enabled on the service', () => {
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
  });

  test('gives the task role only the ssmmessages channels, the cluster key and the session log group', () => {
    const statements = taskRoleStatements(template);
    expect(statements.map(s => s.Action)).toEqual([
      ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
      'kms:Decrypt',
      'logs:DescribeLogGroups',
      ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
    ]);
    expect(JSON.stringify(statements[1].Resource)).toMatch(/PlatformExecKey.*Arn/);
    expect(JSON.stringify(statements[3].Resource)).toMatch(/PlatformExecLogs.*Arn/);
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });

  test('fits the IAM model: every action exists and is granted on a resource type it supports', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('ECS Exec with a session bucket', () => {
  const { stack, template } = execService({}, true);

  test('lets the task write session objects under ecs-exec/ and read the bucket encryption', () => {
    const statements = taskRoleStatements(template);
    const put = statements.find(s => s.Action === 's3:PutObject');
    expect(JSON.stringify(put.Resource)).toMatch(/Audit.*Arn.*\/ecs-exec\/\*/);
    expect(statements.find(s => s.Action === 's3:GetEncryptionConfiguration')).toBeDefined();
  });

  test('leaves no unacknowledged cdk-nag finding on what the service and BaseInfra create', () => {
    // The test's own audit bucket has no access logging (AwsSolutions-S1); that is the fixture, not the library.
    expect(nagFindings(stack.node.root as App).filter(f => !f.resources.every(r => r.startsWith('Test/Audit/')))).toEqual([]);
  });

  test('fits the IAM model', async () => {
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('ECS Exec defaults', () => {
  test('is off: no EnableExecuteCommand and no ssmmessages grant', () => {
    const stack = newStack();
    new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: Match.absent() });
    expect(JSON.stringify(template.toJSON())).not.toContain('ssmmessages');
  });
});

describe('ECS Exec fails when', () => {
  test('the infra has no ECS Exec configuration', () => {
    const stack = newStack();
    expect(() => new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, enableExecuteCommand: true }))
      .toThrow(/enableExecuteCommand is true but the infra's cluster has no audited ECS Exec configuration .*executeCommand: true/);
  });

  test('the root filesystem is read-only', () => {
    expect(() => execService({ readonlyRootFilesystem: true }))
      .toThrow(/enableExecuteCommand is true but readonlyRootFilesystem is true.*set readonlyRootFilesystem to false/);
  });
});

describe('ECS Exec accepts', () => {
  test('infra imported with the key and log group of its cluster configuration', () => {
    const stack = newStack();
    const base = importedInfra(stack);
    const infra = BaseInfra.fromBaseInfraAttributes(stack, 'Shared', {
      vpc: base.vpc,
      clusterName: 'platform',
      namespaceName: 'svc.internal',
      namespaceId: 'ns-1234',
      namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
      executeCommandKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      executeCommandLogGroup: logs.LogGroup.fromLogGroupName(stack, 'ExecLogs', 'ecs-exec'),
    });
    new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, enableExecuteCommand: true });
    const statements = taskRoleStatements(Template.fromStack(stack));
    expect(statements.find(s => s.Action === 'kms:Decrypt').Resource).toBe('arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });
});

/** The BaseInfra with ECS Exec, as execService() makes it, for the other two constructs. */
function execInfra(stack: Stack): BaseInfra {
  return new BaseInfra(stack, 'Platform', { vpc: importedInfra(stack).vpc, executeCommand: true });
}

const EXEC_ACTIONS = [
  ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
  'kms:Decrypt',
  'logs:DescribeLogGroups',
  ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
];

describe('ECS Exec on a WorkerService', () => {
  const stack = newStack();
  new WorkerService(stack, 'Thumbnails', {
    infra: execInfra(stack),
    serviceName: 'thumbnails',
    image: IMAGE,
    processingTime: Duration.seconds(2),
    acceptableLatency: Duration.minutes(5),
    enableExecuteCommand: true,
  });
  const template = Template.fromStack(stack);

  test('is enabled on the service, and the task role gets the same grants as a MicroService\'s', () => {
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    const statements = taskRoleStatements(template, 'Thumbnails').filter(s => EXEC_ACTIONS.some(a => JSON.stringify(a) === JSON.stringify(s.Action)));
    expect(statements.map(s => s.Action)).toEqual(EXEC_ACTIONS);
  });

  test('leaves no unacknowledged cdk-nag finding and fits the IAM model', async () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
    expect(await iamFindings(stack)).toEqual([]);
  });
});

describe('ECS Exec on a ScheduledTask', () => {
  const stack = newStack();
  new ScheduledTask(stack, 'Nightly', {
    infra: execInfra(stack),
    taskName: 'nightly',
    image: IMAGE,
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    enableExecuteCommand: true,
  });
  const template = Template.fromStack(stack);

  test('is enabled on the runs the schedule starts, and the task role gets the same grants', () => {
    // RunTask's enableExecuteCommand, passed by EventBridge Scheduler's ECS target (EcsParameters.EnableExecuteCommand).
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: { EcsParameters: { EnableExecuteCommand: true } } });
    const statements = taskRoleStatements(template, 'Nightly').filter(s => EXEC_ACTIONS.some(a => JSON.stringify(a) === JSON.stringify(s.Action)));
    expect(statements.map(s => s.Action)).toEqual(EXEC_ACTIONS);
  });

  test('leaves no unacknowledged cdk-nag finding and fits the IAM model', async () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
    expect(await iamFindings(stack)).toEqual([]);
  });

  test('is off by default: no EnableExecuteCommand on the schedule', () => {
    const plain = newStack();
    new ScheduledTask(plain, 'Nightly', { infra: importedInfra(plain), taskName: 'nightly', image: IMAGE, schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)) });
    Template.fromStack(plain).hasResourceProperties('AWS::Scheduler::Schedule', { Target: { EcsParameters: { EnableExecuteCommand: Match.absent() } } });
  });

  test('fails when the infra has no ECS Exec configuration, naming the task', () => {
    const plain = newStack();
    expect(() => new ScheduledTask(plain, 'Nightly', {
      infra: importedInfra(plain), taskName: 'nightly', image: IMAGE, schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)), enableExecuteCommand: true,
    })).toThrow(/Nightly.*enableExecuteCommand is true but the infra's cluster has no audited ECS Exec configuration/);
  });
});
