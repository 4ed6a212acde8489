import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { LoadBalancerType, MicroService, RollingPipeline, ServiceImage } from '../src';
import { disposableArtifactBucket, disposableInfra, disposableRepository, fixtureAppSource, integStack, integTest } from './support';

/**
 * A public service delivered by a RollingPipeline from an S3 source. The source archive is a CDK
 * asset (the sample app in test/pipelines/fixtures/app), so the pipeline's first execution, which
 * starts when the pipeline is created, builds and deploys it. After deploy: the execution
 * succeeded, the image parameter holds the image it built (`<repository>:<ETag>`), and the load
 * balancer serves the new page.
 */
const app = new App();
const stack = integStack(app, 'RollingPipeline');
const infra = disposableInfra(stack);
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 2,
  repository: disposableRepository(stack),
  removalPolicy: RemovalPolicy.DESTROY,
});
const pipeline = new RollingPipeline(stack, 'Pipeline', {
  service: web,
  source: fixtureAppSource(stack),
  artifactBucket: disposableArtifactBucket(stack),
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = integTest(app, 'RollingPipeline', stack);

integ.assertions
  .awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: pipeline.pipeline.pipelineName, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.minutes(1) })
  .next(integ.assertions
    .awsApiCall('SSM', 'getParameter', { Name: web.imageParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/.+:[0-9a-f]{32}$') } })))
  .next(integ.assertions
    .httpApiCall(web.url!)
    .expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('deployed by the pipeline') }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) }));
