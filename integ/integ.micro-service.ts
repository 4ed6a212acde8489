import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BaseInfra, LoadBalancerType, MicroService, ServiceImage } from '../src';

/**
 * A public service on fresh base infrastructure. After deploy, the load balancer's URL answers
 * 200 and ECS reports the desired number of running tasks.
 */
const app = new App();
const env = { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
const stack = new Stack(app, 'MicroServiceInteg', { env });
const infra = new BaseInfra(stack, 'Infra', { natGateways: 1, removalPolicy: RemovalPolicy.DESTROY });
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 2,
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'MicroServiceTest', {
  testCases: [stack],
  diffAssets: false,
  // Same environment as the test stack, so assertions may reference its resources.
  assertionStack: new Stack(app, 'MicroServiceAssertions', { env }),
  // The access-log bucket and repository are destroyed with the test; nothing is left behind.
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

integ.assertions
  .httpApiCall(web.url!)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

integ.assertions
  .awsApiCall('ECS', 'describeServices', { cluster: infra.cluster.clusterName, services: [web.service.serviceArn] })
  .expect(ExpectedResult.objectLike({ services: [{ runningCount: 2, desiredCount: 2, status: 'ACTIVE' }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
