'use strict';
// Sample worker: takes the backend's "item created" events from an SQS queue (QUEUE_URL) and marks
// each item processed in the DynamoDB table (TABLE_NAME). The queue and the table sit behind two
// small interfaces (receive/delete, markProcessed), so the tests run this same loop against
// in-memory ones; the AWS SDK is loaded only when the real ones are used.
//
// A message is deleted only after it was processed. One that fails stays in the queue, becomes
// visible again after the visibility timeout and, after the queue's maxReceiveCount, moves to the
// dead-letter queue. On SIGTERM (a scale-in or a deployment) the worker stops receiving, finishes
// the messages in hand and exits 0, well within the task's stop timeout.

function log(level, msg, fields = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, service: 'worker', msg, ...fields }));
}

/** What an item event must hold: the item's id. */
function parseEvent(body) {
  const event = JSON.parse(body);
  if (event?.type !== 'ItemCreated' || typeof event.id !== 'string' || event.id.length === 0) {
    throw new Error('not an ItemCreated event with an id');
  }
  return event;
}

async function processMessage(message, store, now = () => new Date()) {
  const event = parseEvent(message.body);
  await store.markProcessed(event.id, now().toISOString());
  return event;
}

/**
 * Receives and processes messages until stop() is called; resolves once the messages in hand are
 * done. `queue.receive(signal)` waits for messages (long polling) and returns [] when aborted.
 */
function startWorker({ queue, store, logger = log }) {
  const abort = new AbortController();
  let processed = 0;
  let failed = 0;
  const done = (async () => {
    while (!abort.signal.aborted) {
      const messages = await queue.receive(abort.signal);
      for (const message of messages) {
        try {
          const event = await processMessage(message, store);
          await queue.delete(message);
          processed++;
          logger('info', 'item processed', { id: event.id });
        } catch (err) {
          failed++;
          logger('error', 'message failed; it becomes visible again, then goes to the dead-letter queue', { messageId: message.id, error: String(err.message ?? err) });
        }
      }
    }
    logger('info', 'stopped', { processed, failed });
    return { processed, failed };
  })();
  return {
    done,
    stop() {
      abort.abort();
      return done;
    },
  };
}

function sqsQueue(queueUrl) {
  const { SQSClient, ReceiveMessageCommand, DeleteMessageCommand } = require('@aws-sdk/client-sqs');
  const client = new SQSClient({});
  return {
    async receive(signal) {
      try {
        const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }), { abortSignal: signal });
        return (out.Messages ?? []).map(m => ({ id: m.MessageId, body: m.Body, receiptHandle: m.ReceiptHandle }));
      } catch (err) {
        if (signal.aborted) {
          return [];
        }
        throw err;
      }
    },
    async delete(message) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
    },
  };
}

function dynamoDbStore(tableName) {
  const { DynamoDBClient, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  return {
    async markProcessed(id, at) {
      await client.send(new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET processedAt = :at',
        // An event for an item that is not there is an error, not a new half-empty item.
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':at': { S: at } },
      }));
    },
  };
}

/** In-memory queue and table, for tests and local runs. */
function memoryQueue(bodies = []) {
  const waiting = bodies.map((body, i) => ({ id: `m${i}`, body }));
  const deleted = [];
  return {
    deleted,
    waiting,
    async receive(signal) {
      if (waiting.length === 0) {
        await new Promise(resolve => {
          const timer = setTimeout(resolve, 10);
          signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
        return [];
      }
      return waiting.splice(0, 10);
    },
    async delete(message) {
      deleted.push(message.id);
    },
  };
}

function memoryStore(ids = []) {
  const items = new Map(ids.map(id => [id, {}]));
  return {
    items,
    async markProcessed(id, at) {
      if (!items.has(id)) {
        throw new Error(`item ${id} does not exist`);
      }
      items.get(id).processedAt = at;
    },
  };
}

function main() {
  const { QUEUE_URL, TABLE_NAME } = process.env;
  if (!QUEUE_URL || !TABLE_NAME) {
    log('error', 'QUEUE_URL and TABLE_NAME must be set: the worker consumes the queue and updates the table');
    process.exit(1);
  }
  const worker = startWorker({ queue: sqsQueue(QUEUE_URL), store: dynamoDbStore(TABLE_NAME) });
  log('info', 'started', { queueUrl: QUEUE_URL });
  process.on('SIGTERM', () => {
    log('info', 'stopping: finishing the messages in hand');
    worker.stop().then(() => process.exit(0));
  });
  worker.done.catch(err => {
    log('error', 'worker failed', { error: String(err) });
    process.exit(1);
  });
}

module.exports = { startWorker, processMessage, parseEvent, memoryQueue, memoryStore };

if (require.main === module) {
  main();
}
