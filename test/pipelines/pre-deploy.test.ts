import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { runBuildSpec } from './buildspec-runner';
import { MicroService, PipelineSource, RollingPipeline, ScheduledTask, ServiceImage, WorkerService } from '../../src';
import { preDeployBuildSpec } from '../../src/private/pre-deploy-buildspec';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const IMAGE = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
const MIGRATE = ['npm', 'run', 'migrate'];

function api(stack: Stack): MicroService {
  return new MicroService(stack, 'Api', { infra: importedInfra(stack), serviceName: 'api', image: IMAGE });
}

function deployStage(template: Template): any {
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  return pipeline.Stages.find((s: any) => s.Name === 'Deploy');
}

describe('preDeployCommand', () => {
  const stack = newStack();
  const service = api(stack);
  new RollingPipeline(stack, 'Pipeline', { service, source: PipelineSource.s3(), preDeployCommand: MIGRATE });
  const template = Template.fromStack(stack);

  test('runs first in the deploy stage: pre-deploy, deploy, record', () => {
    expect(deployStage(template).Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([
      ['PreDeploy', 'CodeBuild', 1], ['Deploy', 'ECS', 2], ['Record', 'CodeBuild', 3],
    ]);
  });

  test('the step knows the command, the family, the cluster, and the service\'s network and capacity', () => {
    const [, project] = Object.entries(template.findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith('PipelinePreDeploy'))!;
    const env = Object.fromEntries((project.Properties.Environment.EnvironmentVariables as any[]).map(v => [v.Name, v.Value]));
    expect(env.CONTAINER_NAME).toBe('api');
    expect(env.TASK_DEFINITION_FAMILY).toBe(service.taskDefinition.family);
    expect(env.PRE_DEPLOY_COMMAND).toBe(JSON.stringify(MIGRATE));
    expect(env.CAPACITY_PROVIDER_STRATEGY).toBe(JSON.stringify([{ capacityProvider: 'FARGATE', weight: 1 }]));
    expect(JSON.stringify(env.NETWORK_CONFIGURATION)).toContain('subnet-priv1');
    expect(JSON.stringify(env.NETWORK_CONFIGURATION)).toMatch(/OrdersServiceSecurityGroup|ApiServiceSecurityGroup/);
    expect(JSON.parse(project.Properties.Source.BuildSpec)).toEqual(preDeployBuildSpec());
  });

  test('its role registers and runs revisions of the family in the cluster, and reads only the cluster\'s tasks', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PipelinePreDeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecs:RegisterTaskDefinition', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${service.taskDefinition.family}:*` }),
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
          Match.objectLike({ Action: 'ecs:RunTask', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${service.taskDefinition.family}:*`, Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } } }),
          Match.objectLike({ Action: 'ecs:DescribeTasks', Resource: 'arn:*:ecs:eu-west-1:*:task/*', Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } } }),
        ]),
      },
    });
  });

  test('without it the deploy stage is deploy then record, as before', () => {
    const other = newStack();
    new RollingPipeline(other, 'Pipeline', { service: api(other), source: PipelineSource.s3() });
    const actions = deployStage(Template.fromStack(other)).Actions;
    expect(actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Deploy', 1], ['Record', 2]]);
  });

  test('a WorkerService takes it too', () => {
    const other = newStack();
    const worker = new WorkerService(other, 'Worker', { infra: importedInfra(other), serviceName: 'worker', image: IMAGE, processingTime: Duration.seconds(1) });
    new RollingPipeline(other, 'Pipeline', { service: worker, source: PipelineSource.s3(), preDeployCommand: MIGRATE });
    expect(deployStage(Template.fromStack(other)).Actions.map((a: any) => a.Name)).toEqual(['PreDeploy', 'Deploy', 'Record']);
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const app = new App();
    const nag = new Stack(app, 'Nag', { env: { region: 'eu-west-1' } });
    new RollingPipeline(nag, 'Pipeline', { service: api(nag), source: PipelineSource.s3(), preDeployCommand: MIGRATE });
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('the pre-deploy step, run as CodeBuild runs it', () => {
  const env = {
    CONTAINER_NAME: 'api',
    TASK_DEFINITION_FAMILY: 'TApiTaskDefADE4D610',
    CLUSTER: 'arn:aws:ecs:eu-west-1:111111111111:cluster/platform',
    PRE_DEPLOY_COMMAND: JSON.stringify(MIGRATE),
    NETWORK_CONFIGURATION: JSON.stringify({ awsvpcConfiguration: { subnets: ['subnet-priv1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } }),
    CAPACITY_PROVIDER_STRATEGY: JSON.stringify([{ capacityProvider: 'FARGATE', weight: 1 }]),
  };
  const imageUri = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/t-apirepository:0123abc';
  const run = (stub = {}) => runBuildSpec(preDeployBuildSpec(), env, { sourceFiles: { 'imageDetail.json': JSON.stringify({ ImageURI: imageUri }) }, stub });

  test('registers a revision with the new image, runs the command in it, waits, and passes on exit code 0', () => {
    const result = run();
    expect(result.exitCode).toBe(0);
    expect(result.calls.map(c => c.args.slice(0, 2).join(' '))).toEqual([
      'ecs describe-task-definition', 'ecs register-task-definition', 'ecs run-task', 'ecs describe-tasks', 'ecs describe-tasks',
    ]);
    expect(JSON.parse(result.read('new-taskdef.json')).containerDefinitions[0].image).toBe(imageUri);
    expect(JSON.parse(result.read('overrides.json'))).toEqual({ containerOverrides: [{ name: 'api', command: MIGRATE }] });
    const runTask = result.calls[2].args;
    expect(runTask).toEqual(expect.arrayContaining(['--cluster', env.CLUSTER, '--task-definition', 'arn:aws:ecs:eu-west-1:111111111111:task-definition/TApiTaskDefADE4D610:8']));
    expect(result.stdout).toContain('pre-deploy task stopped: exit code 0');
  });

  test('fails the pipeline when the command exits non-zero', () => {
    const result = run({ taskExitCode: 3 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/the pre-deploy command failed \(exit code 3/);
  });

  test('fails the pipeline when ECS cannot place the task', () => {
    const result = run({ runTaskFailure: 'RESOURCE:MEMORY' });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/the pre-deploy task did not start: .*RESOURCE:MEMORY/);
    expect(result.calls.map(c => c.args[1])).not.toContain('describe-tasks');
  });
});

describe('fails when', () => {
  test('preDeployCommand is empty', () => {
    const stack = newStack();
    expect(() => new RollingPipeline(stack, 'P', { service: api(stack), source: PipelineSource.s3(), preDeployCommand: [] }))
      .toThrow(/preDeployCommand \(\[\]\) must be a non-empty list of non-empty arguments/);
  });

  test('preDeployCommand is set for a ScheduledTask', () => {
    const stack = newStack();
    const task = new ScheduledTask(stack, 'Nightly', {
      infra: importedInfra(stack),
      taskName: 'nightly',
      image: IMAGE,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
    });
    expect(() => new RollingPipeline(stack, 'P', { service: task, source: PipelineSource.s3(), preDeployCommand: MIGRATE }))
      .toThrow(/preDeployCommand is set but 'nightly' is a task no ECS service runs/);
  });
});
