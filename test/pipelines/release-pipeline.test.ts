import { App, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  DeploymentStrategy, IBaseInfra, LoadTestGate, MicroService, PipelineSource, ReleasePipeline, ReleasePipelineProps, ReleaseStage, ScheduledTask,
  ServiceImage, WorkerService,
} from '../../src';
import { codeDeployAppSpec } from '../../src/pipelines/pipeline-core';
import { recordReleaseBuildSpec, releaseBuildSpec } from '../../src/private/release-buildspec';
import { importedInfra } from '../util';
import { nagFindings } from '../validators';
import { ECR_SOURCE_IMAGE_DETAIL, runBuildSpec } from './buildspec-runner';

/**
 * ReleasePipeline: one build, the same digest through every stage, the gates as stage
 * conditions, stages in other accounts, and the synth-time checks.
 */

const INITIAL = 'public.ecr.aws/nginx/nginx:1.27-alpine';
const COMMIT = '0f9a1c2d3e4b5a6978899aabbccddeeff0011223';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const image = () => ServiceImage.fromPipeline({ initialImage: INITIAL });

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly infra: IBaseInfra;
  readonly repository: ecr.Repository;
  readonly dev: MicroService;
  readonly prod: MicroService;
}

function fixture(): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Release', { env: ENV });
  const infra = importedInfra(stack);
  const repository = new ecr.Repository(stack, 'Images', { repositoryName: 'web' });
  const dev = new MicroService(stack, 'Dev', { infra, serviceName: 'web-dev', image: image(), repository });
  const prod = new MicroService(stack, 'Prod', { infra, serviceName: 'web-prod', image: image(), repository, deploymentStrategy: DeploymentStrategy.canary() });
  return { app, stack, infra, repository, dev, prod };
}

/** A tools account with the build repository, and a nightly task in a prod stack of another account (or region) pulling from it. */
function twoAccounts(prodEnv = { account: '222222222222', region: 'eu-west-1' }) {
  const app = new App();
  const stack = new Stack(app, 'Tools', { env: ENV });
  const repository = new ecr.Repository(stack, 'Images', { repositoryName: 'jobs' });
  const prodStack = new Stack(app, 'Prod', { env: prodEnv });
  const job = new ScheduledTask(prodStack, 'Nightly', {
    infra: importedInfra(prodStack),
    taskName: 'nightly',
    image: image(),
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    repository: ecr.Repository.fromRepositoryArn(prodStack, 'BuildRepository', 'arn:aws:ecr:eu-west-1:111111111111:repository/jobs'),
  });
  return { app, stack, repository, prodStack, job };
}

function pipelineOf(template: Template): any {
  return Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
}

describe('a release through dev and prod', () => {
  const f = fixture();
  const release = new ReleasePipeline(f.stack, 'Web', {
    source: PipelineSource.s3(),
    stages: [
      { stageName: 'dev', target: f.dev },
      { stageName: 'prod', target: f.prod, manualApproval: true, deploymentWindow: { cron: '* * 9-16 ? * MON-FRI', timeZone: 'Europe/Berlin' }, bakeTime: Duration.minutes(30) },
    ],
  });
  const template = Template.fromStack(f.stack);
  const pipeline = pipelineOf(template);
  const stages: any[] = pipeline.Stages;
  const stage = (name: string) => stages.find(s => s.Name === name);

  test('goes source → build → dev → prod approval → prod, in that order', () => {
    expect(stages.map(s => s.Name)).toEqual(['Source', 'Build', 'dev', 'prod-Approval', 'prod']);
    expect(pipeline.PipelineType).toBe('V2');
  });

  test('builds once: one CodeBuild build action, one output artifact per stage', () => {
    const builds = stages.flatMap(s => s.Actions).filter((a: any) => a.ActionTypeId.Category === 'Build' && a.Name === 'Build');
    expect(builds).toHaveLength(1);
    expect(builds[0].OutputArtifacts).toEqual([{ Name: 'Stage1' }, { Name: 'Stage2' }]);
    template.resourceCountIs('AWS::CodeBuild::Project', 3);
  });

  test('each stage deploys its own artifact with its own role, then records', () => {
    for (const [name, artifact, provider] of [['dev', 'Stage1', 'ECS'], ['prod', 'Stage2', 'ECS']]) {
      const [deploy, record] = stage(name).Actions;
      expect(deploy).toMatchObject({ Name: 'Deploy', RunOrder: 1, ActionTypeId: { Provider: provider }, InputArtifacts: [{ Name: artifact }], Configuration: { FileName: 'imagedefinitions.json' } });
      expect(record).toMatchObject({ Name: 'Record', RunOrder: 2, ActionTypeId: { Provider: 'CodeBuild' }, InputArtifacts: [{ Name: artifact }] });
      expect(deploy.RoleArn).not.toEqual(record.RoleArn);
    }
    expect(stage('dev').Actions[0].RoleArn).not.toEqual(stage('prod').Actions[0].RoleArn);
  });

  test('asks for approval in its own stage before prod, through the notification topic', () => {
    const actions = stage('prod-Approval').Actions;
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ Name: 'Review', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } });
    expect(actions[0].Configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^WebNotifications/) });
    expect(JSON.stringify(actions[0].Configuration.CustomData)).toMatch(/Release #\{Build_Build_NS\.IMAGE_URI\} to prod \(web-prod\)\?/);
  });

  test('enters prod only within its deployment window', () => {
    expect(stage('prod').BeforeEntry).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [{ Name: 'prod-Window', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' }, Configuration: { Cron: '* * 9-16 ? * MON-FRI', TimeZone: 'Europe/Berlin' } }],
      }],
    });
    expect(stage('dev').BeforeEntry).toBeUndefined();
  });

  test('bakes each stage on its service\'s rollback alarms and rolls it back when one fires', () => {
    const rules = (name: string) => stage(name).OnSuccess.Conditions[0];
    expect(rules('dev').Result).toBe('ROLLBACK');
    expect(rules('dev').Rules).toEqual(f.dev.rollbackAlarms.map((alarm, i) => ({
      Name: `dev-Bake-${i + 1}`,
      RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
      Configuration: { AlarmName: f.stack.resolve(alarm.alarmName), AlarmStates: ['ALARM'], WaitTime: '10' },
    })));
    expect(rules('prod').Rules.map((r: any) => r.Configuration.WaitTime)).toEqual(['30', '30']);
    expect(stage('dev').OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('lets the pipeline role read the baked alarms and nothing more', () => {
    const arns = [...f.dev.rollbackAlarms, ...f.prod.rollbackAlarms].map(a => f.stack.resolve(a.alarmArn));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('WebPipelineRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: arns.slice(0, 2) }]) },
    });
  });

  test('records each stage\'s image in that stage\'s own parameter', () => {
    for (const [name, target] of [['dev', f.dev], ['prod', f.prod]] as const) {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Description: Match.stringLikeRegexp(`^Records the image released to ${name} `),
        Environment: { EnvironmentVariables: Match.arrayWith([{ Name: 'IMAGE_PARAMETER', Type: 'PLAINTEXT', Value: target.imageParameter!.parameterName }]) },
      });
    }
  });

  test('keeps artifacts in an SSE-S3 bucket without a key when every stage is in the pipeline\'s account', () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(release.artifactKey).toBeUndefined();
  });

  test('models one release as the stages\' deployments plus their bakes', () => {
    const expected = f.dev.estimatedDeploymentTime.toSeconds() + 600 + f.prod.estimatedDeploymentTime.toSeconds() + 1800;
    expect(release.estimatedReleaseTime.toSeconds()).toBe(expected);
  });
});

describe('the build', () => {
  const f = fixture();
  const api = new MicroService(f.stack, 'Api', { infra: f.infra, serviceName: 'api', image: image(), repository: f.repository, deploymentStrategy: DeploymentStrategy.codeDeploy() });
  new ReleasePipeline(f.stack, 'Web', { source: PipelineSource.s3(), stages: [{ stageName: 'dev', target: f.dev }, { stageName: 'api', target: api }] });
  const template = Template.fromStack(f.stack);
  const [, project] = Object.entries<any>(template.findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith('WebBuild'))!;
  const buildSpec = JSON.parse(project.Properties.Source.BuildSpec);
  const env: Record<string, string> = {};
  for (const v of project.Properties.Environment.EnvironmentVariables) {
    env[v.Name] = typeof v.Value === 'string' ? v.Value : 'deploy-time';
  }
  const repositoryUri = `${ENV.account}.dkr.ecr.${ENV.region}.amazonaws.com/web`;
  // The CodeDeploy stage copies the family the stub knows.
  const run = runBuildSpec(buildSpec, { ...env, REPOSITORY_URI: repositoryUri, SOURCE_REVISION: COMMIT, STAGE2_TASK_DEFINITION_FAMILY: 'TApiTaskDefADE4D610' });
  const released = `${repositoryUri}@${DIGEST}`;

  test('is the release renderer\'s buildspec, with each stage\'s container', () => {
    expect(buildSpec).toEqual(releaseBuildSpec({
      buildImage: true,
      testCommands: [],
      stages: [{ artifact: 'Stage1', codeDeploy: false, variablePrefix: 'STAGE1_' }, { artifact: 'Stage2', codeDeploy: true, variablePrefix: 'STAGE2_' }],
    }));
    expect(env).toMatchObject({ STAGE1_CONTAINER_NAME: 'web-dev', STAGE2_CONTAINER_NAME: 'api' });
  });

  test('builds and pushes the image once, tagged with the commit', () => {
    expect(run.exitCode).toBe(0);
    expect(run.calls.filter(c => c.cmd === 'docker' && c.args[0] === 'push').map(c => c.args)).toEqual([['push', `${repositoryUri}:${COMMIT}`]]);
  });

  test('hands every stage the image by digest, never by tag', () => {
    expect(run.exported).toEqual({ IMAGE_URI: released });
    expect(JSON.parse(run.read('release-artifacts/Stage1/imagedefinitions.json'))).toEqual([{ name: 'web-dev', imageUri: released }]);
    expect(JSON.parse(run.read('release-artifacts/Stage1/imageDetail.json'))).toEqual({ ImageURI: released });
    expect(JSON.parse(run.read('release-artifacts/Stage2/imageDetail.json'))).toEqual({ ImageURI: released });
    const taskdef = JSON.parse(run.read('release-artifacts/Stage2/taskdef.json'));
    expect(taskdef.containerDefinitions.find((c: any) => c.name === 'api').image).toBe('<IMAGE1_NAME>');
    expect(run.read('release-artifacts/Stage2/appspec.yaml')).toMatch(/ContainerName: "api"/);
  });

  test('publishes one secondary artifact per stage, named as the pipeline\'s output artifacts', () => {
    expect(buildSpec.artifacts['secondary-artifacts']).toEqual({
      Stage1: { 'base-directory': 'release-artifacts/Stage1', 'files': ['imagedefinitions.json', 'imageDetail.json'] },
      Stage2: { 'base-directory': 'release-artifacts/Stage2', 'files': ['imageDetail.json', 'taskdef.json', 'appspec.yaml'] },
    });
  });
});

describe('a release of an image pushed elsewhere (PipelineSource.ecrImage())', () => {
  const f = fixture();
  const shared = ecr.Repository.fromRepositoryName(f.stack, 'Shared', 'shared/web');
  new ReleasePipeline(f.stack, 'Web', { source: PipelineSource.ecrImage({ repository: shared }), stages: [{ stageName: 'dev', target: f.dev }, { stageName: 'prod', target: f.prod }] });
  const template = Template.fromStack(f.stack);
  const [, project] = Object.entries<any>(template.findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith('WebBuild'))!;
  const env: Record<string, string> = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));

  test('builds nothing: no Docker, no repository to push to', () => {
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(env.REPOSITORY_URI).toBeUndefined();
  });

  test('hands every stage the source\'s image, already by digest', () => {
    const run = runBuildSpec(JSON.parse(project.Properties.Source.BuildSpec), env, { sourceFiles: { 'imageDetail.json': ECR_SOURCE_IMAGE_DETAIL } });
    const pushed = JSON.parse(ECR_SOURCE_IMAGE_DETAIL).ImageURI;
    expect(run.exitCode).toBe(0);
    expect(run.calls).toEqual([]);
    expect(JSON.parse(run.read('release-artifacts/Stage1/imagedefinitions.json'))).toEqual([{ name: 'web-dev', imageUri: pushed }]);
    expect(JSON.parse(run.read('release-artifacts/Stage2/imagedefinitions.json'))).toEqual([{ name: 'web-prod', imageUri: pushed }]);
  });

  test('lets each stage\'s tasks pull from the source repository', () => {
    for (const target of [f.dev, f.prod]) {
      const role = f.stack.resolve((target.taskDefinition.obtainExecutionRole().node.defaultChild as any).ref);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [role],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ecr:BatchGetImage']), Resource: f.stack.resolve(shared.repositoryArn) })]) },
      });
    }
  });

  test('fails with a stage in another account, whose access to that repository the pipeline cannot grant', () => {
    const { stack, job } = twoAccounts();
    const other = ecr.Repository.fromRepositoryName(stack, 'Shared', 'shared/jobs');
    expect(() => new ReleasePipeline(stack, 'Jobs', { source: PipelineSource.ecrImage({ repository: other }), stages: [{ stageName: 'prod', target: job }] }))
      .toThrow(/stage 'prod' is in account 222222222222 and the source is PipelineSource.ecrImage\(\)/);
  });
});

describe('a CodeDeploy stage with a load-test gate (Gate 1)', () => {
  test('hands CodeDeploy the AppSpec with the gate\'s function at AfterAllowTestTraffic, as BlueGreenPipeline does', () => {
    const f = fixture();
    const api = new MicroService(f.stack, 'Api', { infra: f.infra, serviceName: 'api', image: image(), repository: f.repository, deploymentStrategy: DeploymentStrategy.codeDeploy() });
    new LoadTestGate(f.stack, 'Gate', { service: api, path: '/health' });
    new ReleasePipeline(f.stack, 'Web', { source: PipelineSource.s3(), stages: [{ stageName: 'api', target: api }] });
    const [, project] = Object.entries<any>(Template.fromStack(f.stack).findResources('AWS::CodeBuild::Project')).find(([id]) => id.startsWith('WebBuild'))!;
    const spec = project.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'STAGE1_APPSPEC_YAML').Value;
    expect(f.stack.resolve(spec)).toEqual(f.stack.resolve(codeDeployAppSpec(api)));
    expect(JSON.stringify(f.stack.resolve(spec))).toMatch(/AfterAllowTestTraffic/);
  });
});

describe('the record step of a stage', () => {
  const released = `${ENV.account}.dkr.ecr.eu-west-1.amazonaws.com/web@${DIGEST}`;
  const run = runBuildSpec(recordReleaseBuildSpec(), {
    IMAGE_PARAMETER: '/cdk-ecs-devops/Prod/ProdWeb/image', REPOSITORY_NAME: 'web', REGISTRY_ID: ENV.account, REGISTRY_REGION: 'eu-west-1',
  }, { sourceFiles: { 'imageDetail.json': JSON.stringify({ ImageURI: released }) } });

  test('writes the digest to the stage\'s parameter in the stage\'s account', () => {
    expect(run.exitCode).toBe(0);
    expect(run.calls[0].args).toEqual(['ssm', 'put-parameter', '--name', '/cdk-ecs-devops/Prod/ProdWeb/image', '--value', released, '--type', 'String', '--overwrite']);
  });

  test('tags the image as deployed in the build repository\'s registry and region', () => {
    for (const call of run.calls.filter(c => c.args[0] === 'ecr')) {
      expect(call.args.slice(-4)).toEqual(['--registry-id', ENV.account, '--region', 'eu-west-1']);
    }
    expect(run.calls.map(c => c.args.slice(0, 2).join(' '))).toEqual(['ssm put-parameter', 'ecr batch-get-image', 'ecr put-image']);
  });
});

describe('a stage in another account', () => {
  const { stack, repository, prodStack, job: prod } = twoAccounts();
  const dev = new ScheduledTask(stack, 'Nightly', {
    infra: importedInfra(stack), taskName: 'nightly', image: image(), repository, schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
  });
  const release = new ReleasePipeline(stack, 'Jobs', {
    source: PipelineSource.s3(),
    stages: [{ stageName: 'dev', target: dev }, { stageName: 'prod', target: prod, manualApproval: true }],
  });
  const tools = Template.fromStack(stack);
  const target = Template.fromStack(prodStack);
  const prodActions = pipelineOf(tools).Stages.find((s: any) => s.Name === 'prod').Actions;

  test('encrypts the artifacts with a rotated KMS key', () => {
    tools.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    tools.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
    });
    expect(release.artifactKey).toBeDefined();
  });

  test('runs the stage\'s deploy and record steps with roles in the target account, created in the target\'s stack', () => {
    for (const action of prodActions) {
      expect(JSON.stringify(action.RoleArn)).toMatch(/iam::222222222222:role\//);
    }
    target.resourcePropertiesCountIs('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } } })] },
    }, 2);
    target.resourceCountIs('AWS::CodeBuild::Project', 2);
  });

  test('lets only the stage\'s CodeBuild roles decrypt the artifacts, by name, through the key policy', () => {
    const key = Object.values<any>(tools.findResources('AWS::KMS::Key'))[0];
    const named = key.Properties.KeyPolicy.Statement.filter((s: any) => JSON.stringify(s.Principal).includes('222222222222'));
    expect(named.length).toBeGreaterThan(0);
    for (const s of named) {
      expect(JSON.stringify(s.Principal)).toMatch(/:role\//);
      expect(s.Action).not.toContain('kms:*');
    }
  });

  test('lets the stage\'s CodeBuild roles use keys of the pipeline\'s account and region only, not every key', () => {
    target.resourcePropertiesCountIs('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: 'arn:*:kms:eu-west-1:111111111111:key/*' }]) },
    }, 2);
    const everyKey = Object.values<any>(target.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('kms:')) && st.Resource === '*');
    expect(everyKey).toEqual([]);
  });

  test('lets the target account pull from the build repository and nothing else', () => {
    tools.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: Match.arrayWith([{
          Sid: 'Pullprod',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
        }]),
      },
    });
  });

  test('lets only the stage\'s Record role tag the released image in the build repository', () => {
    const policy = Object.values<any>(tools.findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText.Statement;
    const tagging = policy.find((st: any) => JSON.stringify(st.Action).includes('ecr:PutImage'));
    expect(tagging.Action).toEqual(['ecr:BatchGetImage', 'ecr:PutImage']);
    const tag = tagging.Condition.StringEquals['aws:PrincipalTag/aws-cdk:id'];
    const tagged = Object.entries<any>(target.findResources('AWS::IAM::Role')).filter(([, r]) => (r.Properties.Tags ?? []).some((t: any) => t.Value === tag));
    expect(tagged.map(([id]) => id)).toEqual([expect.stringMatching(/prodRecordRole/)]);
  });

  test('lets the stage\'s CodeBuild roles read the artifact bucket through its policy', () => {
    const policy = Object.values<any>(tools.findResources('AWS::S3::BucketPolicy')).map(p => JSON.stringify(p.Properties.PolicyDocument)).join();
    expect(policy).toMatch(/iam::222222222222:role\//);
  });
});

describe('validation', () => {
  const release = (f: Fixture, props: Partial<ReleasePipelineProps> & { stages: ReleaseStage[] }) =>
    () => new ReleasePipeline(f.stack, 'Web', { source: PipelineSource.s3(), ...props });

  test('fails on an empty stage list; accepts one stage', () => {
    expect(release(fixture(), { stages: [] })).toThrow(/Web: stages is empty/);
    const f = fixture();
    expect(release(f, { stages: [{ stageName: 'dev', target: f.dev }] })).not.toThrow();
  });

  test('fails on more than 5 stages', () => {
    const f = fixture();
    const targets = [0, 1, 2, 3].map(i => new WorkerService(f.stack, `W${i}`, { infra: f.infra, serviceName: `w${i}`, image: image(), repository: f.repository, processingTime: Duration.seconds(1) }));
    const stages = [f.dev, f.prod, ...targets].map((t, i) => ({ stageName: `s${i}`, target: t }));
    expect(release(f, { stages })).toThrow(/stages has 6 stages, more than 5/);
  });

  test('fails on a target without a pipeline image; accepts one with ServiceImage.fromPipeline()', () => {
    const f = fixture();
    const plain = new MicroService(f.stack, 'Plain', { infra: f.infra, serviceName: 'plain', image: ServiceImage.fromRegistry(INITIAL), repository: f.repository });
    expect(release(f, { stages: [{ stageName: 'dev', target: plain }] })).toThrow(/does not take its image from ServiceImage.fromPipeline\(\)/);
  });

  test('fails when two stages release to the same target', () => {
    const f = fixture();
    expect(release(f, { stages: [{ stageName: 'a', target: f.dev }, { stageName: 'b', target: f.dev }] })).toThrow(/stages\[1\]\.target \('web-dev'\) is also the target of stage 'a'/);
  });

  test('fails on a duplicate or reserved stage name, or one the approval stage takes', () => {
    const f = fixture();
    expect(release(f, { stages: [{ stageName: 'Build', target: f.dev }] })).toThrow(/makes a pipeline stage 'Build', which is taken/);
    const g = fixture();
    expect(release(g, { stages: [{ stageName: 'prod-Approval', target: g.dev }, { stageName: 'prod', target: g.prod, manualApproval: true }] })).toThrow(/'prod-Approval', which is taken/);
    const h = fixture();
    expect(release(h, { stages: [{ stageName: 'dev prod', target: h.dev }] })).toThrow(/stageName \('dev prod'\) must be 1-80 letters/);
  });

  test('fails when a stage\'s service takes its images from another repository than the build repository', () => {
    const f = fixture();
    const own = new MicroService(f.stack, 'Own', { infra: f.infra, serviceName: 'own', image: image() });
    expect(release(f, { stages: [{ stageName: 'dev', target: f.dev }, { stageName: 'own', target: own }] }))
      .toThrow(/stage 'own': 'own' takes its images from repository .* not the build repository 'web'/);
  });

  test('accepts a stage that imports the build repository by ARN in the same account', () => {
    const f = fixture();
    const other = new Stack(f.app, 'Other', { env: ENV });
    const imported = new MicroService(other, 'Svc', {
      infra: importedInfra(other), serviceName: 'other', image: image(), repository: ecr.Repository.fromRepositoryArn(other, 'Build', 'arn:aws:ecr:eu-west-1:111111111111:repository/web'),
    });
    expect(release(f, { stages: [{ stageName: 'dev', target: f.dev }, { stageName: 'other', target: imported }] })).not.toThrow();
  });

  test('fails on bake and window formats; accepts whole minutes, 0 to turn the bake off, and a valid window', () => {
    const f = fixture();
    expect(release(f, { stages: [{ stageName: 'dev', target: f.dev, bakeTime: Duration.seconds(90) }] })).toThrow(/bakeTime \(1.5 min\) must be a whole number of minutes/);
    expect(release(fixture(), { stages: [{ stageName: 'dev', target: fixture().dev, deploymentWindow: { cron: '9-17 * * *' } }] })).toThrow(/deploymentWindow.cron \('9-17 \* \* \*'\) must be the DeploymentWindow rule's cron expression/);
    const g = fixture();
    expect(release(g, { stages: [{ stageName: 'dev', target: g.dev, deploymentWindow: { cron: '* * 9-16 ? * MON-FRI', timeZone: 'Mars/Olympus' } }] })).toThrow(/timeZone \('Mars\/Olympus'\) is not an IANA time zone/);
    const h = fixture();
    const off = new ReleasePipeline(h.stack, 'Web', { source: PipelineSource.s3(), stages: [{ stageName: 'dev', target: h.dev, bakeTime: Duration.minutes(0), deploymentWindow: { cron: '* * 9-16 ? * MON-FRI' } }] });
    expect(pipelineOf(Template.fromStack(h.stack)).Stages.find((s: any) => s.Name === 'dev').OnSuccess).toBeUndefined();
    expect(off.estimatedReleaseTime.toSeconds()).toBe(h.dev.estimatedDeploymentTime.toSeconds());
  });

  test('fails on a bake time without alarms, and on more than 5 alarms; accepts alarms given', () => {
    const f = fixture();
    const worker = new WorkerService(f.stack, 'Worker', { infra: f.infra, serviceName: 'worker', image: image(), repository: f.repository, processingTime: Duration.seconds(1) });
    expect(release(f, { stages: [{ stageName: 'w', target: worker, bakeTime: Duration.minutes(5) }] })).toThrow(/bakeTime is set but stage 'w' has no alarms to bake on/);
    const g = fixture();
    const alarms = [0, 1, 2, 3, 4, 5].map(i => new cloudwatch.Alarm(g.stack, `A${i}`, { metric: new cloudwatch.Metric({ namespace: 'N', metricName: `m${i}` }), threshold: 1, evaluationPeriods: 1 }));
    expect(release(g, { stages: [{ stageName: 'dev', target: g.dev, bakeAlarms: alarms }] })).toThrow(/bakeAlarms has 6 alarms; a stage condition takes at most 5 rules/);
    const h = fixture();
    const one = new cloudwatch.Alarm(h.stack, 'A', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });
    new ReleasePipeline(h.stack, 'Web', { source: PipelineSource.s3(), stages: [{ stageName: 'dev', target: h.dev, bakeAlarms: [one], bakeTime: Duration.minutes(5) }] });
    const rules = pipelineOf(Template.fromStack(h.stack)).Stages.find((s: any) => s.Name === 'dev').OnSuccess.Conditions[0].Rules;
    expect(rules.map((r: any) => r.Configuration)).toEqual([{ AlarmName: h.stack.resolve(one.alarmName), AlarmStates: ['ALARM'], WaitTime: '5' }]);
  });

  test('fails on targets built for different CPU architectures', () => {
    const f = fixture();
    const arm = new MicroService(f.stack, 'Arm', { infra: f.infra, serviceName: 'arm', image: image(), repository: f.repository, cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    expect(release(f, { stages: [{ stageName: 'dev', target: f.dev }, { stageName: 'arm', target: arm }] })).toThrow(/runs on ARM64 but the first stage's on X86_64/);
  });

  test('fails on a deployTimeout for a CodeDeploy stage or a scheduled task', () => {
    const f = fixture();
    const api = new MicroService(f.stack, 'Api', { infra: f.infra, serviceName: 'api', image: image(), repository: f.repository, deploymentStrategy: DeploymentStrategy.codeDeploy() });
    expect(release(f, { stages: [{ stageName: 'api', target: api, deployTimeout: Duration.minutes(30) }] })).toThrow(/deployTimeout is set but 'api' deploys with CodeDeploy/);
  });

  test('fails on an artifact bucket without a key when a stage is in another account; accepts one with a key', () => {
    const { stack, repository, job } = twoAccounts();
    const plain = new s3.Bucket(stack, 'Plain');
    expect(() => new ReleasePipeline(stack, 'Bad', { source: PipelineSource.s3(), buildRepository: repository, artifactBucket: plain, stages: [{ stageName: 'prod', target: job }] }))
      .toThrow(/Tools\/Bad: artifactBucket has no KMS key, and a stage is in another account/);
    const keyed = new s3.Bucket(stack, 'Keyed', { encryption: s3.BucketEncryption.KMS, bucketName: PhysicalName.GENERATE_IF_NEEDED });
    const ok = new ReleasePipeline(stack, 'Jobs', { source: PipelineSource.s3(), buildRepository: repository, artifactBucket: keyed, stages: [{ stageName: 'prod', target: job }] });
    expect(ok.artifactKey).toBe(keyed.encryptionKey);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('fails on a stage in another region', () => {
    const { stack, repository, job } = twoAccounts({ account: ENV.account, region: 'us-west-2' });
    expect(() => new ReleasePipeline(stack, 'Jobs', { source: PipelineSource.s3(), buildRepository: repository, stages: [{ stageName: 'west', target: job }] }))
      .toThrow(/stages\[0\]\.target \('nightly'\) is in region us-west-2, not the pipeline's eu-west-1: a ReleasePipeline deploys within its own region/);
  });

  test('fails on bake alarms outside the pipeline\'s account; accepts the pipeline\'s alarms for a stage in another account', () => {
    const { stack, repository, prodStack, job } = twoAccounts();
    const alarm = (s: Stack) => new cloudwatch.Alarm(s, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });
    expect(() => new ReleasePipeline(stack, 'Bad', { source: PipelineSource.s3(), buildRepository: repository, stages: [{ stageName: 'prod', target: job, bakeAlarms: [alarm(prodStack)] }] }))
      .toThrow(/stages\[0\]\.bakeAlarms\[0\] is in 222222222222\/eu-west-1, not the pipeline's 111111111111\/eu-west-1/);
    const ok = alarm(stack);
    new ReleasePipeline(stack, 'Jobs', { source: PipelineSource.s3(), buildRepository: repository, stages: [{ stageName: 'prod', target: job, bakeAlarms: [ok] }] });
    const rules = pipelineOf(Template.fromStack(stack)).Stages.find((s: any) => s.Name === 'prod').OnSuccess.Conditions[0].Rules;
    expect(rules.map((r: any) => r.Configuration.AlarmName)).toEqual([stack.resolve(ok.alarmName)]);
  });

  test('fails on a stage in another environment when the pipeline\'s account is unknown', () => {
    const app = new App();
    const stack = new Stack(app, 'Tools', { env: { region: 'eu-west-1' } });
    const prodStack = new Stack(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const job = new ScheduledTask(prodStack, 'Nightly', {
      infra: importedInfra(prodStack), taskName: 'nightly', image: image(), schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    });
    expect(() => new ReleasePipeline(stack, 'Jobs', { source: PipelineSource.s3(), stages: [{ stageName: 'prod', target: job }] }))
      .toThrow(/stages\[0\]\.target \('nightly'\) is in another account than the pipeline, and one of the accounts is unknown at synth/);
  });
});

describe('cdk-nag', () => {
  test('AwsSolutions reports nothing unacknowledged for a release through two stages, one in another account', () => {
    const app = new App();
    const stack = new Stack(app, 'Tools', { env: ENV });
    const infra = importedInfra(stack);
    const repository = new ecr.Repository(stack, 'Images', { repositoryName: 'web' });
    const web = new MicroService(stack, 'Web', { infra, serviceName: 'web', image: image(), repository, deploymentStrategy: DeploymentStrategy.canary() });
    const api = new MicroService(stack, 'Api', { infra, serviceName: 'api', image: image(), repository, deploymentStrategy: DeploymentStrategy.codeDeploy() });
    const job = new ScheduledTask(stack, 'Nightly', { infra, taskName: 'nightly', image: image(), repository, schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)) });
    const prodStack = new Stack(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
    const prodJob = new ScheduledTask(prodStack, 'Nightly', {
      infra: importedInfra(prodStack),
      taskName: 'nightly',
      image: image(),
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
      repository: ecr.Repository.fromRepositoryArn(prodStack, 'BuildRepository', 'arn:aws:ecr:eu-west-1:111111111111:repository/web'),
    });
    new ReleasePipeline(stack, 'Release', {
      source: PipelineSource.s3(),
      notificationEmails: ['team@example.com'],
      stages: [
        { stageName: 'web', target: web },
        { stageName: 'api', target: api, manualApproval: true },
        { stageName: 'job', target: job },
        { stageName: 'prod-job', target: prodJob, manualApproval: true, deploymentWindow: { cron: '* * 9-16 ? * MON-FRI' } },
      ],
    });
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('a build repository in another stack of the pipeline\'s account and region', () => {
  const app = new App();
  const images = new Stack(app, 'Images', { env: ENV });
  const repository = new ecr.Repository(images, 'Images');
  const services = new Stack(app, 'Services', { env: ENV });
  const infra = importedInfra(services);
  const dev = new MicroService(services, 'Dev', { infra, serviceName: 'web-dev', image: image(), repository });
  const releaseStack = new Stack(app, 'Release', { env: ENV });
  new ReleasePipeline(releaseStack, 'Release', {
    source: PipelineSource.s3({ bucket: s3.Bucket.fromBucketName(releaseStack, 'Src', 'src'), objectKey: 'app.zip' }),
    stages: [{ stageName: 'dev', target: dev, bakeTime: Duration.minutes(0) }],
    buildRepository: repository,
  });
  const build = Object.values(Template.fromStack(releaseStack).findResources('AWS::CodeBuild::Project'))
    .find((p: any) => (p.Properties.Environment.EnvironmentVariables as any[]).some(v => v.Name === 'REPOSITORY_URI')) as any;
  const uri = (build.Properties.Environment.EnvironmentVariables as any[]).find(v => v.Name === 'REPOSITORY_URI').Value;

  test('the build pushes to <account>.dkr.ecr.<region>.<suffix>/<name>, the name imported, nothing split out of an imported ARN', () => {
    expect(JSON.stringify(uri)).not.toContain('Fn::Split');
    expect(uri).toEqual({
      'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { 'Fn::ImportValue': expect.stringMatching(/^Images:ExportsOutputRefImages/) }]],
    });
  });
});
