import * as fs from 'fs';
import * as path from 'path';
import { RunningService, SERVICES_DIR, startService } from './sample-services.helpers';

/**
 * The sample services the sample app deploys, run here with node on 127.0.0.1 exactly as their
 * containers run them (`node server.js`), with the backend in its in-memory mode.
 */

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

function post(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  return json(url, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('sample backend', () => {
  let backend: RunningService;
  beforeAll(async () => {
    backend = await startService('backend', { COMMIT_HASH: 'abc1234' });
  });
  afterAll(() => backend.stop());

  test('says clearly that it keeps items in memory when TABLE_NAME is unset', () => {
    const entries = backend.logs.map(l => JSON.parse(l));
    expect(entries[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/TABLE_NAME is not set: items are kept in memory/) });
    expect(entries.find(e => e.msg === 'listening')).toMatchObject({ store: 'memory', commit: 'abc1234', failHealth: false });
  });

  test('GET /health answers 200', async () => {
    expect(await json(`${backend.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test('GET /version reports the commit the image was built from', async () => {
    expect(await json(`${backend.url}/version`)).toEqual({ status: 200, body: { service: 'backend', commit: 'abc1234' } });
  });

  test('POST /items stores an item, GET /items lists the newest first', async () => {
    const first = await post(`${backend.url}/items`, JSON.stringify({ name: ' apple ' }));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'apple', createdAt: expect.any(String) });
    await new Promise(r => setTimeout(r, 5));
    const second = await post(`${backend.url}/items`, JSON.stringify({ name: 'pear' }));
    const list = await json(`${backend.url}/items`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.id).slice(0, 2)).toEqual([second.body.id, first.body.id]);
  });

  test('rejects bodies that are not JSON, names that are empty or too long, and bodies over 16 KiB', async () => {
    expect(await post(`${backend.url}/items`, 'name=apple', 'application/x-www-form-urlencoded')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/must be JSON/) } });
    expect(await post(`${backend.url}/items`, JSON.stringify({ name: '  ' }))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/name must be a string of 1 to 200 characters/) } });
    expect(await post(`${backend.url}/items`, JSON.stringify({ name: 'x'.repeat(201) }))).toMatchObject({ status: 400 });
    expect(await post(`${backend.url}/items`, JSON.stringify({ name: 'x'.repeat(20_000) }))).toMatchObject({ status: 413, body: { error: 'body larger than 16384 bytes' } });
  });

  test('answers 404 for unknown paths and 405 for wrong methods', async () => {
    expect(await json(`${backend.url}/nope`)).toMatchObject({ status: 404 });
    expect(await json(`${backend.url}/items`, { method: 'DELETE' })).toMatchObject({ status: 405, body: { error: 'DELETE is not allowed on /items' } });
  });
});

describe('sample backend with FAIL_HEALTH=true', () => {
  let backend: RunningService;
  beforeAll(async () => {
    backend = await startService('backend', { FAIL_HEALTH: 'true' });
  });
  afterAll(() => backend.stop());

  test('fails its health check, so a deployment of it rolls back, while still serving items', async () => {
    expect(await json(`${backend.url}/health`)).toEqual({ status: 500, body: { status: 'failing', reason: 'FAIL_HEALTH=true' } });
    expect(await json(`${backend.url}/items`)).toEqual({ status: 200, body: { items: [] } });
    expect(await json(`${backend.url}/version`)).toEqual({ status: 200, body: { service: 'backend', commit: 'unknown' } });
  });
});

describe('sample frontend in front of the backend', () => {
  let backend: RunningService;
  let frontend: RunningService;
  beforeAll(async () => {
    backend = await startService('backend');
    frontend = await startService('frontend', { BACKEND_URL: `${backend.url}/`, COMMIT_HASH: 'def5678' });
  });
  afterAll(async () => {
    await frontend.stop();
    await backend.stop();
  });

  test('lists the items created through the backend\'s POST, HTML-escaped', async () => {
    expect(await post(`${backend.url}/items`, JSON.stringify({ name: 'Cheese <b>& crackers</b>' }))).toMatchObject({ status: 201 });
    const response = await fetch(`${frontend.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<li>Cheese &lt;b&gt;&amp; crackers&lt;/b&gt;</li>');
    expect(html).toContain('frontend def5678');
  });

  test('its form creates an item in the backend and sends the browser back to the list', async () => {
    const response = await fetch(`${frontend.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Tea+%26+biscuits',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const items = (await json(`${backend.url}/items`)).body.items.map((i: any) => i.name);
    expect(items).toContain('Tea & biscuits');
    expect(await (await fetch(`${frontend.url}/`)).text()).toContain('<li>Tea &amp; biscuits</li>');
  });

  test('GET /health and /version answer on their own', async () => {
    expect(await json(`${frontend.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await json(`${frontend.url}/version`)).toEqual({ status: 200, body: { service: 'frontend', commit: 'def5678' } });
  });

  test('shows a 502 page when the backend is down, and stays healthy itself', async () => {
    await backend.stop();
    const response = await fetch(`${frontend.url}/`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('The backend is unavailable');
    expect(await json(`${frontend.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(frontend.logs.some(l => JSON.parse(l).msg === 'backend unavailable')).toBe(true);
  });
});

describe('sample frontend without BACKEND_URL', () => {
  test('refuses to start and says what to set', async () => {
    await expect(startService('frontend')).rejects.toThrow(/exited with 1 before listening.*BACKEND_URL is not set/s);
  });
});

describe('sample service images', () => {
  for (const name of ['backend', 'frontend']) {
    const dir = path.join(SERVICES_DIR, name);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

    test(`${name}: a slim Node.js 22 base from ECR Public, pinned dependencies installed with npm ci, run as a non-root user`, () => {
      const dockerfile = read('Dockerfile');
      expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/docker\/library\/node:22-slim$/m);
      expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
      expect(dockerfile).toMatch(/^RUN npm ci --omit=dev /m);
      expect(dockerfile).toMatch(/^ARG COMMIT_HASH=unknown$/m);
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toMatch(/^CMD \["node", "server\.js"\]$/m);
    });

    test(`${name}: every dependency has an exact version that the lock file resolves`, () => {
      const pkg = JSON.parse(read('package.json'));
      const lock = JSON.parse(read('package-lock.json'));
      expect(lock.lockfileVersion).toBe(3);
      expect(lock.packages[''].dependencies ?? {}).toEqual(pkg.dependencies ?? {});
      for (const [dep, version] of Object.entries<string>(pkg.dependencies ?? {})) {
        expect(version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(lock.packages[`node_modules/${dep}`].version).toBe(version);
      }
    });

    test(`${name}: keeps node_modules out of the build context`, () => {
      expect(read('.dockerignore').split('\n')).toContain('node_modules');
    });
  }
});
