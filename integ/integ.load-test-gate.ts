import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DeploymentStrategy, LoadBalancerType, LoadTestGate, MicroService, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * Gate 1, deployed: an ECS-native blue/green service whose deployments wait for a load test on the
 * test listener (LoadTestGate, POST_TEST_TRAFFIC_SHIFT).
 *
 * - A release that holds up: a new deployment of the same revision passes the gate and completes.
 * - A release that does not: a revision of the family whose page is gone (nginx answers 403 on `/`)
 *   while its health-check page still answers, so only the gate can stop it. The deployment is
 *   rolled back, the service stays on its first revision, and the gate's log says which threshold
 *   the run crossed.
 */
const NGINX = 'public.ecr.aws/nginx/nginx:1.27-alpine';
const app = new App();
const stack = integStack(app, 'LoadTestGate');
const infra = disposableInfra(stack);
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromRegistry(NGINX),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.INTERNAL,
  // nginx's error page: it answers 200 whatever happens to the index, so health never decides.
  targetHealthCheck: { path: '/50x.html' },
  deploymentStrategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(1) }),
  removalPolicy: RemovalPolicy.DESTROY,
});
const gate = new LoadTestGate(stack, 'Gate', {
  service: web,
  path: '/',
  requests: 500,
  concurrency: 5,
  timeLimit: Duration.seconds(30),
  maxErrorRatePercent: 1,
  removalPolicy: RemovalPolicy.DESTROY,
});

// The failing release: the same family, container, roles and logs, with the index page removed.
const broken = new ecs.FargateTaskDefinition(stack, 'BrokenRevision', {
  family: web.taskDefinition.family,
  cpu: 256,
  memoryLimitMiB: 512,
  executionRole: web.taskDefinition.obtainExecutionRole(),
  taskRole: web.taskDefinition.taskRole,
});
broken.addContainer('App', {
  containerName: web.container.containerName,
  image: ecs.ContainerImage.fromRegistry(NGINX),
  command: ['sh', '-c', 'rm /usr/share/nginx/html/index.html && exec nginx -g "daemon off;"'],
  portMappings: [{ name: 'http', containerPort: 80, appProtocol: ecs.AppProtocol.http }],
  logging: ecs.LogDrivers.awsLogs({ logGroup: web.logGroup, streamPrefix: 'broken' }),
});

const integ = integTest(app, 'LoadTestGate', stack);
const cluster = infra.cluster.clusterName;
const service = web.service.serviceArn;

/** Waits until the service's newest deployment has `status`. */
const newestDeployment = (status: string) => integ.assertions
  .awsApiCall('ECS', 'listServiceDeployments', { cluster, service, maxResults: 1 })
  .expect(ExpectedResult.objectLike({ serviceDeployments: [Match.objectLike({ status })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });

integ.assertions
  .awsApiCall('ECS', 'updateService', { cluster, service, forceNewDeployment: true })
  .next(newestDeployment('SUCCESSFUL'))
  .next(integ.assertions.awsApiCall('ECS', 'updateService', { cluster, service, taskDefinition: broken.taskDefinitionArn }))
  .next(newestDeployment('ROLLBACK_SUCCESSFUL'))
  .next(integ.assertions
    .awsApiCall('ECS', 'describeServices', { cluster, services: [service] })
    .expect(ExpectedResult.objectLike({ services: [Match.objectLike({ taskDefinition: web.taskDefinition.taskDefinitionArn })] })))
  .next(integ.assertions
    .awsApiCall('CloudWatchLogs', 'filterLogEvents', { logGroupName: gate.logGroup.logGroupName, filterPattern: '"threshold crossed"' })
    .expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp('error rate') })]) })));
