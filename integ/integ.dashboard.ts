import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { LoadBalancerType, MicroService, ServiceDashboard, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * The sample backend (with a DynamoDB table) behind an internal load balancer and the sample
 * frontend behind a public one, on a dashboard whose alarms also roll back their deployments.
 * After deploy, the frontend's page lists the backend's items (through Cloud Map), the alarms
 * exist with their SNS actions, and each service names its alarms as deployment alarms.
 */
const app = new App();
const stack = integStack(app, 'Dashboard');
const infra = disposableInfra(stack);

const table = new dynamodb.TableV2(stack, 'Items', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  removalPolicy: RemovalPolicy.DESTROY,
});
const backend = new MicroService(stack, 'Backend', {
  infra,
  serviceName: 'backend',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'backend')),
  loadBalancerType: LoadBalancerType.INTERNAL,
  desiredCount: 1,
  environment: { TABLE_NAME: table.tableName },
  targetHealthCheck: { path: '/health' },
  removalPolicy: RemovalPolicy.DESTROY,
});
// Exactly what the backend calls (Scan, PutItem): grantReadWriteData would add the stream actions, which never fit a table ARN.
table.grant(backend, 'dynamodb:Scan', 'dynamodb:PutItem');

const frontend = new MicroService(stack, 'Frontend', {
  infra,
  serviceName: 'frontend',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'frontend')),
  loadBalancerType: LoadBalancerType.PUBLIC,
  desiredCount: 1,
  environment: { BACKEND_URL: backend.serviceDiscoveryUrl },
  targetHealthCheck: { path: '/health' },
  removalPolicy: RemovalPolicy.DESTROY,
});
backend.connections.allowDefaultPortFrom(frontend, 'Frontend calls the backend through Cloud Map');

const dashboard = new ServiceDashboard(stack, 'Dashboard', {
  services: [backend, frontend],
  deploymentAlarms: true,
  alarmThresholds: { latencyP99: Duration.millis(500) },
});

const integ = integTest(app, 'Dashboard', stack);

integ.assertions
  .httpApiCall(`${frontend.url}/`)
  .expect(ExpectedResult.objectLike({ status: 200, body: Match.stringLikeRegexp('<h1>Items</h1>') }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

/** The physical name the dashboard gave an alarm (`alarmName` itself is a reference). */
const nameOf = (alarm: cloudwatch.Alarm) => (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName!;
const alarmNames = dashboard.alarms.map(nameOf);
integ.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: alarmNames })
  .expect(ExpectedResult.objectLike({
    MetricAlarms: Match.arrayWith(dashboard.alarms.map(a => Match.objectLike({
      AlarmName: nameOf(a),
      AlarmActions: [dashboard.topic.topicArn],
      OKActions: [dashboard.topic.topicArn],
    }))),
  }));

integ.assertions
  .awsApiCall('ECS', 'describeServices', { cluster: infra.cluster.clusterName, services: [backend.service.serviceArn] })
  .expect(ExpectedResult.objectLike({
    services: [Match.objectLike({
      deploymentConfiguration: Match.objectLike({
        alarms: { enable: true, rollback: true, alarmNames: dashboard.alarmsFor(backend).all.map(nameOf) },
      }),
    })],
  }));
