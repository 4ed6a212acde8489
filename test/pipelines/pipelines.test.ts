import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  BlueGreenEngine, BlueGreenPipeline, DeploymentStrategy, MicroService, MicroServiceProps, PipelineSource, RollingPipeline,
  RollingPipelineProps, ServiceImage,
} from '../../src';
import { importedInfra, newStack } from '../util';

const PIPELINE_IMAGE = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

function service(stack: Stack, props: Partial<MicroServiceProps> = {}, id = 'Orders'): MicroService {
  return new MicroService(stack, id, { infra: importedInfra(stack), serviceName: id.toLowerCase(), image: PIPELINE_IMAGE, ...props });
}

function resource(template: Template, type: string, idPrefix: string): any {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} starting with ${idPrefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  }
  return found[0][1];
}

function statements(template: Template, policyIdPrefix: string): any[] {
  return resource(template, 'AWS::IAM::Policy', policyIdPrefix).Properties.PolicyDocument.Statement;
}

function stages(template: Template): any[] {
  return resource(template, 'AWS::CodePipeline::Pipeline', 'OrdersPipeline').Properties.Stages;
}

describe('RollingPipeline from an S3 source, with approval and notifications', () => {
  const stack = newStack();
  const orders = service(stack);
  const pipeline = new RollingPipeline(stack, 'OrdersPipeline', {
    service: orders,
    source: PipelineSource.s3(),
    manualApproval: true,
    notificationEmails: ['team@example.com'],
  });
  const template = Template.fromStack(stack);
  const r = (x: string) => stack.resolve(x);

  test('is a V2 pipeline: source, build, approve, deploy', () => {
    const props = resource(template, 'AWS::CodePipeline::Pipeline', 'OrdersPipeline').Properties;
    expect(props.PipelineType).toBe('V2');
    expect(props.RestartExecutionOnUpdate).toBe(false);
    expect(props.ArtifactStore).toEqual({ Type: 'S3', Location: r(pipeline.artifactBucket.bucketName) });
    expect(stages(template).map((s: any) => s.Name)).toEqual(['Source', 'Build', 'Approve', 'Deploy']);
  });

  test('reads source.zip from a versioned, encrypted, SSL-only, retained bucket, started by S3\'s EventBridge events', () => {
    expect(stages(template)[0].Actions).toEqual([expect.objectContaining({
      ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'S3', Version: '1' },
      Configuration: { S3Bucket: r(pipeline.sourceBucket!.bucketName), S3ObjectKey: 'source.zip', PollForSourceChanges: false },
    })]);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [r(pipeline.sourceBucket!.bucketName)] }, object: { key: ['source.zip'] } },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
    });
    // S3's EventBridge notifications are set on the bucket itself, not through a notifications custom resource.
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('keeps artifacts in an encrypted, SSL-only, versioned, retained bucket', () => {
    const bucket = resource(template, 'AWS::S3::Bucket', 'OrdersPipelineArtifacts');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([{ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 7 }, Status: 'Enabled' }]);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: r(pipeline.artifactBucket.bucketName),
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('builds with a privileged current standard image for the service\'s architecture, passing the source revision', () => {
    expect(stages(template)[1].Actions).toEqual([expect.objectContaining({
      ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
      Configuration: {
        ProjectName: r(pipeline.buildProject.projectName),
        EnvironmentVariables: JSON.stringify([{ name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source_Source_NS.ETag}' }]),
      },
      OutputArtifacts: [{ Name: 'Build' }],
    })]);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ Image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', PrivilegedMode: true, ComputeType: 'BUILD_GENERAL1_SMALL', Type: 'LINUX_CONTAINER' }),
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: Match.anyValue() } },
      TimeoutInMinutes: 60,
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  test('asks for approval through the topic, naming the image', () => {
    expect(stages(template)[2].Actions).toEqual([expect.objectContaining({
      Name: 'Review',
      ActionTypeId: { Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' },
      Configuration: expect.objectContaining({
        NotificationArn: r(pipeline.notificationTopic.topicArn),
        CustomData: 'Deploy #{Build_Build_NS.IMAGE_URI} to orders?',
      }),
    })]);
  });

  test('deploys with an ECS rolling update, records the image, and rolls the stage back on failure', () => {
    const deploy = stages(template)[3];
    expect(deploy.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(deploy.Actions).toEqual([
      expect.objectContaining({
        Name: 'Deploy',
        ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'ECS', Version: '1' },
        Configuration: { ClusterName: 'platform', ServiceName: r(orders.service.serviceName), FileName: 'imagedefinitions.json', DeploymentTimeout: 60 },
        InputArtifacts: [{ Name: 'Build' }],
        RunOrder: 1,
      }),
      expect.objectContaining({
        Name: 'Record',
        ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
        Configuration: { ProjectName: r(pipeline.recordProject.projectName) },
        InputArtifacts: [{ Name: 'Build' }],
        RunOrder: 2,
      }),
    ]);
  });

  test('notifies the topic of failed and succeeded executions; the topic takes TLS only and has the email', () => {
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-pipeline-execution-succeeded'],
      Targets: [{ TargetType: 'SNS', TargetAddress: r(pipeline.notificationTopic.topicArn) }],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'codestar-notifications.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  test('the build role: logs, its artifacts, docker login and the service\'s repository only', () => {
    const artifacts = r(pipeline.artifactBucket.bucketArn);
    expect(statements(template, 'OrdersPipelineBuildRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersPipelineBuildLogs/), 'Arn'] } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'], Resource: { 'Fn::Join': ['', [artifacts, '/*']] } },
      { Effect: 'Allow', Action: ['s3:GetBucketAcl', 's3:GetBucketLocation'], Resource: artifacts },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:DescribeImages',
          'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
        Resource: r(orders.repository.repositoryArn),
      },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ]);
  });

  test('the record role may put the service\'s image parameter and nothing else in SSM, and tag images in its repository', () => {
    const record = statements(template, 'OrdersPipelineRecordRole');
    expect(record.filter((s: any) => JSON.stringify(s.Action).includes('ssm:'))).toEqual([{
      Effect: 'Allow',
      Action: 'ssm:PutParameter',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:', { Ref: 'AWS::AccountId' }, `:parameter${orders.imageParameter!.parameterName}`]] },
    }]);
    // In ECR, only reading the deployed image's manifest and tagging it, in the service's repository.
    expect(record.filter((s: any) => JSON.stringify(s.Action).includes('ecr:'))).toEqual([{
      Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:PutImage'], Resource: r(orders.repository.repositoryArn),
    }]);
    expect(JSON.stringify(record)).not.toMatch(/s3:PutObject|ecs:/);
    // Besides the record role, only the custom resource that creates the parameter once may write it.
    const otherSsm = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id, p]) => !id.startsWith('OrdersPipelineRecordRole') && JSON.stringify(p).includes('ssm:PutParameter'));
    expect(otherSsm.map(([id]) => id)).toEqual([expect.stringMatching(/^OrdersImageParameterStoreCustomResourcePolicy/)]);
  });

  test('the deploy action role: this service, tasks in its cluster, its roles, no ECS action on * without need', () => {
    const deploy = statements(template, 'OrdersPipelineDeployCodePipelineActionRole');
    expect(deploy).toEqual([
      { Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: r(orders.service.serviceArn) },
      { Effect: 'Allow', Action: ['ecs:DescribeTasks', 'ecs:ListTasks'], Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': r(orders.infra.cluster.clusterArn) } } },
      { Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
      // Revisions of this service's family only.
      { Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${r(orders.taskDefinition.family)}:*` },
      { Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: [r(orders.taskDefinition.taskRole.roleArn), r(orders.taskDefinition.executionRole!.roleArn)],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [r(pipeline.artifactBucket.bucketArn), '/*']] } },
    ]);
  });

  test('the service\'s execution role may pull the pipeline\'s images', () => {
    expect(statements(template, 'OrdersTaskDefExecutionRole')).toContainEqual({
      Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: r(orders.repository.repositoryArn),
    });
  });
});

describe('sources', () => {
  test('a CodeConnections repository starts the pipeline on pushes to its branch through a V2 trigger', () => {
    const stack = newStack();
    new RollingPipeline(stack, 'OrdersPipeline', {
      service: service(stack),
      source: PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my-org/orders', branch: 'release' }),
    });
    const template = Template.fromStack(stack);
    const props = resource(template, 'AWS::CodePipeline::Pipeline', 'OrdersPipeline').Properties;
    expect(props.Stages[0].Actions[0]).toMatchObject({
      ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' },
      Configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'my-org/orders', BranchName: 'release', DetectChanges: false },
    });
    expect(props.Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: ['release'] } }] },
    }]);
    expect(JSON.parse(props.Stages[1].Actions[0].Configuration.EnvironmentVariables)).toEqual([{ name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source_Source_NS.CommitId}' }]);
    expect(statements(template, 'OrdersPipelineSourceCodePipelineActionRole'))
      .toContainEqual({ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: CONNECTION });
  });

  test('a created CodeCommit repository is kept when the stack is deleted', () => {
    const stack = newStack();
    const pipeline = new RollingPipeline(stack, 'OrdersPipeline', {
      service: service(stack),
      source: PipelineSource.codeCommit({ repositoryName: 'orders', branch: 'trunk' }),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::CodeCommit::Repository', { Properties: Match.objectLike({ RepositoryName: 'orders' }), DeletionPolicy: 'Retain' });
    expect(pipeline.sourceRepository).toBeDefined();
    expect(stages(template)[0].Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'CodeCommit' },
      Configuration: { RepositoryName: JSON.parse(JSON.stringify(stack.resolve(pipeline.sourceRepository!.repositoryName))), BranchName: 'trunk', PollForSourceChanges: false },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'source': ['aws.codecommit'], 'detail-type': ['CodeCommit Repository State Change'] }) });
  });

  test('an existing CodeCommit repository is used as is', () => {
    const stack = newStack();
    const pipeline = new RollingPipeline(stack, 'OrdersPipeline', {
      service: service(stack),
      source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'Repo', 'legacy-orders') }),
    });
    Template.fromStack(stack).resourceCountIs('AWS::CodeCommit::Repository', 0);
    expect(pipeline.sourceRepository).toBeUndefined();
  });

  test('an ECR image is deployed without building; the execution role may pull it', () => {
    const stack = newStack();
    const shared = ecr.Repository.fromRepositoryName(stack, 'Shared', 'shared/orders');
    const orders = service(stack);
    new RollingPipeline(stack, 'OrdersPipeline', { service: orders, source: PipelineSource.ecrImage({ repository: shared, tag: 'release' }) });
    const template = Template.fromStack(stack);
    expect(stages(template)[0].Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'ECR' },
      Configuration: { RepositoryName: 'shared/orders', ImageTag: 'release' },
    });
    expect(stages(template)[1].Actions[0].Configuration.EnvironmentVariables).toBeUndefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ecr'], 'detail-type': ['ECR Image Action'], 'detail': { 'result': ['SUCCESS'], 'repository-name': ['shared/orders'], 'image-tag': ['release'], 'action-type': ['PUSH'] } },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ PrivilegedMode: false }) });
    expect(JSON.stringify(statements(template, 'OrdersPipelineBuildRole'))).not.toMatch(/ecr:/);
    expect(statements(template, 'OrdersTaskDefExecutionRole')).toContainEqual(expect.objectContaining({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: stack.resolve(shared.repositoryArn),
    }));
  });

  test('removalPolicy DESTROY applies to the created buckets and log groups', () => {
    const stack = newStack();
    new RollingPipeline(stack, 'OrdersPipeline', { service: service(stack), source: PipelineSource.s3(), removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    for (const id of ['OrdersPipelineArtifacts', 'OrdersPipelineSourceBucket']) {
      expect(resource(template, 'AWS::S3::Bucket', id).DeletionPolicy).toBe('Delete');
    }
    for (const id of ['OrdersPipelineBuildLogs', 'OrdersPipelineRecordLogs']) {
      expect(resource(template, 'AWS::Logs::LogGroup', id).DeletionPolicy).toBe('Delete');
    }
  });

  test('an ARM64 service is built on the ARM standard image', () => {
    const stack = newStack();
    new RollingPipeline(stack, 'OrdersPipeline', { service: service(stack, { cpuArchitecture: ecs.CpuArchitecture.ARM64 }), source: PipelineSource.s3() });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
        Type: 'ARM_CONTAINER',
        EnvironmentVariables: Match.arrayWith([{ Name: 'DOCKER_PLATFORM', Type: 'PLAINTEXT', Value: 'linux/arm64' }]),
      }),
    });
  });

  test('a given topic is used instead of creating one', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops', { enforceSSL: true });
    const pipeline = new RollingPipeline(stack, 'OrdersPipeline', { service: service(stack), source: PipelineSource.s3(), notificationTopic: topic });
    expect(pipeline.notificationTopic).toBe(topic);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });
});

describe('BlueGreenPipeline', () => {
  test('with an ECS canary service: ECS deploy action with the deploy timeout, stage rollback', () => {
    const stack = newStack();
    const orders = service(stack, { deploymentStrategy: DeploymentStrategy.canary() });
    const pipeline = new BlueGreenPipeline(stack, 'OrdersPipeline', { service: orders, source: PipelineSource.s3(), deployTimeout: Duration.minutes(20) });
    expect(pipeline.engine).toBe(BlueGreenEngine.ECS);
    const deploy = stages(Template.fromStack(stack))[2];
    expect(deploy.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(deploy.Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'ECS' },
      Configuration: { FileName: 'imagedefinitions.json', DeploymentTimeout: 20 },
    });
  });

  describe('with a CodeDeploy service', () => {
    const stack = newStack();
    const orders = service(stack, { deploymentStrategy: DeploymentStrategy.codeDeploy() });
    const pipeline = new BlueGreenPipeline(stack, 'OrdersPipeline', { service: orders, source: PipelineSource.s3() });
    const template = Template.fromStack(stack);
    const r = (x: string) => JSON.parse(JSON.stringify(stack.resolve(x)));

    test('deploys through the service\'s deployment group from taskdef.json, appspec.yaml and imageDetail.json', () => {
      expect(pipeline.engine).toBe(BlueGreenEngine.CODE_DEPLOY);
      const deploy = stages(template)[2];
      expect(deploy.OnFailure).toBeUndefined();
      expect(deploy.Actions[0]).toMatchObject({
        Name: 'Deploy',
        ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CodeDeployToECS', Version: '1' },
        Configuration: {
          ApplicationName: r(orders.deploymentGroup!.application.applicationName),
          DeploymentGroupName: r(orders.deploymentGroup!.deploymentGroupName),
          TaskDefinitionTemplateArtifact: 'Build',
          TaskDefinitionTemplatePath: 'taskdef.json',
          AppSpecTemplateArtifact: 'Build',
          AppSpecTemplatePath: 'appspec.yaml',
          Image1ArtifactName: 'Build',
          Image1ContainerName: 'IMAGE1_NAME',
        },
        InputArtifacts: [{ Name: 'Build' }],
      });
      expect(deploy.Actions[1]).toMatchObject({ Name: 'Record', RunOrder: 2 });
    });

    test('the build may describe task definitions; the deploy role is scoped to the deployment group and the service\'s roles', () => {
      expect(statements(template, 'OrdersPipelineBuildRole')).toContainEqual({ Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' });
      const deploy = statements(template, 'OrdersPipelineDeployCodePipelineActionRole');
      expect(deploy).toEqual(expect.arrayContaining([
        { Effect: 'Allow', Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'], Resource: expect.anything() },
        { Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: `arn:*:ecs:eu-west-1:*:task-definition/${r(orders.taskDefinition.family)}:*` },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [r(orders.taskDefinition.taskRole.roleArn), r(orders.taskDefinition.executionRole!.roleArn)],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ]));
      expect(deploy.filter((s: any) => s.Resource === '*')).toEqual([]);
    });
  });
});

describe('pipelines fail at synth when', () => {
  const rolling = (stack: Stack, props: Partial<RollingPipelineProps> & { service?: MicroService } = {}) =>
    new RollingPipeline(stack, 'OrdersPipeline', { service: props.service ?? service(stack), source: PipelineSource.s3(), ...props });

  test('the service is not configured for the pipeline\'s engine', () => {
    let stack = newStack();
    const canary = service(stack, { deploymentStrategy: DeploymentStrategy.canary() });
    expect(() => rolling(stack, { service: canary }))
      .toThrow(/service 'orders' uses deploymentStrategy canary \(10 % for 5 min\), which RollingPipeline cannot deploy: use BlueGreenPipeline, or DeploymentStrategy.rolling\(\) on the service/);
    stack = newStack();
    const plain = service(stack);
    expect(() => new BlueGreenPipeline(stack, 'OrdersPipeline', { service: plain, source: PipelineSource.s3() }))
      .toThrow(/service 'orders' uses deploymentStrategy rolling, which BlueGreenPipeline does not deploy: use RollingPipeline, or DeploymentStrategy.blueGreen\(\), canary\(\), linear\(\) or codeDeploy\(\) on the service/);
  });

  test('the service\'s image is not ServiceImage.fromPipeline()', () => {
    const stack = newStack();
    const fixed = service(stack, { image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine') });
    expect(() => rolling(stack, { service: fixed }))
      .toThrow(/service 'orders' does not take its image from ServiceImage.fromPipeline\(\): use image: ServiceImage.fromPipeline\(\{ initialImage \}\)/);
  });

  test('the deploy timeout is over ECS\'s 60 minutes, or set for CodeDeploy', () => {
    expect(() => rolling(newStack(), { deployTimeout: Duration.minutes(90) }))
      .toThrow(/deployTimeout \(90 min\) must be a whole number of minutes from 1 to 60, the ECS deploy action's limit/);
    const stack = newStack();
    const cd = service(stack, { deploymentStrategy: DeploymentStrategy.codeDeploy() });
    expect(() => new BlueGreenPipeline(stack, 'OrdersPipeline', { service: cd, source: PipelineSource.s3(), deployTimeout: Duration.minutes(30) }))
      .toThrow(/deployTimeout is set but service 'orders' deploys with CodeDeploy, which runs its own schedule: remove deployTimeout/);
  });

  test('the deploy timeout cannot cover the canary or linear schedule', () => {
    let stack = newStack();
    const canary = service(stack, { deploymentStrategy: DeploymentStrategy.canary() });
    expect(() => new BlueGreenPipeline(stack, 'OrdersPipeline', { service: canary, source: PipelineSource.s3(), deployTimeout: Duration.minutes(10) }))
      .toThrow(/deployTimeout \(10 min\) is shorter than one deployment with deploymentStrategy canary \(10 % for 5 min\), modelled at 11.5 min: .*shift production traffic 300 s \(10 % for 5 min, then the rest\).*: raise deployTimeout \(at most 60 min/);
    // ECS's own linear default (10 % every 6 minutes) plus a bake time does not fit in 60 minutes.
    stack = newStack();
    const linear = service(stack, { deploymentStrategy: DeploymentStrategy.linear({ stepInterval: Duration.minutes(6) }) });
    expect(() => new BlueGreenPipeline(stack, 'OrdersPipeline', { service: linear, source: PipelineSource.s3() }))
      .toThrow(/deployTimeout \(60 min\) is shorter than one deployment with deploymentStrategy linear \(10 % every 6 min\), modelled at 60.5 min: .*shift production traffic 3240 s \(10 steps of 10 %, 9 waits of 6 min\)/);
  });

  test('a connection source\'s repository, ARN or branch is one AWS would refuse later', () => {
    const s = (source: PipelineSource) => () => rolling(newStack(), { source });
    const connection = (o: Partial<Parameters<typeof PipelineSource.connection>[0]>) => s(PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my-org/orders', ...o }));
    expect(connection({ repository: 'https://github.com/my-org/orders.git' }))
      .toThrow("Test/OrdersPipeline: source repository ('https://github.com/my-org/orders.git') is a clone URL, but the source takes the repository as owner/name");
    expect(connection({ repository: 'my org/orders' })).toThrow(/source repository \('my org\/orders'\) has 'my org'/);
    expect(connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection' }))
      .toThrow(/source connectionArn \('arn:aws:codeconnections:eu-west-1:111111111111:connection'\) ends in 'connection', but a connection ARN ends in 'connection\/<id>'/);
    expect(connection({ connectionArn: CONNECTION.replace('111111111111', '11111111111') })).toThrow(/account '11111111111', which is not 12 digits/);
    expect(connection({ branch: '' })).toThrow("Test/OrdersPipeline: source branch ('') is empty: give the branch's name as git shows it, such as 'main' or 'release/1.2'");
    expect(connection({ branch: 'release 1.2' })).toThrow(/source branch \('release 1.2'\) has a space/);
    expect(connection({ branch: 'refs/heads/main' })).toThrow(/source branch \('refs\/heads\/main'\) is a full ref/);
  });

  test('a CodeCommit source\'s name or branch is one CodeCommit would refuse, before aws-cdk-lib does', () => {
    const s = (source: PipelineSource) => () => rolling(newStack(), { source });
    expect(s(PipelineSource.codeCommit({ repositoryName: 'orders service' }))).toThrow(/Test\/OrdersPipeline: source repositoryName \('orders service'\) is not 1-100 letters/);
    expect(s(PipelineSource.codeCommit({ repositoryName: 'orders.git' }))).toThrow(/source repositoryName \('orders.git'\) ends in '.git'/);
    expect(s(PipelineSource.codeCommit({ repositoryName: 'orders', branch: '' }))).toThrow(/Test\/OrdersPipeline: source branch \(''\) is empty/);
  });

  test('a notification email or the pipeline name is one AWS would refuse, before aws-cdk-lib does', () => {
    expect(() => rolling(newStack(), { notificationEmails: ['team@example.com', 'team@example'] }))
      .toThrow("Test/OrdersPipeline: notificationEmails ('team@example') has domain 'example', which is not a domain name with a top-level domain: give one address per entry, in the form name@example.com");
    expect(() => rolling(newStack(), { pipelineName: 'orders pipeline' }))
      .toThrow("Test/OrdersPipeline: pipelineName ('orders pipeline') is not 1-100 letters, digits, '.', '@', '_' and '-': use 1-100 letters");
    expect(() => rolling(newStack(), { pipelineName: 'x'.repeat(101) })).toThrow(/Test\/OrdersPipeline: pipelineName \('x{101}'\)/);
  });

  test('accepts a 100-character pipeline name and two notification emails', () => {
    const stack = newStack();
    rolling(stack, { pipelineName: `orders.v2@team_${'x'.repeat(85)}`, notificationEmails: ['a@example.com', 'b.c+ops@sub.example.co.uk'] });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 2);
  });

  test('an ECR source tag is not an image tag', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'orders');
    expect(() => rolling(stack, { source: PipelineSource.ecrImage({ repository, tag: 'v1 .2' }) }))
      .toThrow(/Test\/OrdersPipeline: source tag \('v1 .2'\) is not an image tag/);
  });

  test('a source or build option is malformed', () => {
    const s = (source: PipelineSource) => () => rolling(newStack(), { source });
    expect(s(PipelineSource.connection({ connectionArn: CONNECTION, repository: 'orders' })))
      .toThrow(/source repository \('orders'\) has 1 part, but it must be owner\/name: use 'owner\/name' as in the repository's URL, for example 'my-org\/orders-service'/);
    expect(s(PipelineSource.connection({ connectionArn: 'arn:aws:iam::111111111111:role/x', repository: 'o/r' })))
      .toThrow(/source connectionArn \('arn:aws:iam::111111111111:role\/x'\) is an ARN of 'iam', not of a CodeConnections connection: copy the connection's ARN/);
    expect(s(PipelineSource.codeCommit({}))).toThrow(/PipelineSource.codeCommit\(\) needs exactly one of repository \(an existing one\) and repositoryName \(to create one\)/);
    expect(s(PipelineSource.s3({ objectKey: '/source.zip' }))).toThrow(/source objectKey \('\/source.zip'\) must be an object key without a leading '\/'/);
    expect(() => rolling(newStack(), { imageBuild: { appPath: '../other' } }))
      .toThrow(/imageBuild.appPath \('..\/other'\) must be a path inside the source, relative to its root and without '..'/);
  });

  test('an initial image is malformed, or the pipeline image is bound without a repository', () => {
    expect(() => service(newStack(), { image: ServiceImage.fromPipeline({ initialImage: 'nginx latest' }) }))
      .toThrow(/initialImage \('nginx latest'\) is empty or has whitespace: write it as \[registry\/\]repository\[:tag\]\[@digest\]/);
    expect(() => service(newStack(), { image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/NGINX:1.27' }) }))
      .toThrow(/initialImage \('public.ecr.aws\/nginx\/NGINX:1.27'\) has 'NGINX' in its repository/);
    expect(() => PIPELINE_IMAGE.bind(newStack(), { cpuArchitecture: ecs.CpuArchitecture.X86_64 }))
      .toThrow(/ServiceImage.fromPipeline\(\) needs the service's ECR repository in its bind options: bind it through a MicroService/);
  });
});
