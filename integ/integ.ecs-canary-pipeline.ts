import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, ServiceImage } from '../src';
import { disposableArtifactBucket, disposableInfra, disposableRepository, fixtureAppSource, integStack, integTest } from './support';

/**
 * A public service with an ECS-native canary deployment, delivered by a BlueGreenPipeline: ECS
 * starts the green tasks behind the second target group, moves 20 % of production traffic to
 * them, the rest a minute later, and stops the blue tasks after a one-minute bake (a short
 * schedule keeps the test short). After deploy: the pipeline's first execution succeeded, ECS
 * reports the service's last deployment as a successful CANARY one, the image parameter holds the
 * image it built, and the production listener serves the new page.
 */
const app = new App();
const stack = integStack(app, 'EcsCanaryPipeline');
const infra = disposableInfra(stack);
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 2,
  deploymentStrategy: DeploymentStrategy.canary({
    canaryPercent: 20,
    canaryInterval: Duration.minutes(1),
    bakeTime: Duration.minutes(1),
  }),
  repository: disposableRepository(stack),
  removalPolicy: RemovalPolicy.DESTROY,
});
const pipeline = new BlueGreenPipeline(stack, 'Pipeline', {
  service: web,
  source: fixtureAppSource(stack),
  artifactBucket: disposableArtifactBucket(stack),
  deployTimeout: Duration.minutes(30),
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = integTest(app, 'EcsCanaryPipeline', stack);

integ.assertions
  .awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: pipeline.pipeline.pipelineName, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.minutes(1) })
  .next(integ.assertions
    .awsApiCall('ECS', 'describeServices', { cluster: infra.cluster.clusterName, services: [web.service.serviceArn] })
    .expect(ExpectedResult.objectLike({
      services: [Match.objectLike({
        runningCount: 2,
        deploymentConfiguration: Match.objectLike({ strategy: 'CANARY' }),
        deployments: [Match.objectLike({ status: 'PRIMARY', rolloutState: 'COMPLETED' })],
      })],
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }))
  .next(integ.assertions
    .awsApiCall('SSM', 'getParameter', { Name: web.imageParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: Match.stringLikeRegexp('\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/.+:[0-9a-f]{32}$') } })))
  .next(integ.assertions
    .httpApiCall(web.url!)
    .expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('deployed by the pipeline') }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) }));
