'use strict';
// Sample nightly job: counts the items in the DynamoDB table (TABLE_NAME) and how many of them the
// worker has processed, logs one JSON report line and exits 0; any error exits 1, which the
// ScheduledTask's failure alarm reports. The table sits behind a small interface (scan pages), so
// the tests run the same report over an in-memory one.

function log(level, msg, fields = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, service: 'nightly-report', msg, ...fields }));
}

/** Counts items and processed items over every page of the table. */
async function buildReport(table) {
  let items = 0;
  let processed = 0;
  let startKey;
  do {
    const page = await table.scanPage(startKey);
    for (const item of page.items) {
      items++;
      if (item.processedAt) {
        processed++;
      }
    }
    startKey = page.nextKey;
  } while (startKey);
  return { items, processed, unprocessed: items - processed };
}

function dynamoDbTable(tableName) {
  const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  return {
    async scanPage(startKey) {
      const out = await client.send(new ScanCommand({ TableName: tableName, ProjectionExpression: 'id, processedAt', ExclusiveStartKey: startKey }));
      return { items: (out.Items ?? []).map(i => ({ id: i.id.S, processedAt: i.processedAt?.S })), nextKey: out.LastEvaluatedKey };
    },
  };
}

/** In-memory table in pages of `pageSize`, for tests. */
function memoryTable(items, pageSize = 2) {
  return {
    async scanPage(startKey) {
      const from = startKey ?? 0;
      const next = from + pageSize;
      return { items: items.slice(from, next), nextKey: next < items.length ? next : undefined };
    },
  };
}

async function main() {
  const { TABLE_NAME } = process.env;
  if (!TABLE_NAME) {
    log('error', 'TABLE_NAME must be set: the report counts the items of that table');
    process.exit(1);
  }
  try {
    log('info', 'report', await buildReport(dynamoDbTable(TABLE_NAME)));
  } catch (err) {
    log('error', 'report failed', { error: String(err) });
    process.exit(1);
  }
}

module.exports = { buildReport, memoryTable };

if (require.main === module) {
  main();
}
