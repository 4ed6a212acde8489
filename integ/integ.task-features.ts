import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { EfsVolume, LoadBalancerType, MicroService, ScheduledTask, ServiceImage, Sidecar } from '../src';
import { disposableArtifactBucket, disposableInfra, integStack, integTest } from './support';

/**
 * What teams put in their task definitions (issue 14), proven after deploy:
 *
 * - EFS: a writer task writes a file through its access point; a reader task, on the same file
 *   system through its own read-only access point, prints it.
 * - FireLens: the reader's output goes through its AWS for Fluent Bit log router to a log group,
 *   where the printed line must arrive, and to an S3 bucket, where an object must appear.
 * - Custom domain: a service on a name in a public hosted zone answers over HTTPS with a certificate
 *   ACM issued by DNS validation.
 * - ECS Exec: the cluster logs sessions with its key; the same service allows execute-command, and
 *   the SSM agent in its task runs (ECS reports the ExecuteCommandAgent RUNNING only once the agent
 *   reached Systems Manager with the task role's grants).
 *
 * The domain needs a public hosted zone the account controls: set INTEG_ZONE_ID and INTEG_ZONE_NAME
 * when deploying (`integ-runner --force` with them in the environment). The snapshot is written with
 * the placeholders below, which synthesize but do not deploy.
 */
const ZONE_ID = process.env.INTEG_ZONE_ID ?? 'Z0123456789ABCDEFGHIJ';
const ZONE_NAME = process.env.INTEG_ZONE_NAME ?? 'integ.example.com';
const PROOF = 'written-through-efs-by-the-writer';
const BUSYBOX = 'public.ecr.aws/docker/library/busybox:stable';
const NEVER = scheduler.ScheduleExpression.cron({ minute: '0', hour: '0', day: '1', month: '1', year: '2099' });

const app = new App();
const stack = integStack(app, 'TaskFeatures');
const infra = disposableInfra(stack, { executeCommand: true });

const shared = EfsVolume.create({ name: 'shared', containerPath: '/shared' });
const writer = new ScheduledTask(stack, 'Writer', {
  infra,
  taskName: 'efs-writer',
  image: ServiceImage.fromRegistry(BUSYBOX),
  schedule: NEVER,
  enabled: false,
  volumes: [shared],
  removalPolicy: RemovalPolicy.DESTROY,
});

const routed = new logs.LogGroup(stack, 'RoutedLogs', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY });
const archive: s3.IBucket = disposableArtifactBucket(stack);
const reader = new ScheduledTask(stack, 'Reader', {
  infra,
  taskName: 'efs-reader',
  image: ServiceImage.fromRegistry(BUSYBOX),
  schedule: NEVER,
  enabled: false,
  volumes: [EfsVolume.fromFileSystem(shared.fileSystem, { name: 'shared', containerPath: '/shared', readOnly: true })],
  sidecars: [Sidecar.fireLens({ logGroup: routed, s3: { bucket: archive, keyPrefix: 'routed/' } })],
  cpu: 512,
  memoryLimitMiB: 1024,
  removalPolicy: RemovalPolicy.DESTROY,
});

const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE_ID, zoneName: ZONE_NAME });
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4'),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  domainName: `web.${ZONE_NAME}`,
  hostedZone: zone,
  targetHealthCheck: { path: '/' },
  enableExecuteCommand: true,
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = integTest(app, 'TaskFeatures', stack);

/** Runs the task once with `command`, as EventBridge Scheduler would, and waits until it stopped with exit code 0. */
function runOnce(test: IntegTest, task: ScheduledTask, command: string): IApiCall {
  const subnets = infra.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
  const run = test.assertions.awsApiCall('ECS', 'runTask', {
    cluster: infra.cluster.clusterName,
    taskDefinition: task.taskDefinition.taskDefinitionArn,
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: task.connections.securityGroups.map(g => g.securityGroupId), assignPublicIp: 'DISABLED' } },
    overrides: { containerOverrides: [{ name: task.container.containerName, command: ['sh', '-c', command] }] },
  }, ['tasks.0.taskArn']);
  run.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: [task.taskDefinition.taskRole.roleArn, task.taskDefinition.obtainExecutionRole().roleArn],
  });
  const stopped = test.assertions.awsApiCall('ECS', 'describeTasks', { cluster: infra.cluster.clusterName, tasks: [run.getAttString('tasks.0.taskArn')] })
    .expect(ExpectedResult.objectLike({
      tasks: [Match.objectLike({
        lastStatus: 'STOPPED',
        containers: Match.arrayWith([Match.objectLike({ name: task.container.containerName, exitCode: 0 })]),
      })],
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });
  return run.next(stopped);
}

const listRouted = integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: archive.bucketName, Prefix: 'routed/' });
// integ-tests-alpha grants the API's name, s3:ListObjectsV2, which IAM does not know; listing a
// bucket is s3:ListBucket ("Actions, resources, and condition keys for Amazon S3").
listRouted.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [archive.bucketArn] });

runOnce(integ, writer, `echo ${PROOF} > /shared/proof.txt`)
  .next(runOnce(integ, reader, 'cat /shared/proof.txt'))
  .next(integ.assertions
    .awsApiCall('CloudWatchLogs', 'filterLogEvents', { logGroupName: routed.logGroupName, filterPattern: `"${PROOF}"` })
    .expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp(PROOF) })]) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) }))
  // Fluent Bit uploads every minute and on shutdown.
  .next(listRouted
    .expect(ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('^routed/efs-reader-firelens-') })]) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(30) }));

integ.assertions
  .httpApiCall(`${web.url}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

const webTasks = integ.assertions.awsApiCall('ECS', 'listTasks', { cluster: infra.cluster.clusterName, serviceName: web.service.serviceName }, ['taskArns.0']);
webTasks.next(integ.assertions
  .awsApiCall('ECS', 'describeTasks', { cluster: infra.cluster.clusterName, tasks: [webTasks.getAttString('taskArns.0')] })
  .expect(ExpectedResult.objectLike({
    tasks: [Match.objectLike({
      enableExecuteCommand: true,
      containers: Match.arrayWith([Match.objectLike({
        name: web.container.containerName,
        managedAgents: Match.arrayWith([Match.objectLike({ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' })]),
      })]),
    })],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) }));

// The call's provider and its waiter's provider carry that statement; cfn-lint rightly flags it there.
for (const provider of ['SingletonFunction1488541a7b23466481b69b4408076b81', 'SingletonFunction76b3e830a873425f8453eddd85c86925']) {
  (Stack.of(listRouted).node.findChild(provider).node.findChild('Role') as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3037'] } });
}
