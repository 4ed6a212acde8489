import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { LoadBalancerType, LoadTester, LoadTestTarget, LoadTestTrigger, MicroService, ServiceDashboard, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * The sample backend (in-memory mode) behind an internal load balancer, load-tested through the
 * load balancer and through Cloud Map by a continuous tester and by a scheduled one. After deploy,
 * CloudWatch has the metrics both testers' scripts emitted (extracted from their EMF log lines),
 * and the schedule's rule is enabled.
 */
const app = new App();
const stack = integStack(app, 'LoadTester');
const infra = disposableInfra(stack);
const backend = new MicroService(stack, 'Backend', {
  infra,
  serviceName: 'backend',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'backend')),
  loadBalancerType: LoadBalancerType.INTERNAL,
  desiredCount: 1,
  targetHealthCheck: { path: '/health' },
  removalPolicy: RemovalPolicy.DESTROY,
});

const alb = LoadTestTarget.loadBalancer(backend, { path: '/items' });
const cloudMap = LoadTestTarget.cloudMap(backend, { path: '/items' });
const continuous = new LoadTester(stack, 'Continuous', {
  infra,
  targets: [alb, cloudMap],
  trigger: LoadTestTrigger.continuous({ pauseBetweenRuns: Duration.seconds(30) }),
  requests: 200,
  concurrency: 4,
  timeLimit: Duration.seconds(30),
  loadTesterName: 'integ-continuous',
  removalPolicy: RemovalPolicy.DESTROY,
});
const scheduledTarget = LoadTestTarget.cloudMap(backend, { path: '/health' });
const scheduled = new LoadTester(stack, 'Scheduled', {
  infra,
  targets: [scheduledTarget],
  trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.minutes(5))),
  requests: 100,
  concurrency: 2,
  timeLimit: Duration.seconds(30),
  loadTesterName: 'integ-scheduled',
  removalPolicy: RemovalPolicy.DESTROY,
});
new ServiceDashboard(stack, 'Dashboard', { services: [backend], loadTesters: [continuous, scheduled] });

const integ = integTest(app, 'LoadTester', stack);

/** The metrics of one target appear once CloudWatch Logs has extracted them from the EMF lines. */
function expectMetrics(tester: LoadTester, target: LoadTestTarget): void {
  const metric = tester.metricCompletedRequests(target);
  integ.assertions
    .awsApiCall('CloudWatch', 'listMetrics', {
      Namespace: metric.namespace,
      MetricName: metric.metricName,
      Dimensions: Object.entries(metric.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
    })
    .expect(ExpectedResult.objectLike({ Metrics: Match.arrayWith([Match.objectLike({ MetricName: metric.metricName })]) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.minutes(1) });
}
expectMetrics(continuous, alb);
expectMetrics(continuous, cloudMap);
expectMetrics(scheduled, scheduledTarget);

integ.assertions
  .awsApiCall('EventBridge', 'describeRule', { Name: scheduled.rule!.ruleName })
  .expect(ExpectedResult.objectLike({ State: 'ENABLED', ScheduleExpression: 'rate(5 minutes)' }));
