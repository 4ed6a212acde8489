import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkFargateSize, checkRange, checkWholeSeconds, fail } from './validation';

/**
 * The contract between the LoadTester construct and the script its container runs
 * (`assets/load-tester/run.sh`). The script prints CloudWatch Embedded Metric Format (EMF) lines;
 * CloudWatch Logs turns them into metrics. The namespace, dimension names and metric names live
 * here only: the construct builds its `metricXxx()` methods from them and hands the very same
 * values to the script through its environment, so dashboards and the script cannot drift apart.
 */

/** The CloudWatch namespace of every load-test metric. */
export const LOAD_TEST_NAMESPACE = 'CdkEcsDevops/LoadTester';

/** Dimension naming the load tester (its `loadTesterName`). */
export const TESTER_DIMENSION = 'LoadTester';

/** Dimension naming the target within the load tester (the target's `name`). */
export const TARGET_DIMENSION = 'Target';

/** Target and tester names become metric dimension values and shell words in the script. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One metric the script emits per target and run. */
export interface LoadTestMetricSpec {
  /** The CloudWatch metric name. */
  readonly name: string;
  /** The EMF unit. */
  readonly unit: string;
  /** The environment variable that tells the script the metric name. */
  readonly env: string;
}

/** Every metric of a run, keyed by what it measures. */
export const LOAD_TEST_METRICS = {
  requestsPerSecond: { name: 'RequestsPerSecond', unit: 'Count/Second', env: 'LT_METRIC_RPS' },
  latencyP50: { name: 'LatencyP50', unit: 'Milliseconds', env: 'LT_METRIC_P50' },
  latencyP90: { name: 'LatencyP90', unit: 'Milliseconds', env: 'LT_METRIC_P90' },
  latencyP99: { name: 'LatencyP99', unit: 'Milliseconds', env: 'LT_METRIC_P99' },
  completedRequests: { name: 'CompletedRequests', unit: 'Count', env: 'LT_METRIC_COMPLETED' },
  failedRequests: { name: 'FailedRequests', unit: 'Count', env: 'LT_METRIC_FAILED' },
  non2xxResponses: { name: 'Non2xxResponses', unit: 'Count', env: 'LT_METRIC_NON2XX' },
  failedRuns: { name: 'FailedRuns', unit: 'Count', env: 'LT_METRIC_FAILED_RUNS' },
} as const satisfies Record<string, LoadTestMetricSpec>;

/** What `metricXxx()` and the script agree on for one metric. */
export type LoadTestMetricKey = keyof typeof LOAD_TEST_METRICS;

/** A URL the script sends requests to, with the name its metrics carry in the Target dimension. */
export interface ScriptTarget {
  readonly name: string;
  readonly url: string;
}

/** Everything one run of the script needs. */
export interface ScriptSettings {
  /** Value of the LoadTester dimension. */
  readonly testerName: string;
  readonly targets: ScriptTarget[];
  /** Requests per target and run (ab -n). */
  readonly requests: number;
  /** Requests in flight at once (ab -c). */
  readonly concurrency: number;
  /** Longest run per target, in seconds (ab -t). */
  readonly timeLimitSeconds: number;
  /** Longest wait for one response, in seconds (ab -s). */
  readonly requestTimeoutSeconds: number;
  /** `once`: one run per target, then exit. `loop`: runs with a pause between them until stopped. */
  readonly mode: 'once' | 'loop';
  /** Pause between loop rounds, in seconds. Ignored for `once`. */
  readonly pauseSeconds: number;
  /** A run whose failed plus non-2xx requests exceed this percentage of its requests crossed a threshold. */
  readonly maxErrorRatePercent?: number;
  /** A run whose 99th-percentile response time exceeds this many milliseconds crossed a threshold. */
  readonly maxLatencyP99Millis?: number;
}

/**
 * How a `once` run of the script ends: the container's exit code, which ECS reports in
 * DescribeTasks (`containers[].exitCode`). A deployment gate passes on PASSED only.
 */
export const SCRIPT_EXIT_CODES = {
  /** Every run measured, no threshold crossed. */
  passed: 0,
  /** A run measured nothing: no request got an answer, or one took longer than the request timeout. */
  runFailed: 1,
  /** A setting is missing or malformed; nothing was sent. */
  misconfigured: 2,
  /** Every run measured, and one crossed LT_MAX_ERROR_PERCENT or LT_MAX_P99_MS. */
  thresholdCrossed: 3,
} as const;

/** Where the script lives, in the source tree and in the published package alike. */
export const LOAD_TEST_SCRIPT_PATH = path.join(__dirname, '..', '..', 'assets', 'load-tester', 'run.sh');

/** The script's text, read at synth so no image needs to be built for it. */
export function loadTestScript(): string {
  return fs.readFileSync(LOAD_TEST_SCRIPT_PATH, 'utf8');
}

/** The container variable that carries the script, base64-encoded. */
export const SCRIPT_VARIABLE = 'LT_SCRIPT';

/**
 * How the container starts the script: the shell decodes it from its variable and replaces itself
 * with it, so the script is the task's first process and receives ECS's stop signal itself. A
 * failed decoding ends the task with base64's error. The template carries only this fixed line
 * and opaque base64 text: a shell expansion such as `${LT_TIME_LIMIT}` in a template string
 * looks like a CloudFormation `${Parameter}` outside `Fn::Sub` to template validators (cfn-lint
 * rule E1029, "Sub is required if a variable is used in a string").
 */
export const SCRIPT_ENTRY_POINT = ['/bin/sh', '-c'];
export const SCRIPT_COMMAND = [`script="$(printf '%s' "$${SCRIPT_VARIABLE}" | base64 -d)" && exec /bin/sh -c "$script"`];

/** The script, encoded for SCRIPT_VARIABLE. */
export function encodedScript(): string {
  return Buffer.from(loadTestScript(), 'utf8').toString('base64');
}

/** The container environment that configures the script. */
export function scriptEnvironment(settings: ScriptSettings): Record<string, string> {
  const env: Record<string, string> = {
    LT_NAMESPACE: LOAD_TEST_NAMESPACE,
    LT_TESTER_DIMENSION: TESTER_DIMENSION,
    LT_TARGET_DIMENSION: TARGET_DIMENSION,
    LT_TESTER: settings.testerName,
    // Space-separated name=url pairs: names are validated to contain neither, URLs cannot contain spaces.
    LT_TARGETS: settings.targets.map(t => `${t.name}=${t.url}`).join(' '),
    LT_REQUESTS: String(settings.requests),
    LT_CONCURRENCY: String(settings.concurrency),
    LT_TIME_LIMIT: String(settings.timeLimitSeconds),
    LT_REQUEST_TIMEOUT: String(settings.requestTimeoutSeconds),
    LT_MODE: settings.mode,
    LT_PAUSE: String(settings.pauseSeconds),
  };
  for (const metric of Object.values(LOAD_TEST_METRICS)) {
    env[metric.env] = metric.name;
  }
  // Only a gate sets thresholds: the LoadTester's environment, and so its template, stays as it was.
  if (settings.maxErrorRatePercent !== undefined) {
    env.LT_MAX_ERROR_PERCENT = String(settings.maxErrorRatePercent);
  }
  if (settings.maxLatencyP99Millis !== undefined) {
    env.LT_MAX_P99_MS = String(settings.maxLatencyP99Millis);
  }
  return env;
}

/** How one run of the script is bounded, and the size of the task that runs it. */
export interface RunBounds {
  readonly requests: number;
  readonly concurrency: number;
  readonly timeLimit: Duration;
  readonly requestTimeout: Duration;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
}

/** Why durations the script receives must be whole seconds. */
export const AB_SECONDS = 'ab counts in seconds';

/** The checks of a run's bounds that ab and Fargate impose, for every construct that runs the script. */
export function checkRunBounds(scope: IConstruct, v: RunBounds): void {
  for (const [prop, value] of [['requests', v.requests], ['concurrency', v.concurrency], ['cpu', v.cpu], ['memoryLimitMiB', v.memoryLimitMiB]] as const) {
    if (Token.isUnresolved(value)) {
      fail(scope, `${prop} must be known at synth: the script and the task size need a number`);
    }
  }
  checkRange(scope, 'requests', v.requests, 1, 1_000_000);
  // 20000 is ab's own ceiling.
  checkRange(scope, 'concurrency', v.concurrency, 1, 20_000);
  if (v.concurrency > v.requests) {
    fail(scope, `concurrency (${v.concurrency}) must not exceed requests (${v.requests}): ab cannot have more requests in flight than it sends`);
  }
  checkWholeSeconds(scope, 'timeLimit', v.timeLimit, 1, 3600, AB_SECONDS);
  checkWholeSeconds(scope, 'requestTimeout', v.requestTimeout, 1, 300, AB_SECONDS);
  if (v.requestTimeout.toSeconds() > v.timeLimit.toSeconds()) {
    fail(scope, `requestTimeout (${v.requestTimeout.toSeconds()} s) must not exceed timeLimit (${v.timeLimit.toSeconds()} s)`);
  }
  checkFargateSize(scope, v.cpu, v.memoryLimitMiB);
}
