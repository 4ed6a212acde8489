import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { MicroService, ReleasePipeline, ServiceImage } from '../src';
import { disposableArtifactBucket, disposableInfra, disposableRepository, fixtureAppSource, integStack, integTest } from './support';

/**
 * A ReleasePipeline that builds the sample app once and releases it to a dev and a prod service.
 * Both stages are in the test's account and region: integ-runner deploys one app with one set of
 * credentials, so a second account cannot be part of the deployment, and a ReleasePipeline
 * deploys within its own region.
 *
 * Dev bakes 5 minutes on its rollback alarms and on a gate alarm the test controls (a metric only
 * the test writes); prod bakes 1 minute within an always-open deployment window.
 *
 * After deploy: (1) the pipeline's first execution (started when the pipeline is created)
 * succeeded, so the release passed dev's bake and reached prod; prod's image parameter holds the
 * image by digest, and dev's holds the same digest. (2) A second release is started; while dev
 * bakes, the test writes the gate metric, the gate alarm fires, and the release is stopped at the
 * gate: the execution fails and prod's stage still shows the first execution.
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
const gateSignal = { namespace: 'ReleasePipelineInteg', metricName: 'GateSignal' };
const gate = new cloudwatch.Alarm(stack, 'Gate', {
  alarmDescription: 'Fires when the integ test writes GateSignal: stands for a stage going bad during its bake',
  metric: new cloudwatch.Metric({ ...gateSignal, statistic: 'Maximum', period: Duration.minutes(1) }),
  threshold: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
});
const release = new ReleasePipeline(stack, 'Release', {
  source: fixtureAppSource(stack),
  artifactBucket: disposableArtifactBucket(stack),
  removalPolicy: RemovalPolicy.DESTROY,
  stages: [
    { stageName: 'dev', target: dev, bakeAlarms: [...dev.rollbackAlarms, gate], bakeTime: Duration.minutes(5) },
    { stageName: 'prod', target: prod, bakeTime: Duration.minutes(1), deploymentWindow: { cron: '* * * ? * *' } },
  ],
});
const pipelineName = release.pipeline.pipelineName;

const integ = integTest(app, 'ReleasePipeline', stack);
const a = integ.assertions;

const first = a.awsApiCall('CodePipeline', 'listPipelineExecutions', { pipelineName, maxResults: 1 });
const prodImage = a.awsApiCall('SSM', 'getParameter', { Name: prod.imageParameter!.parameterName });
const second = a.awsApiCall('CodePipeline', 'startPipelineExecution', { name: pipelineName });
const stage = (stageName: string, state: Record<string, unknown>) => ExpectedResult.objectLike({
  stageStates: Match.arrayWith([Match.objectLike({ stageName, ...state })]),
});

first
  .expect(ExpectedResult.objectLike({ pipelineExecutionSummaries: [Match.objectLike({ status: 'Succeeded' })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(60), interval: Duration.minutes(1) })
  .next(prodImage.expect(ExpectedResult.objectLike({
    Parameter: { Value: Match.stringLikeRegexp('\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/.+@sha256:[0-9a-f]{64}$') },
  })))
  .next(a
    .awsApiCall('SSM', 'getParameter', { Name: dev.imageParameter!.parameterName })
    .expect(ExpectedResult.objectLike({ Parameter: { Value: prodImage.getAttString('Parameter.Value') } })))
  .next(second)
  // Dev's bake of the second release has started.
  .next(a
    .awsApiCall('CodePipeline', 'getPipelineState', { name: pipelineName })
    .expect(stage('dev', {
      latestExecution: Match.objectLike({ pipelineExecutionId: second.getAttString('pipelineExecutionId') }),
      onSuccessConditionState: Match.objectLike({ latestExecution: Match.objectLike({ status: 'InProgress' }) }),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(40), interval: Duration.seconds(20) }))
  .next(a.awsApiCall('CloudWatch', 'putMetricData', { Namespace: gateSignal.namespace, MetricData: [{ MetricName: gateSignal.metricName, Value: 1 }] }))
  .next(a
    .awsApiCall('CodePipeline', 'getPipelineExecution', { pipelineName, pipelineExecutionId: second.getAttString('pipelineExecutionId') })
    .expect(ExpectedResult.objectLike({ pipelineExecution: Match.objectLike({ status: 'Failed' }) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) }))
  .next(a
    .awsApiCall('CodePipeline', 'getPipelineState', { name: pipelineName })
    .expect(stage('prod', {
      latestExecution: Match.objectLike({ pipelineExecutionId: first.getAttString('pipelineExecutionSummaries.0.pipelineExecutionId') }),
    })));
