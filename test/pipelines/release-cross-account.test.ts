import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  BaseInfra, DeploymentStrategy, IBaseInfra, MicroService, PipelineSource, ReleasePipeline, ServiceImage, WorkerService,
} from '../../src';
import { importedInfra } from '../util';
import { nagFindings } from '../validators';

/**
 * ReleasePipeline stages that are ECS services (MicroService, WorkerService) in another account of
 * the same app: the services and cluster get names at synth, the deploy actions run with roles
 * aws-cdk-lib creates in the target's stack, and what cannot cross accounts is refused.
 */

const TOOLS = { account: '111111111111', region: 'eu-west-1' };
const PROD = { account: '222222222222', region: 'eu-west-1' };
const BUILD_REPOSITORY_ARN = 'arn:aws:ecr:eu-west-1:111111111111:repository/web';
const image = () => ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });

/** A tools account with the pipeline, the build repository and a dev service; a prod account whose stack pulls from it. */
function accounts(prodInfra: (s: Stack) => IBaseInfra = importedInfra) {
  const app = new App();
  const tools = new Stack(app, 'Tools', { env: TOOLS });
  const repository = new ecr.Repository(tools, 'Images', { repositoryName: 'web' });
  const dev = new MicroService(tools, 'Dev', { infra: importedInfra(tools), serviceName: 'web-dev', image: image(), repository });
  const prod = new Stack(app, 'Prod', { env: PROD });
  const infra = prodInfra(prod);
  const build = ecr.Repository.fromRepositoryArn(prod, 'BuildRepository', BUILD_REPOSITORY_ARN);
  const service = (id: string, serviceName: string, strategy?: DeploymentStrategy) =>
    new MicroService(prod, id, { infra, serviceName, image: image(), repository: build, deploymentStrategy: strategy });
  return { app, tools, repository, dev, prod, infra, build, service };
}

const alarmIn = (stack: Stack, id = 'ProdErrors') =>
  new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });

const resourcesOf = (t: Template, type: string) => Object.entries<any>(t.findResources(type));
const statementsOf = (t: Template, roleId: string): any[] => resourcesOf(t, 'AWS::IAM::Policy')
  .filter(([, p]) => (p.Properties.Roles as any[]).some(r => r.Ref === roleId))
  .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

describe('a release to a rolling MicroService, a canary MicroService and a WorkerService in another account', () => {
  const a = accounts(s => new BaseInfra(s, 'Infra'));
  const web = a.service('Web', 'web');
  const api = a.service('Api', 'api', DeploymentStrategy.canary());
  const worker = new WorkerService(a.prod, 'Worker', { infra: a.infra, serviceName: 'worker', image: image(), repository: a.build, processingTime: Duration.seconds(1) });
  const gate = alarmIn(a.tools);
  const release = new ReleasePipeline(a.tools, 'Release', {
    source: PipelineSource.s3(),
    stages: [
      { stageName: 'dev', target: a.dev },
      { stageName: 'prod-web', target: web, manualApproval: true, bakeTime: Duration.minutes(0) },
      { stageName: 'prod-api', target: api, bakeAlarms: [gate] },
      { stageName: 'prod-worker', target: worker },
    ],
  });
  const tools = Template.fromStack(a.tools);
  const prod = Template.fromStack(a.prod);
  const pipeline = Object.values<any>(tools.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  const deployOf = (stage: string) => (pipeline.Stages as any[]).find(s => s.Name === stage).Actions.find((x: any) => x.Name === 'Deploy');
  const prodStages = ['prod-web', 'prod-api', 'prod-worker'];
  const services = { 'prod-web': web, 'prod-api': api, 'prod-worker': worker } as const;
  const idOf = (construct: any) => a.prod.getLogicalId(construct.node.defaultChild);
  /** The role in the prod stack that the stage's deploy action names. */
  const deployRole = (stage: string): [string, any] => {
    const name = /:role\/([a-z0-9]+)"/.exec(JSON.stringify(deployOf(stage).RoleArn))![1];
    return resourcesOf(prod, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === name)!;
  };

  test('names the target\'s ECS services and its cluster at synth; the deploy actions name them', () => {
    const [clusterId, cluster] = resourcesOf(prod, 'AWS::ECS::Cluster')[0];
    expect(cluster.Properties.ClusterName).toMatch(/^[a-z0-9]+$/);
    for (const stage of prodStages) {
      const service = prod.toJSON().Resources[idOf(services[stage as keyof typeof services].service)];
      expect(service.Properties.Cluster).toEqual({ Ref: clusterId });
      expect(service.Properties.ServiceName).toMatch(/^[a-z0-9]+$/);
      expect(deployOf(stage).ActionTypeId.Provider).toBe('ECS');
      expect(deployOf(stage).Configuration).toMatchObject({ ClusterName: cluster.Properties.ClusterName, ServiceName: service.Properties.ServiceName, FileName: 'imagedefinitions.json' });
    }
    expect(new Set(prodStages.map(s => deployOf(s).Configuration.ServiceName)).size).toBe(3);
  });

  test('keeps CloudFormation\'s names for the stage in the pipeline\'s account', () => {
    const dev = tools.toJSON().Resources[a.tools.getLogicalId(a.dev.service.node.defaultChild as any)];
    expect(dev.Properties.ServiceName).toBeUndefined();
    expect(deployOf('dev').Configuration.ServiceName).toEqual({ 'Fn::GetAtt': [a.tools.getLogicalId(a.dev.service.node.defaultChild as any), 'Name'] });
    expect(deployOf('dev').RoleArn['Fn::GetAtt']).toBeDefined();
  });

  test('runs each deploy action with a role in the target\'s stack that only the pipeline\'s role may assume', () => {
    for (const stage of prodStages) {
      expect(JSON.stringify(deployOf(stage).RoleArn)).toMatch(/:iam::222222222222:role\/[a-z0-9]+"/);
      const [, role] = deployRole(stage);
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
        Condition: { ArnEquals: { 'aws:PrincipalArn': expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:iam::111111111111:role\//)])] }) } },
      })]);
    }
  });

  test('scopes each deploy role to its service, its cluster, its family, its task\'s roles and the artifacts', () => {
    for (const stage of prodStages) {
      const target = services[stage as keyof typeof services];
      const statements = statementsOf(prod, deployRole(stage)[0]);
      const td = a.prod.getLogicalId(target.taskDefinition.node.defaultChild as any);
      const [[clusterId]] = resourcesOf(prod, 'AWS::ECS::Cluster');
      const bucketId = a.tools.getLogicalId(release.artifactBucket.node.defaultChild as any);
      const artifactBucketName = tools.toJSON().Resources[bucketId].Properties.BucketName;
      expect(artifactBucketName).toMatch(/^[a-z0-9]+$/);
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: { Ref: idOf(target.service) } }),
        expect.objectContaining({ Action: ['ecs:DescribeTasks', 'ecs:ListTasks'], Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [clusterId, 'Arn'] } } } }),
        expect.objectContaining({ Action: 'ecs:RegisterTaskDefinition', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${target.taskDefinition.family}:*` }),
        expect.objectContaining({
          Action: 'iam:PassRole',
          Resource: [{ 'Fn::GetAtt': [a.prod.getLogicalId(target.taskDefinition.taskRole.node.defaultChild as any), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${td.replace(/[0-9A-F]{8}$/, '')}ExecutionRole`)), 'Arn'] }],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
        expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `arn:*:s3:*:*:${artifactBucketName}/*` }),
        expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: 'arn:*:kms:eu-west-1:111111111111:key/*' }),
      ]));
      const unconditioned = statements.filter(st => st.Resource === '*' && !st.Condition).map(st => st.Action);
      expect(unconditioned).toEqual(['ecs:DescribeTaskDefinition']);
    }
  });

  test('lets each deploy role read the artifacts by name through the bucket\'s and the key\'s policies', () => {
    const bucketPolicy = resourcesOf(tools, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket).includes('ReleaseArtifacts'))![1];
    const [, key] = resourcesOf(tools, 'AWS::KMS::Key')[0];
    for (const stage of prodStages) {
      const roleArn = deployOf(stage).RoleArn;
      expect(bucketPolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Principal: { AWS: roleArn },
      }));
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Principal: { AWS: roleArn },
      }));
    }
  });

  test('lets the target account pull from the build repository, and each stage record its image there', () => {
    tools.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: Match.arrayWith(prodStages.map(stage => ({
          Sid: `Pull${stage.replace('-', '')}`,
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
        }))),
      },
    });
    for (const stage of prodStages) {
      const record = (pipeline.Stages as any[]).find(s => s.Name === stage).Actions.find((x: any) => x.Name === 'Record');
      expect(record.RunOrder).toBe(2);
      expect(JSON.stringify(record.RoleArn)).toMatch(/:iam::222222222222:role\//);
      const target = services[stage as keyof typeof services];
      prod.hasResourceProperties('AWS::CodeBuild::Project', {
        Name: record.Configuration.ProjectName,
        Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'IMAGE_PARAMETER', Type: 'PLAINTEXT', Value: a.prod.resolve(target.imageParameter!.parameterName) }]) }),
      });
    }
  });

  test('rolls the stage back when the ECS deployment fails, and bakes on the pipeline account\'s alarm', () => {
    for (const stage of prodStages) {
      expect((pipeline.Stages as any[]).find(s => s.Name === stage).OnFailure).toEqual({ Result: 'ROLLBACK' });
    }
    const apiStage = (pipeline.Stages as any[]).find(s => s.Name === 'prod-api');
    expect(apiStage.OnSuccess.Conditions[0].Rules.map((r: any) => r.Configuration.AlarmName)).toEqual([a.tools.resolve(gate.alarmName)]);
    expect((pipeline.Stages as any[]).find(s => s.Name === 'prod-web').OnSuccess).toBeUndefined();
  });

  test('AwsSolutions reports nothing unacknowledged on the whole app', () => {
    expect(nagFindings(a.app)).toEqual([]);
  });
});

describe('validation of ECS service stages in another account', () => {
  test('fails on a CodeDeploy service in another account; accepts it with ECS-native blue/green', () => {
    const a = accounts();
    const api = a.service('Api', 'api', DeploymentStrategy.codeDeploy());
    expect(() => new ReleasePipeline(a.tools, 'Release', { source: PipelineSource.s3(), buildRepository: a.repository, stages: [{ stageName: 'prod', target: api, bakeTime: Duration.minutes(0) }] }))
      .toThrow(/Tools\/Release: stages\[0\]\.target \('api'\) deploys with DeploymentStrategy\.codeDeploy\(\) and is in account 222222222222, not the pipeline's 111111111111: .*give it DeploymentStrategy\.blueGreen\(\), canary\(\) or linear\(\)/);
    const b = accounts();
    const blueGreen = b.service('Api', 'api', DeploymentStrategy.blueGreen());
    new ReleasePipeline(b.tools, 'Release', { source: PipelineSource.s3(), buildRepository: b.repository, stages: [{ stageName: 'prod', target: blueGreen, bakeTime: Duration.minutes(0) }] });
    const actions = (Object.values<any>(Template.fromStack(b.tools).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as any[]).find(s => s.Name === 'prod').Actions;
    expect(actions.map((x: any) => x.ActionTypeId.Provider)).toEqual(['ECS', 'CodeBuild']);
  });

  test('fails when the bake would default to the rollback alarms of another account; accepts bakeTime 0 and alarms of the pipeline\'s account', () => {
    const a = accounts();
    const web = a.service('Web', 'web');
    expect(web.rollbackAlarms.length).toBeGreaterThan(0);
    expect(() => new ReleasePipeline(a.tools, 'Release', { source: PipelineSource.s3(), buildRepository: a.repository, stages: [{ stageName: 'prod', target: web }] }))
      .toThrow(/Tools\/Release: stages\[0\]\.bakeAlarms is unset, so stage 'prod' would bake on the rollbackAlarms of 'web', which are in account 222222222222; .*give bakeAlarms alarms of the pipeline's account, or bakeTime: Duration\.minutes\(0\)/);
    const b = accounts();
    const off = new ReleasePipeline(b.tools, 'Off', { source: PipelineSource.s3(), buildRepository: b.repository, stages: [{ stageName: 'prod', target: b.service('Web', 'web'), bakeTime: Duration.minutes(0) }] });
    expect(off.estimatedReleaseTime.toSeconds()).toBeGreaterThan(0);
    const c = accounts();
    const gate = alarmIn(c.tools);
    new ReleasePipeline(c.tools, 'Gated', { source: PipelineSource.s3(), buildRepository: c.repository, stages: [{ stageName: 'prod', target: c.service('Web', 'web'), bakeAlarms: [gate] }] });
    const stage = (Object.values<any>(Template.fromStack(c.tools).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as any[]).find(s => s.Name === 'prod');
    expect(stage.OnSuccess.Conditions[0].Rules[0].Configuration.AlarmName).toEqual(c.tools.resolve(gate.alarmName));
  });

  test('accepts a WorkerService in another account with no bake settings (it has no default alarms)', () => {
    const a = accounts();
    const worker = new WorkerService(a.prod, 'Worker', { infra: a.infra, serviceName: 'worker', image: image(), repository: a.build, processingTime: Duration.seconds(1) });
    const release = new ReleasePipeline(a.tools, 'Release', { source: PipelineSource.s3(), buildRepository: a.repository, stages: [{ stageName: 'prod', target: worker }] });
    expect(release.artifactKey).toBeDefined();
    Template.fromStack(a.prod).hasResourceProperties('AWS::ECS::Service', { ServiceName: Match.stringLikeRegexp('^[a-z0-9]+$') });
  });
});
