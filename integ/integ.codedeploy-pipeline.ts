import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  BaseInfra, BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, PipelineSource, ServiceImage, TrafficShifting,
} from '../src';

/**
 * A public service on the CODE_DEPLOY controller, delivered by a BlueGreenPipeline: CodeDeploy
 * moves 10 % of the traffic to the green tasks, the rest a minute later, and stops the blue tasks
 * right away (a short schedule keeps the test short). After deploy: the pipeline's first
 * execution (the sample app from an S3 source) succeeded through CodeDeploy, the image parameter
 * holds the image it built, and the production listener serves the new page.
 */
const app = new App();
const env = { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
const stack = new Stack(app, 'CodeDeployPipelineInteg', { env });
const infra = new BaseInfra(stack, 'Infra', { natGateways: 1, removalPolicy: RemovalPolicy.DESTROY });
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 2,
  deploymentStrategy: DeploymentStrategy.codeDeploy({
    trafficShifting: TrafficShifting.canary({ percentage: 10, interval: Duration.minutes(1) }),
    terminationWaitTime: Duration.minutes(0),
  }),
  repository: new ecr.Repository(stack, 'Repository', {
    imageTagMutability: ecr.TagMutability.IMMUTABLE,
    imageScanOnPush: true,
    emptyOnDelete: true,
    removalPolicy: RemovalPolicy.DESTROY,
  }),
  removalPolicy: RemovalPolicy.DESTROY,
});
const source = new s3assets.Asset(stack, 'Source', { path: path.join(__dirname, '..', 'test', 'pipelines', 'fixtures', 'app') });
const pipeline = new BlueGreenPipeline(stack, 'Pipeline', {
  service: web,
  source: PipelineSource.s3({ bucket: source.bucket, objectKey: source.s3ObjectKey }),
  artifactBucket: new s3.Bucket(stack, 'Artifacts', {
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    autoDeleteObjects: true,
    removalPolicy: RemovalPolicy.DESTROY,
  }),
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'CodeDeployPipelineTest', {
  testCases: [stack],
  diffAssets: false,
  assertionStack: new Stack(app, 'CodeDeployPipelineAssertions', { env }),
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

integ.assertions
  .awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: pipeline.pipeline.pipelineName, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(50), interval: Duration.minutes(1) })
  .next(integ.assertions
    .awsApiCall('CodeDeploy', 'listDeployments', {
      applicationName: web.deploymentGroup!.application.applicationName,
      deploymentGroupName: web.deploymentGroup!.deploymentGroupName,
      includeOnlyStatuses: ['Succeeded'],
    })
    .expect(ExpectedResult.objectLike({ deployments: Match.arrayWith([Match.stringLikeRegexp('^d-')]) })))
  .next(integ.assertions
    .awsApiCall('SSM', 'getParameter', { Name: web.imageParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/.+:[0-9a-f]{32}$') } })))
  .next(integ.assertions
    .httpApiCall(web.url!)
    .expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('deployed by the pipeline') }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) }));
