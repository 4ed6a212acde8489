import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, PipelineSource, RollingPipeline, ServiceImage, TrafficShifting } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * Seed 001's system: one web app from a GitHub repository, delivered two ways — a rolling update,
 * and CodeDeploy blue/green with canary 10 % for 5 minutes. An ECS service has one deployment
 * controller, so each delivery gets its own service of the same app (`web-rolling`, `web-canary`).
 *
 * The repository is reached through an AWS CodeConnections connection (complete its handshake in
 * the console first): `-c connectionArn=arn:aws:codeconnections:... -c repository=owner/name
 * -c branch=main -c appPath=app`. Without them the app synthesizes with a placeholder connection,
 * which is what the committed snapshot holds.
 *
 * After deploy: both pipelines' first executions succeeded, the CodeDeploy deployment group uses
 * the predefined ECSCanary10Percent5Minutes configuration and both services answer 200.
 */
const app = new App();
const context = (key: string, fallback: string): string => app.node.tryGetContext(key) ?? fallback;
const source = PipelineSource.connection({
  connectionArn: context('connectionArn', 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000'),
  repository: context('repository', 'my-org/web-app'),
  branch: context('branch', 'main'),
});
const imageBuild = { appPath: context('appPath', '.') };

const stack = integStack(app, 'Seed001');
const infra = disposableInfra(stack);
const placeholder = 'public.ecr.aws/nginx/nginx:1.27-alpine';

const rolling = new MicroService(stack, 'WebRolling', {
  infra,
  serviceName: 'web-rolling',
  image: ServiceImage.fromPipeline({ initialImage: placeholder }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  removalPolicy: RemovalPolicy.DESTROY,
});
const rollingPipeline = new RollingPipeline(stack, 'RollingPipeline', { service: rolling, source, imageBuild, removalPolicy: RemovalPolicy.DESTROY });

const canary = new MicroService(stack, 'WebCanary', {
  infra,
  serviceName: 'web-canary',
  image: ServiceImage.fromPipeline({ initialImage: placeholder }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  deploymentStrategy: DeploymentStrategy.codeDeploy({
    trafficShifting: TrafficShifting.canary({ percentage: 10, interval: Duration.minutes(5) }),
  }),
  removalPolicy: RemovalPolicy.DESTROY,
});
const canaryPipeline = new BlueGreenPipeline(stack, 'CanaryPipeline', { service: canary, source, imageBuild, removalPolicy: RemovalPolicy.DESTROY });

const integ = integTest(app, 'Seed001', stack);

for (const pipeline of [rollingPipeline, canaryPipeline]) {
  integ.assertions
    .awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName: pipeline.pipeline.pipelineName, maxResults: 1 })
    .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
    .waitForAssertions({ totalTimeout: Duration.minutes(50), interval: Duration.minutes(1) });
}

integ.assertions
  .awsApiCall('CodeDeploy', 'getDeploymentGroup', {
    applicationName: canary.deploymentGroup!.application.applicationName,
    deploymentGroupName: canary.deploymentGroup!.deploymentGroupName,
  })
  .expect(ExpectedResult.objectLike({
    deploymentGroupInfo: Match.objectLike({
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      autoRollbackConfiguration: Match.objectLike({ enabled: true }),
    }),
  }));

for (const service of [rolling, canary]) {
  integ.assertions
    .httpApiCall(service.url!)
    .expect(ExpectedResult.objectLike({ status: 200 }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });
}
