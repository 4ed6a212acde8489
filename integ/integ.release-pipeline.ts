import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { MicroService, ReleasePipeline, ServiceImage } from '../src';
import { disposableArtifactBucket, disposableInfra, disposableRepository, fixtureAppSource, integStack, integTest } from './support';

/**
 * A ReleasePipeline that builds the sample app once and releases it to a dev and a prod service,
 * baking one minute on each one's rollback alarms, prod within an always-open deployment window.
 * Both stages are in the test's account and region: integ-runner deploys one app with one set of
 * credentials, so a second account cannot be part of the deployment, and a ReleasePipeline
 * deploys within its own region. After deploy: the pipeline's first execution (started when the
 * pipeline is created) succeeded, so the release passed dev's bake and reached prod; prod's image
 * parameter holds the image by digest, and dev's holds the same digest.
 */
const app = new App();
const stack = integStack(app, 'ReleasePipeline');
const infra = disposableInfra(stack);
const repository = disposableRepository(stack);
const service = (id: string, serviceName: string) => new MicroService(stack, id, {
  infra,
  serviceName,
  image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
  containerPort: 80,
  repository,
  removalPolicy: RemovalPolicy.DESTROY,
});
const dev = service('Dev', 'web-dev');
const prod = service('Prod', 'web-prod');
const release = new ReleasePipeline(stack, 'Release', {
  source: fixtureAppSource(stack),
  artifactBucket: disposableArtifactBucket(stack),
  removalPolicy: RemovalPolicy.DESTROY,
  stages: [
    { stageName: 'dev', target: dev, bakeTime: Duration.minutes(1) },
    { stageName: 'prod', target: prod, bakeTime: Duration.minutes(1), deploymentWindow: { cron: '* * * ? * *' } },
  ],
});

const integ = integTest(app, 'ReleasePipeline', stack);

const prodImage = integ.assertions.awsApiCall('SSM', 'getParameter', { Name: prod.imageParameter!.parameterName });
integ.assertions
  .awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: release.pipeline.pipelineName, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(60), interval: Duration.minutes(1) })
  .next(prodImage.expect(ExpectedResult.objectLike({
    Parameter: { Value: Match.stringLikeRegexp('\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/.+@sha256:[0-9a-f]{64}$') },
  })))
  .next(integ.assertions
    .awsApiCall('SSM', 'getParameter', { Name: dev.imageParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: prodImage.getAttString('Parameter.Value') } })));
