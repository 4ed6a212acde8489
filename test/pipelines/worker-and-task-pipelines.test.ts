import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { runBuildSpec } from './buildspec-runner';
import { BlueGreenPipeline, PipelineSource, RollingPipeline, ScheduledTask, ServiceImage, WorkerService } from '../../src';
import { registerRevisionBuildSpec } from '../../src/private/register-revision-buildspec';
import { importedInfra, newStack } from '../util';
import { nagFindings } from '../validators';

const INITIAL = 'public.ecr.aws/docker/library/busybox:stable';

function worker(stack: Stack, image = ServiceImage.fromPipeline({ initialImage: INITIAL })): WorkerService {
  return new WorkerService(stack, 'Thumbnails', { infra: importedInfra(stack), serviceName: 'thumbnails', image, processingTime: Duration.seconds(2) });
}

function nightly(stack: Stack): ScheduledTask {
  return new ScheduledTask(stack, 'Nightly', {
    infra: importedInfra(stack),
    taskName: 'nightly',
    image: ServiceImage.fromPipeline({ initialImage: INITIAL }),
    schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
  });
}

function deployStage(template: Template): any {
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  return pipeline.Stages.find((s: any) => s.Name === 'Deploy');
}

describe('RollingPipeline delivers a WorkerService', () => {
  const stack = newStack();
  const target = worker(stack);
  const pipeline = new RollingPipeline(stack, 'WorkerPipeline', { service: target, source: PipelineSource.s3() });
  const template = Template.fromStack(stack);

  test('with an ECS deploy action on the worker\'s service, then the record step, rolled back on failure', () => {
    expect(pipeline.service).toBe(target);
    const stage = deployStage(template);
    expect(stage.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([['Deploy', 'ECS', 1], ['Record', 'CodeBuild', 2]]);
    expect(JSON.stringify(stage.Actions[0].Configuration.ServiceName)).toMatch(/ThumbnailsService/);
    expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('the build pushes to the worker\'s repository and names its container', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'CONTAINER_NAME', Type: 'PLAINTEXT', Value: 'thumbnails' }]) }),
    });
  });

  test('the record step writes the worker\'s image parameter', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'IMAGE_PARAMETER', Type: 'PLAINTEXT', Value: target.imageParameter!.parameterName }]) }),
    });
  });

  test('the worker\'s deployment model: 60 s start + 30 s stop timeout per batch, within the 60-minute deploy timeout', () => {
    expect(target.estimatedDeploymentTime.toSeconds()).toBeGreaterThanOrEqual(90);
  });
});

describe('RollingPipeline delivers a ScheduledTask', () => {
  const stack = newStack();
  const target = nightly(stack);
  new RollingPipeline(stack, 'NightlyPipeline', { service: target, source: PipelineSource.s3() });
  const template = Template.fromStack(stack);

  test('its deploy step registers a revision of the task\'s family, then the record step runs; nothing to roll back', () => {
    const stage = deployStage(template);
    expect(stage.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([['Deploy', 'CodeBuild', 1], ['Record', 'CodeBuild', 2]]);
    expect(stage.OnFailure).toBeUndefined();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: [
          { Name: 'CONTAINER_NAME', Type: 'PLAINTEXT', Value: 'nightly' },
          { Name: 'TASK_DEFINITION_FAMILY', Type: 'PLAINTEXT', Value: target.taskDefinition.family },
        ],
      }),
      Source: { BuildSpec: JSON.stringify(registerRevisionBuildSpec(), null, 2), Type: 'CODEPIPELINE' },
    });
  });

  test('the deploy role registers revisions of this family only and passes the task\'s roles to ECS tasks only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^NightlyPipelineDeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecs:DescribeTaskDefinition', Resource: '*' }),
          Match.objectLike({ Action: 'ecs:RegisterTaskDefinition', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${target.taskDefinition.family}:*` }),
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
        ]),
      },
    });
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const app = new App();
    const tasks = new Stack(app, 'Tasks', { env: { region: 'eu-west-1' } });
    new RollingPipeline(tasks, 'NightlyPipeline', { service: nightly(tasks), source: PipelineSource.s3() });
    const workers = new Stack(app, 'Workers', { env: { region: 'eu-west-1' } });
    new RollingPipeline(workers, 'WorkerPipeline', { service: worker(workers), source: PipelineSource.s3() });
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('the register step, run as CodeBuild runs it', () => {
  const env = { CONTAINER_NAME: 'api', TASK_DEFINITION_FAMILY: 'TApiTaskDefADE4D610' };
  const imageUri = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/t-apirepository:0123abc';
  const run = (e: Record<string, string>) => runBuildSpec(registerRevisionBuildSpec(), e, { sourceFiles: { 'imageDetail.json': JSON.stringify({ ImageURI: imageUri }) } });

  test('registers the newest revision again with the built image, without the read-only fields', () => {
    const result = run(env);
    expect(result.exitCode).toBe(0);
    expect(result.calls.map(c => c.args.slice(0, 2).join(' '))).toEqual(['ecs describe-task-definition', 'ecs register-task-definition']);
    const registered = JSON.parse(result.read('new-taskdef.json'));
    expect(registered.containerDefinitions[0].image).toBe(imageUri);
    expect(registered.family).toBe('TApiTaskDefADE4D610');
    expect(registered.revision).toBeUndefined();
    expect(result.stdout).toContain('task-definition/TApiTaskDefADE4D610:8');
  });

  test('fails when the task definition has no container of that name', () => {
    const result = run({ ...env, CONTAINER_NAME: 'other' });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/has no container named other/);
    expect(result.calls.map(c => c.args[1])).toEqual(['describe-task-definition']);
  });
});

describe('fails when', () => {
  test('a WorkerService does not take its image from the pipeline', () => {
    const stack = newStack();
    expect(() => new RollingPipeline(stack, 'P', { service: worker(stack, ServiceImage.fromRegistry(INITIAL)), source: PipelineSource.s3() }))
      .toThrow(/service 'thumbnails' does not take its image from ServiceImage.fromPipeline\(\): use image: ServiceImage.fromPipeline\(\{ initialImage \}\) on the WorkerService/);
  });

  test('BlueGreenPipeline is given a WorkerService', () => {
    const stack = newStack();
    expect(() => new BlueGreenPipeline(stack, 'P', { service: worker(stack), source: PipelineSource.s3() }))
      .toThrow(/'thumbnails' is a WorkerService, which has no traffic to shift: deliver it with RollingPipeline/);
  });

  test('deployTimeout is set for a ScheduledTask', () => {
    const stack = newStack();
    expect(() => new RollingPipeline(stack, 'P', { service: nightly(stack), source: PipelineSource.s3(), deployTimeout: Duration.minutes(10) }))
      .toThrow(/deployTimeout is set but 'nightly' is a task no ECS service runs/);
  });
});
