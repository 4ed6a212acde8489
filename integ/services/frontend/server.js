'use strict';
// Sample frontend: an HTML page listing the backend's items, fetched through the backend's
// Cloud Map name (BACKEND_URL, for example http://backend.svc.internal:8080), with a form that
// adds one. Node.js built-ins only.
//
//   GET  /         the page
//   POST /items    form field "name": creates the item in the backend, then back to the page
//   GET  /health   200 whenever the frontend runs (a backend outage must not take it out too)
//   GET  /version  the commit the image was built from (build arg COMMIT_HASH)
const http = require('node:http');

const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '0.0.0.0';
const COMMIT = process.env.COMMIT_HASH || 'unknown';
const BACKEND_URL = (process.env.BACKEND_URL ?? '').replace(/\/+$/, '');
const BACKEND_TIMEOUT_MS = Number(process.env.BACKEND_TIMEOUT_MS ?? 3000);
const MAX_FORM_BYTES = 4 * 1024;

function log(level, msg, fields = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, service: 'frontend', msg, ...fields }));
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function sendHtml(res, status, body) {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Items</title></head>
<body>
<h1>Items</h1>
${body}
<p><small>frontend ${escapeHtml(COMMIT)}</small></p>
</body>
</html>
`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

function sendJson(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function backend(path, init = {}) {
  const response = await fetch(`${BACKEND_URL}${path}`, { ...init, signal: AbortSignal.timeout(BACKEND_TIMEOUT_MS) });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(`backend answered ${response.status}: ${body.error ?? JSON.stringify(body)}`);
  }
  return body;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', chunk => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        // Stop collecting but drain the rest, so the answer still reaches the client.
        req.removeAllListeners('data');
        req.resume();
        reject(new Error(`form larger than ${MAX_FORM_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

const FORM = `<form method="post" action="/items">
<label>New item <input name="name" maxlength="200" required></label>
<button type="submit">Add</button>
</form>`;

async function page(res) {
  try {
    const { items } = await backend('/items');
    const list = items.length === 0
      ? '<p>No items yet.</p>'
      : `<ul>\n${items.map(i => `<li>${escapeHtml(i.name)}</li>`).join('\n')}\n</ul>`;
    return sendHtml(res, 200, `${list}\n${FORM}`);
  } catch (err) {
    log('error', 'backend unavailable', { error: String(err) });
    return sendHtml(res, 502, `<p>The backend is unavailable: ${escapeHtml(err.message)}</p>`);
  }
}

async function addItem(req, res) {
  try {
    const form = await readForm(req);
    await backend('/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: form.get('name') ?? '' }),
    });
    res.writeHead(303, { location: '/' });
    return res.end();
  } catch (err) {
    log('error', 'could not add the item', { error: String(err) });
    return sendHtml(res, 502, `<p>Could not add the item: ${escapeHtml(err.message)}</p>`);
  }
}

async function handle(req, res) {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (path === '/health' && req.method === 'GET') {
    return sendJson(res, 200, { status: 'ok' });
  }
  if (path === '/version' && req.method === 'GET') {
    return sendJson(res, 200, { service: 'frontend', commit: COMMIT });
  }
  if (path === '/' && req.method === 'GET') {
    return page(res);
  }
  if (path === '/items' && req.method === 'POST') {
    return addItem(req, res);
  }
  return sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
}

function main() {
  if (!BACKEND_URL) {
    log('error', 'BACKEND_URL is not set: set it to the backend\'s URL, for example http://backend.svc.internal:8080');
    process.exitCode = 1;
    return;
  }
  const server = http.createServer((req, res) => {
    handle(req, res).catch(err => {
      log('error', 'request failed', { error: String(err) });
      if (!res.headersSent) {
        sendJson(res, 500, { error: 'internal error' });
      }
    });
  });
  server.listen(PORT, HOST, () => {
    log('info', 'listening', { host: HOST, port: server.address().port, backend: BACKEND_URL, commit: COMMIT });
  });
  // ECS stops a task with SIGTERM: finish in-flight requests, then exit.
  process.on('SIGTERM', () => {
    log('info', 'stopping');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}

main();
