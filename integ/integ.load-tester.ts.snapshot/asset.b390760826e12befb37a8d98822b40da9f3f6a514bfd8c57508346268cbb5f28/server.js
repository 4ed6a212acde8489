'use strict';
// Sample backend: a JSON API over "items", stored in a DynamoDB table (TABLE_NAME) or, when
// TABLE_NAME is unset, in memory for local runs. Every new item is announced as an "ItemCreated"
// event on an SNS topic (ITEMS_TOPIC_ARN), which the sample worker consumes; without the topic the
// event is only logged. Built on Node.js built-ins; the AWS SDK is loaded only in the AWS modes,
// so the local mode runs without node_modules.
//
//   GET  /health   200, or 500 while FAIL_HEALTH=true (to exercise deployment rollbacks)
//   GET  /version  the commit the image was built from (build arg COMMIT_HASH)
//   GET  /items    the newest items (at most 100)
//   POST /items    {"name": "..."} -> 201 with the stored item
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '0.0.0.0';
const COMMIT = process.env.COMMIT_HASH || 'unknown';
const FAIL_HEALTH = process.env.FAIL_HEALTH === 'true';
const TABLE_NAME = process.env.TABLE_NAME;
const ITEMS_TOPIC_ARN = process.env.ITEMS_TOPIC_ARN;
const MAX_BODY_BYTES = 16 * 1024;
const MAX_NAME_LENGTH = 200;
const MAX_ITEMS_LISTED = 100;
// The in-memory store is for local runs; a cap keeps a long load test from exhausting memory.
const MAX_ITEMS_IN_MEMORY = 1000;

function log(level, msg, fields = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, service: 'backend', msg, ...fields }));
}

function newestFirst(items) {
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, MAX_ITEMS_LISTED);
}

function memoryStore() {
  const items = [];
  return {
    mode: 'memory',
    async list() {
      return newestFirst([...items]);
    },
    async put(item) {
      items.push(item);
      if (items.length > MAX_ITEMS_IN_MEMORY) {
        items.shift();
      }
    },
  };
}

function dynamoDbStore(tableName) {
  const { DynamoDBClient, PutItemCommand, ScanCommand } = require('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  return {
    mode: 'dynamodb',
    async list() {
      // A sample-sized table: one page of a scan is enough to show the newest items.
      const out = await client.send(new ScanCommand({ TableName: tableName, Limit: 1000 }));
      return newestFirst((out.Items ?? []).map(i => ({ id: i.id.S, name: i.name.S, createdAt: i.createdAt.S })));
    },
    async put(item) {
      await client.send(new PutItemCommand({
        TableName: tableName,
        Item: { id: { S: item.id }, name: { S: item.name }, createdAt: { S: item.createdAt } },
        ConditionExpression: 'attribute_not_exists(id)',
      }));
    },
  };
}

/** Where "item created" events go: the SNS topic, or only the log in local mode. */
function snsEvents(topicArn) {
  const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
  const client = new SNSClient({});
  return {
    mode: 'sns',
    async publish(event) {
      await client.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
    },
  };
}

function logEvents() {
  return {
    mode: 'log',
    async publish(event) {
      log('info', 'event (not published: ITEMS_TOPIC_ARN is not set)', { event });
    },
  };
}

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', chunk => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop collecting but drain the rest, so the 413 answer still reaches the client.
        req.removeAllListeners('data');
        req.resume();
        reject(Object.assign(new Error(`body larger than ${MAX_BODY_BYTES} bytes`), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function createItem(store, events, req, res) {
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return send(res, err.status ?? 400, { error: err.status ? err.message : 'the body must be JSON, for example {"name": "apple"}' });
  }
  const name = typeof body?.name === 'string' ? body.name.trim() : '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    return send(res, 400, { error: `name must be a string of 1 to ${MAX_NAME_LENGTH} characters` });
  }
  const item = { id: randomUUID(), name, createdAt: new Date().toISOString() };
  await store.put(item);
  log('info', 'item created', { id: item.id });
  // The item is stored either way; a lost event leaves it unprocessed, which the nightly report counts.
  try {
    await events.publish({ type: 'ItemCreated', ...item });
  } catch (err) {
    log('error', 'item event not published', { id: item.id, error: String(err) });
  }
  return send(res, 201, item);
}

function handler(store, events) {
  return async (req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    try {
      if (path === '/health' && req.method === 'GET') {
        return FAIL_HEALTH ? send(res, 500, { status: 'failing', reason: 'FAIL_HEALTH=true' }) : send(res, 200, { status: 'ok' });
      }
      if (path === '/version' && req.method === 'GET') {
        return send(res, 200, { service: 'backend', commit: COMMIT });
      }
      if (path === '/' && req.method === 'GET') {
        return send(res, 200, { service: 'backend', endpoints: ['/health', '/version', '/items'] });
      }
      if (path === '/items' && req.method === 'GET') {
        return send(res, 200, { items: await store.list() });
      }
      if (path === '/items' && req.method === 'POST') {
        return await createItem(store, events, req, res);
      }
      if (['/', '/health', '/version', '/items'].includes(path)) {
        return send(res, 405, { error: `${req.method} is not allowed on ${path}` });
      }
      return send(res, 404, { error: `no route for ${path}` });
    } catch (err) {
      log('error', 'request failed', { path, error: String(err) });
      return send(res, 500, { error: 'internal error' });
    }
  };
}

function main() {
  let store;
  if (TABLE_NAME) {
    store = dynamoDbStore(TABLE_NAME);
  } else {
    store = memoryStore();
    log('warn', 'TABLE_NAME is not set: items are kept in memory and lost on restart (local mode)');
  }
  const events = ITEMS_TOPIC_ARN ? snsEvents(ITEMS_TOPIC_ARN) : logEvents();
  const server = http.createServer(handler(store, events));
  server.listen(PORT, HOST, () => {
    log('info', 'listening', { host: HOST, port: server.address().port, store: store.mode, events: events.mode, commit: COMMIT, failHealth: FAIL_HEALTH });
  });
  // ECS stops a task with SIGTERM: finish in-flight requests, then exit.
  process.on('SIGTERM', () => {
    log('info', 'stopping');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}

main();
