import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import { Template } from 'aws-cdk-lib/assertions';
import { lines, requireAb, RunningService, startService } from './sample-services.helpers';
import { importedInfra, newStack } from './util';
import { LoadTester, LoadTestTarget, MicroService, ServiceImage } from '../src';
import {
  LOAD_TEST_METRICS, LOAD_TEST_NAMESPACE, SCRIPT_VARIABLE, ScriptSettings, TARGET_DIMENSION, TESTER_DIMENSION, scriptEnvironment,
} from '../src/private/load-test-metrics';

/**
 * The LoadTester's script, run exactly the way its container runs it: the entry point and command
 * of a synthesized task definition, with the script the template carries (base64 in LT_SCRIPT) and
 * the settings environment the construct builds, with a real `ab` against the sample services on
 * 127.0.0.1. Every run is bounded: at most REQUESTS requests and TIME_LIMIT seconds per target.
 */

const REQUESTS = 500;
const CONCURRENCY = 4;
const TIME_LIMIT = 15;

interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string[];
  readonly stderr: string[];
}

function settings(targets: ScriptSettings['targets'], overrides: Partial<ScriptSettings> = {}): ScriptSettings {
  return {
    testerName: 'e2e',
    targets,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    timeLimitSeconds: TIME_LIMIT,
    requestTimeoutSeconds: 5,
    mode: 'once',
    pauseSeconds: 1,
    ...overrides,
  };
}

/** The load tester's container as the template describes it: what it runs, and the encoded script. */
const container = (() => {
  const stack = newStack();
  const infra = importedInfra(stack);
  const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine') });
  new LoadTester(stack, 'Tester', { infra, targets: [LoadTestTarget.cloudMap(backend)] });
  const definition = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))
    .map((t: any) => t.Properties.ContainerDefinitions[0])
    .find((c: any) => c.Name === 'load-tester');
  return {
    argv: [...definition.EntryPoint, ...definition.Command] as string[],
    script: definition.Environment.find((e: any) => e.Name === SCRIPT_VARIABLE).Value as string,
  };
})();

/**
 * Scripts still running when a test ends. One that failed or timed out must not leave its script
 * behind (loop mode never ends by itself): its `ab` and `sleep` would hold the output pipes open and
 * keep the jest worker from exiting.
 */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) {
    // The script runs in a process group of its own; this ends it with its `ab` and `sleep`.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch (e) {
      // ESRCH: the group ended between the script's exit and its 'close' event; nothing is left to stop.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw e;
      }
    }
  }
  running.clear();
});

/**
 * Runs the container's command with the template's script; `until` may stop it early (SIGTERM, as
 * ECS stops a task) once it has seen enough output.
 */
function runScript(s: ScriptSettings, until?: (stdout: string[]) => boolean, path = process.env.PATH ?? ''): Promise<ScriptRun> {
  const child = spawn(container.argv[0], container.argv.slice(1), {
    env: { PATH: path, [SCRIPT_VARIABLE]: container.script, ...scriptEnvironment(s) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  lines(child.stdout!, line => {
    stdout.push(line);
    if (until?.(stdout)) {
      child.kill('SIGTERM');
    }
  });
  lines(child.stderr!, line => stderr.push(line));
  return new Promise(resolve => child.on('close', status => {
    running.delete(child);
    resolve({ status, stdout, stderr });
  }));
}

/** A loopback port nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise(resolve => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const UNITS = Object.fromEntries(Object.values(LOAD_TEST_METRICS).map(m => [m.name, m.unit]));

/** Parses an EMF line and checks it is a well-formed directive in our namespace and dimensions. */
function emf(line: string): Record<string, any> {
  const record = JSON.parse(line);
  const directive = record._aws.CloudWatchMetrics[0];
  expect(record._aws.CloudWatchMetrics).toHaveLength(1);
  expect(Number.isInteger(record._aws.Timestamp)).toBe(true);
  expect(Math.abs(record._aws.Timestamp - Date.now())).toBeLessThan(5 * 60_000);
  expect(directive.Namespace).toBe(LOAD_TEST_NAMESPACE);
  expect(directive.Dimensions).toEqual([[TESTER_DIMENSION, TARGET_DIMENSION]]);
  for (const metric of directive.Metrics) {
    expect(metric.Unit).toBe(UNITS[metric.Name]);
    expect(typeof record[metric.Name]).toBe('number');
  }
  return record;
}

describe('without ab', () => {
  test('the tests that run the script fail saying what to install', () => {
    expect(() => requireAb({ PATH: '/nonexistent' })).toThrow('`ab` (ApacheBench, Debian package apache2-utils) is missing');
  });
});

describe('the load tester\'s script against the sample services', () => {
  let backend: RunningService;
  let frontend: RunningService;
  beforeAll(async () => {
    requireAb();
    backend = await startService('backend');
    frontend = await startService('frontend', { BACKEND_URL: backend.url });
    for (const name of ['apple', 'pear', 'plum']) {
      await fetch(`${backend.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    }
  });
  afterAll(async () => {
    await frontend.stop();
    await backend.stop();
  });

  test('one bounded run per target, reported as EMF metrics with plausible numbers', async () => {
    const run = await runScript(settings([
      { name: 'backend-items', url: `${backend.url}/items` },
      { name: 'frontend', url: `${frontend.url}/` },
    ]));
    expect(run.status).toBe(0);
    expect(run.stdout).toHaveLength(2);

    const [b, f] = run.stdout.map(emf);
    expect([b.LoadTester, b.Target, b.Url]).toEqual(['e2e', 'backend-items', `${backend.url}/items`]);
    expect([f.LoadTester, f.Target]).toEqual(['e2e', 'frontend']);
    for (const r of [b, f]) {
      expect(r._aws.CloudWatchMetrics[0].Metrics.map((m: any) => m.Name).sort()).toEqual(Object.values(LOAD_TEST_METRICS).map(m => m.name).sort());
      expect(r.CompletedRequests).toBeGreaterThan(0);
      expect(r.CompletedRequests).toBeLessThanOrEqual(REQUESTS);
      expect(r.FailedRequests).toBe(0);
      expect(r.Non2xxResponses).toBe(0);
      expect(r.FailedRuns).toBe(0);
      expect(r.RequestsPerSecond).toBeGreaterThan(0);
      expect(r.LatencyP50).toBeGreaterThanOrEqual(0);
      expect(r.LatencyP50).toBeLessThanOrEqual(r.LatencyP90);
      expect(r.LatencyP90).toBeLessThanOrEqual(r.LatencyP99);
    }
    // The figures, for the record: requests per second and p99 of each target on this machine.
    console.log(run.stderr.join('\n'));
  });

  test('counts non-2xx answers', async () => {
    const run = await runScript(settings([{ name: 'missing', url: `${backend.url}/no-such-path` }], { requests: 50 }));
    expect(run.status).toBe(0);
    const r = emf(run.stdout[0]);
    expect(r).toMatchObject({ CompletedRequests: 50, Non2xxResponses: 50, FailedRequests: 0, FailedRuns: 0 });
  });

  test('a target that does not answer is a failed run without latency figures, and the task exits non-zero', async () => {
    const port = await closedPort();
    const run = await runScript(settings([
      { name: 'down', url: `http://127.0.0.1:${port}/` },
      { name: 'backend-health', url: `${backend.url}/health` },
    ], { requests: 50 }));
    expect(run.status).toBe(1);
    const [down, up] = run.stdout.map(emf);
    expect(down._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'FailedRuns', Unit: 'Count' }]);
    expect(down).toMatchObject({ Target: 'down', FailedRuns: 1 });
    expect(down.LatencyP99).toBeUndefined();
    // One failing target does not stop the others.
    expect(up).toMatchObject({ Target: 'backend-health', CompletedRequests: 50, FailedRuns: 0 });
    expect(run.stderr.join('\n')).toMatch(/down: the run failed/);
  });

  test('the time limit ends a run before its request count', async () => {
    const started = Date.now();
    const run = await runScript(settings([{ name: 'backend-items', url: `${backend.url}/items` }], { requests: 1_000_000, concurrency: 2, timeLimitSeconds: 2 }));
    const seconds = (Date.now() - started) / 1000;
    expect(run.status).toBe(0);
    expect(seconds).toBeLessThan(10);
    const r = emf(run.stdout[0]);
    expect(r.CompletedRequests).toBeGreaterThan(0);
    expect(r.CompletedRequests).toBeLessThan(1_000_000);
  });

  test('loop mode repeats rounds and stops promptly when the task is stopped', async () => {
    let stoppedAt = 0;
    const run = await runScript(
      settings([{ name: 'backend-health', url: `${backend.url}/health` }], { mode: 'loop', requests: 20, pauseSeconds: 1 }),
      stdout => {
        if (stdout.length === 2 && stoppedAt === 0) {
          stoppedAt = Date.now();
          return true;
        }
        return false;
      },
    );
    expect(run.stdout.length).toBeGreaterThanOrEqual(2);
    run.stdout.forEach(line => expect(emf(line)).toMatchObject({ CompletedRequests: 20, FailedRuns: 0 }));
    expect(run.status).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect(run.stderr.join('\n')).toMatch(/stop requested, exiting/);
  });

  test('an image without base64 ends the task with base64\'s error instead of running nothing', async () => {
    const run = await runScript(settings([{ name: 'x', url: `${backend.url}/` }]), undefined, '/nonexistent');
    expect(run.status).toBe(127);
    expect(run.stdout).toEqual([]);
    expect(run.stderr.join('\n')).toMatch(/base64: not found/);
  });

  test('refuses to start with a setting missing or malformed', async () => {
    const broken = { ...settings([{ name: 'x', url: `${backend.url}/` }]), requests: 0 };
    const run = await runScript(broken);
    expect(run.status).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr.join('\n')).toMatch(/LT_REQUESTS \(0\) must be a whole number of at least 1/);
  });

  test('with thresholds, a run within them exits 0 and one crossing them exits 3 with its EMF line still printed', async () => {
    const target = [{ name: 'missing', url: `${backend.url}/no-such-path` }];
    const within = await runScript(settings(target, { requests: 20, maxErrorRatePercent: 100, maxLatencyP99Millis: 5000 }));
    expect(within.status).toBe(0);
    const crossing = await runScript(settings(target, { requests: 20, maxErrorRatePercent: 50 }));
    expect(crossing.status).toBe(3);
    expect(emf(crossing.stdout[0])).toMatchObject({ CompletedRequests: 20, Non2xxResponses: 20, FailedRuns: 0 });
    expect(crossing.stderr.join('\n')).toMatch(/missing: 20 requests, 0 failed, 20 non-2xx.*; threshold crossed: error rate 100.00 % is above 50 %/);
  });

  test('a run that measured nothing exits 1 even with thresholds set', async () => {
    const port = await closedPort();
    const run = await runScript(settings([{ name: 'down', url: `http://127.0.0.1:${port}/` }], { requests: 10, maxErrorRatePercent: 1 }));
    expect(run.status).toBe(1);
  });

  test('refuses a malformed threshold', async () => {
    const run = await runScript({ ...settings([{ name: 'x', url: `${backend.url}/` }]), maxErrorRatePercent: '1.2.3' as unknown as number });
    expect(run.status).toBe(2);
    expect(run.stderr.join('\n')).toMatch(/LT_MAX_ERROR_PERCENT \(1.2.3\) must be a decimal number such as 1 or 0.5/);
  });

  // A test that fails or times out leaves its script running; the next two tests play that out.
  let abandoned = 0;
  test('a script its test stops waiting for is still running when the test ends', () => {
    void runScript(settings([{ name: 'backend-health', url: `${backend.url}/health` }], { mode: 'loop', requests: 20 }));
    abandoned = [...running][0].pid!;
    expect(processGroupAlive(abandoned)).toBe(true);
  });

  test('is stopped with its children once that test has ended', async () => {
    const deadline = Date.now() + 5_000;
    while (processGroupAlive(abandoned) && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 50));
    }
    expect(processGroupAlive(abandoned)).toBe(false);
  });
});

function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
    throw e;
  }
}
