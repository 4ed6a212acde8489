import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { LoadBalancerType, MicroService, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * A public service on fresh base infrastructure. After deploy, the load balancer's URL answers
 * 200 and ECS reports the desired number of running tasks.
 */
const app = new App();
const stack = integStack(app, 'MicroService');
const infra = disposableInfra(stack);
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 2,
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = integTest(app, 'MicroService', stack);

integ.assertions
  .httpApiCall(web.url!)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

integ.assertions
  .awsApiCall('ECS', 'describeServices', { cluster: infra.cluster.clusterName, services: [web.service.serviceArn] })
  .expect(ExpectedResult.objectLike({ services: [{ runningCount: 2, desiredCount: 2, status: 'ACTIVE' }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
