import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, ServiceImage, TrafficShifting } from '../src';
import { disposableArtifactBucket, disposableInfra, disposableRepository, fixtureAppSource, integStack, integTest } from './support';

/**
 * A public service on the CODE_DEPLOY controller, delivered by a BlueGreenPipeline: CodeDeploy
 * moves 10 % of the traffic to the green tasks, the rest a minute later, and stops the blue tasks
 * right away (a short schedule keeps the test short). After deploy: the pipeline's first
 * execution (the sample app from an S3 source) succeeded through CodeDeploy, the image parameter
 * holds the image it built, and the production listener serves the new page.
 */
const app = new App();
const stack = integStack(app, 'CodeDeployPipeline');
const infra = disposableInfra(stack);
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
  repository: disposableRepository(stack),
  removalPolicy: RemovalPolicy.DESTROY,
});
const pipeline = new BlueGreenPipeline(stack, 'Pipeline', {
  service: web,
  source: fixtureAppSource(stack),
  artifactBucket: disposableArtifactBucket(stack),
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = integTest(app, 'CodeDeployPipeline', stack);

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
