import { spawnSync } from 'child_process';
import * as path from 'path';
import { RunningService, SERVICES_DIR, startService } from './sample-services.helpers';

/**
 * The sample worker and nightly job, run here as their containers run them, with the queue and the
 * table behind their small in-memory interfaces (no SQS or DynamoDB on this machine).
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const worker = require(path.join(SERVICES_DIR, 'worker', 'worker.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const report = require(path.join(SERVICES_DIR, 'nightly', 'report.js'));

const quiet = () => undefined;
const event = (id: string) => JSON.stringify({ type: 'ItemCreated', id, name: 'apple', createdAt: '2026-11-30T10:00:00.000Z' });

describe('sample worker', () => {
  test('marks each item of an ItemCreated event processed, then deletes the message', async () => {
    const queue = worker.memoryQueue([event('a'), event('b')]);
    const store = worker.memoryStore(['a', 'b']);
    const running = worker.startWorker({ queue, store, logger: quiet });
    await new Promise(r => setTimeout(r, 50));
    expect(await running.stop()).toEqual({ processed: 2, failed: 0 });
    expect(queue.deleted).toEqual(['m0', 'm1']);
    expect(store.items.get('a').processedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test('leaves a message it cannot process in the queue, for the dead-letter queue after maxReceiveCount', async () => {
    const queue = worker.memoryQueue(['not json', JSON.stringify({ type: 'Other', id: 'a' }), event('missing'), event('a')]);
    const store = worker.memoryStore(['a']);
    const logs: any[] = [];
    const running = worker.startWorker({ queue, store, logger: (level: string, msg: string, fields: any) => logs.push({ level, msg, ...fields }) });
    await new Promise(r => setTimeout(r, 50));
    expect(await running.stop()).toEqual({ processed: 1, failed: 3 });
    expect(queue.deleted).toEqual(['m3']);
    expect(logs.filter(l => l.level === 'error').map(l => l.error)).toEqual([
      expect.stringMatching(/JSON/),
      'not an ItemCreated event with an id',
      'item missing does not exist',
    ]);
  });

  test('on stop, finishes the message in hand before it resolves', async () => {
    const queue = worker.memoryQueue([event('slow')]);
    let finish!: () => void;
    const store = { markProcessed: () => new Promise<void>(resolve => { finish = resolve; }) };
    const running = worker.startWorker({ queue, store, logger: quiet });
    await new Promise(r => setTimeout(r, 20));
    let stopped = false;
    const stopping = running.stop().then((r: unknown) => { stopped = true; return r; });
    await new Promise(r => setTimeout(r, 20));
    expect(stopped).toBe(false);
    finish();
    expect(await stopping).toEqual({ processed: 1, failed: 0 });
    expect(queue.deleted).toEqual(['m0']);
  });

  test('exits 1 and says why without QUEUE_URL and TABLE_NAME', () => {
    const run = spawnSync(process.execPath, [path.join(SERVICES_DIR, 'worker', 'worker.js')], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/QUEUE_URL and TABLE_NAME must be set/);
  });
});

describe('the backend\'s event for a new item is what the worker processes', () => {
  let backend: RunningService;
  beforeAll(async () => {
    backend = await startService('backend');
  });
  afterAll(() => backend.stop());

  test('POST /items logs an ItemCreated event (no topic locally) that the worker marks processed', async () => {
    const created: any = await (await fetch(`${backend.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pear' }) })).json();
    await new Promise(r => setTimeout(r, 20));
    const logged = backend.logs.map(l => JSON.parse(l)).find(e => e.event?.id === created.id);
    expect(logged).toMatchObject({ msg: expect.stringMatching(/ITEMS_TOPIC_ARN is not set/), event: { type: 'ItemCreated', id: created.id, name: 'pear' } });
    expect(backend.logs.map(l => JSON.parse(l)).find(e => e.msg === 'listening')).toMatchObject({ events: 'log' });

    const queue = worker.memoryQueue([JSON.stringify(logged.event)]);
    const store = worker.memoryStore([created.id]);
    const running = worker.startWorker({ queue, store, logger: quiet });
    await new Promise(r => setTimeout(r, 50));
    expect(await running.stop()).toEqual({ processed: 1, failed: 0 });
    expect(store.items.get(created.id).processedAt).toBeDefined();
  });
});

describe('sample nightly report', () => {
  test('counts items and processed items over every page', async () => {
    const table = report.memoryTable([{ id: 'a', processedAt: 'x' }, { id: 'b' }, { id: 'c', processedAt: 'y' }, { id: 'd' }, { id: 'e' }], 2);
    expect(await report.buildReport(table)).toEqual({ items: 5, processed: 2, unprocessed: 3 });
  });

  test('an empty table reports zeros', async () => {
    expect(await report.buildReport(report.memoryTable([]))).toEqual({ items: 0, processed: 0, unprocessed: 0 });
  });

  test('exits 1 (a failed run for the alarm) and says why without TABLE_NAME', () => {
    const run = spawnSync(process.execPath, [path.join(SERVICES_DIR, 'nightly', 'report.js')], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/TABLE_NAME must be set/);
  });
});
