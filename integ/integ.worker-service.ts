import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ServiceImage, WorkerService } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * The sample worker (integ/services/worker) on a queue it owns, scaled to zero. After deploy, an
 * item is put in the table and its ItemCreated event sent to the queue: the wake-up policy starts
 * a task, which marks the item processed and deletes the message; the queue and the dead-letter
 * queue are empty afterwards.
 */
const app = new App();
const stack = integStack(app, 'WorkerService');
const infra = disposableInfra(stack);
const table = new dynamodb.Table(stack, 'Items', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
const worker = new WorkerService(stack, 'Worker', {
  infra,
  serviceName: 'item-processor',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'worker')),
  processingTime: Duration.seconds(1),
  acceptableLatency: Duration.minutes(2),
  minCapacity: 0,
  maxCapacity: 2,
  environment: { TABLE_NAME: table.tableName },
  removalPolicy: RemovalPolicy.DESTROY,
});
table.grant(worker, 'dynamodb:UpdateItem');

const integ = integTest(app, 'WorkerService', stack);
const id = 'integ-item-1';

integ.assertions
  .awsApiCall('DynamoDB', 'putItem', { TableName: table.tableName, Item: { id: { S: id }, name: { S: 'apple' }, createdAt: { S: '2026-11-30T10:00:00.000Z' } } })
  .next(integ.assertions.awsApiCall('SQS', 'sendMessage', {
    QueueUrl: worker.queue.queueUrl,
    MessageBody: JSON.stringify({ type: 'ItemCreated', id, name: 'apple', createdAt: '2026-11-30T10:00:00.000Z' }),
  }))
  .next(integ.assertions
    .awsApiCall('DynamoDB', 'getItem', { TableName: table.tableName, Key: { id: { S: id } } })
    .expect(ExpectedResult.objectLike({ Item: { processedAt: { S: Match.stringLikeRegexp('^\\d{4}-\\d\\d-\\d\\dT') } } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }))
  .next(integ.assertions
    .awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: worker.queue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })
    .expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(30) }))
  .next(integ.assertions
    .awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: worker.deadLetterQueue!.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })
    .expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0' } })));
