import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduledTask, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * The sample nightly report (integ/services/nightly), scheduled every minute for the test. After
 * deploy, EventBridge Scheduler runs it: its report line reaches the task's log group, no run
 * lands in the dead-letter queue, and the failure alarm stays OK.
 */
const app = new App();
const stack = integStack(app, 'ScheduledTask');
const infra = disposableInfra(stack);
const table = new dynamodb.Table(stack, 'Items', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
const task = new ScheduledTask(stack, 'Report', {
  infra,
  taskName: 'report',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'nightly')),
  schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
  maxRunTime: Duration.minutes(1),
  environment: { TABLE_NAME: table.tableName },
  removalPolicy: RemovalPolicy.DESTROY,
});
table.grant(task, 'dynamodb:Scan');

const integ = integTest(app, 'ScheduledTask', stack);

integ.assertions
  .awsApiCall('CloudWatchLogs', 'filterLogEvents', { logGroupName: task.logGroup.logGroupName, filterPattern: '"report"' })
  .expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp('"msg":"report".*"items":0') })]) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) })
  .next(integ.assertions
    .awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: task.deadLetterQueue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })
    .expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0' } })))
  .next(integ.assertions
    .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [(task.failureAlarm.node.defaultChild as { alarmName?: string }).alarmName!] })
    .expect(ExpectedResult.objectLike({ MetricAlarms: [Match.objectLike({ StateValue: Match.stringLikeRegexp('^(OK|INSUFFICIENT_DATA)$') })] })));
