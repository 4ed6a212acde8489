import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy, LoadBalancerType, LoadTestGate, LoadTestGateProps, MicroService, ServiceImage } from '../../src';
import { SCRIPT_EXIT_CODES } from '../../src/private/load-test-metrics';
import { lines, requireAb, RunningService, startService } from '../sample-services.helpers';
import { importedInfra, newStack } from '../util';

/**
 * The gate's function (assets/load-test-gate/index.js), run here with stub AWS SDK modules whose
 * ECS RunTask runs the gate's task as its container would: the entry point, command and
 * environment of the synthesized task definition (the LoadTester's script with the gate's
 * thresholds), with the function's LT_TARGETS override, and a real `ab` against the sample
 * services on 127.0.0.1. DescribeTasks reports the script's real exit code once it has ended.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createHandler } = require('../../assets/load-test-gate/index.js');

const CLUSTER = 'arn:aws:ecs:eu-west-1:111111111111:cluster/platform';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/TestGateTaskDef:3';

/** The gate's task and function settings as a synthesized template holds them. */
function synthesize(props: Partial<LoadTestGateProps>, strategy: DeploymentStrategy, loadBalancerType = LoadBalancerType.INTERNAL) {
  const stack: Stack = newStack();
  const web = new MicroService(stack, 'Web', {
    infra: importedInfra(stack),
    serviceName: 'web',
    image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
    loadBalancerType,
    deploymentStrategy: strategy,
  });
  const created = new LoadTestGate(stack, 'Gate', { service: web, ...props });
  const resources = Template.fromStack(stack).toJSON().Resources;
  const container = (resources[stack.getLogicalId(created.taskDefinition.node.defaultChild as any)].Properties.ContainerDefinitions as any[])[0];
  const fn = resources[stack.getLogicalId(created.hookFunction.node.defaultChild as any)].Properties;
  // Tokens stand for what CloudFormation fills in; the stub ECS checks the function passes them on.
  const deployed: Record<string, string> = { GATE_CLUSTER: CLUSTER, GATE_TASK_DEFINITION: TASK_DEFINITION, GATE_SECURITY_GROUPS: 'sg-0123', GATE_LOAD_BALANCER_ENI: 'ELB app/web/0123' };
  const functionEnv = Object.fromEntries(Object.entries<any>(fn.Environment.Variables).map(([k, v]) => [k, typeof v === 'string' ? v : deployed[k]]));
  const containerEnv = Object.fromEntries((container.Environment as any[]).filter(e => typeof e.Value === 'string').map(e => [e.Name, e.Value as string]));
  return { argv: [...container.EntryPoint, ...container.Command] as string[], containerName: container.Name as string, containerEnv, functionEnv };
}

type Synthesized = ReturnType<typeof synthesize>;

interface Call { readonly command: string; readonly input: any }

/** A stub of ECS that runs tasks as local processes. */
class LocalEcs {
  public readonly calls: Call[] = [];
  public readonly processes = new Map<string, { child: ChildProcess; status?: number | null; output: string[] }>();
  /** What RunTask and DescribeTasks answer instead of running the task, when set. */
  public runTaskAnswer?: any;
  public describeAnswer?: any;

  constructor(private readonly task: Synthesized) {}

  public async send(command: { constructor: { name: string }; input: any }): Promise<any> {
    const name = command.constructor.name;
    this.calls.push({ command: name, input: command.input });
    if (name === 'RunTaskCommand') {
      return this.runTaskAnswer ?? this.runTask(command.input);
    }
    if (name === 'DescribeTasksCommand') {
      return this.describeAnswer ?? this.describe(command.input.tasks[0]);
    }
    if (name === 'StopTaskCommand') {
      const p = this.processes.get(command.input.task)!;
      process.kill(-p.child.pid!, 'SIGKILL');
      await new Promise(r => p.child.once('close', r));
      return { task: { taskArn: command.input.task } };
    }
    throw new Error(`unexpected ECS call ${name}`);
  }

  private runTask(input: any) {
    const override = input.overrides.containerOverrides.find((o: any) => o.name === this.task.containerName);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...this.task.containerEnv };
    for (const e of override?.environment ?? []) {
      env[e.name] = e.value;
    }
    const child = spawn(this.task.argv[0], this.task.argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const taskArn = `arn:aws:ecs:eu-west-1:111111111111:task/platform/${child.pid}`;
    const entry: { child: ChildProcess; status?: number | null; output: string[] } = { child, output: [] };
    lines(child.stdout!, l => entry.output.push(l));
    lines(child.stderr!, l => entry.output.push(l));
    child.on('close', status => {
      entry.status = status;
    });
    this.processes.set(taskArn, entry);
    return { tasks: [{ taskArn, lastStatus: 'PROVISIONING' }], failures: [] };
  }

  private describe(taskArn: string) {
    const p = this.processes.get(taskArn)!;
    if (p.status === undefined) {
      return { tasks: [{ taskArn, lastStatus: 'RUNNING', containers: [{ name: this.task.containerName }] }], failures: [] };
    }
    return {
      tasks: [{ taskArn, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: this.task.containerName, exitCode: p.status ?? undefined }] }],
      failures: [],
    };
  }

  public stopAll(): void {
    for (const p of this.processes.values()) {
      if (p.status === undefined) {
        try {
          process.kill(-p.child.pid!, 'SIGKILL');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
        }
      }
    }
  }
}

/** The SDK modules the function requires, each client sending to a stub. */
function sdk(ecs: LocalEcs, codedeployCalls: Call[], ec2Calls: Call[], privateAddress = '127.0.0.1') {
  const command = (name: string) => ({ [name]: class { constructor(public readonly input: any) {} } })[name];
  // Each class is named as in the SDK, so the stubs see which call the function made.
  const named = (names: string[]) => Object.fromEntries(names.map(n => [n, command(n)]));
  return {
    ecs: { ECSClient: class { send = (c: any) => ecs.send(c); }, ...named(['RunTaskCommand', 'DescribeTasksCommand', 'StopTaskCommand']) },
    codedeploy: {
      CodeDeployClient: class {
        send = async (c: any) => {
          codedeployCalls.push({ command: c.constructor.name, input: c.input });
          return { lifecycleEventHookExecutionId: c.input.lifecycleEventHookExecutionId };
        };
      },
      ...named(['PutLifecycleEventHookExecutionStatusCommand']),
    },
    ec2: {
      EC2Client: class {
        send = async (c: any) => {
          ec2Calls.push({ command: c.constructor.name, input: c.input });
          return { NetworkInterfaces: [{ Status: 'in-use', PrivateIpAddress: privateAddress }] };
        };
      },
      ...named(['DescribeNetworkInterfacesCommand']),
    },
  };
}

/** A gate of the given settings, its function pointed at `url` (the test listener stands in for it). */
function gate(url: string, props: Partial<LoadTestGateProps> = {}, strategy = DeploymentStrategy.canary(),
  options: { loadBalancerType?: LoadBalancerType; now?: () => number } = {}) {
  const defaults = { requests: 200, concurrency: 4, timeLimit: Duration.seconds(10), requestTimeout: Duration.seconds(5) };
  const task = synthesize({ ...defaults, ...props }, strategy, options.loadBalancerType);
  const ecs = new LocalEcs(task);
  stubs.push(ecs);
  const codedeployCalls: Call[] = [];
  const ec2Calls: Call[] = [];
  const handler = createHandler({
    modules: sdk(ecs, codedeployCalls, ec2Calls),
    env: { ...task.functionEnv, GATE_TARGET_URL: url },
    now: options.now,
    sleep: (ms: number) => new Promise(r => setTimeout(r, Math.min(ms, 100))),
  });
  return { task, ecs, codedeployCalls, ec2Calls, handler };
}

const stubs: LocalEcs[] = [];
/** What the function logged in the current test (its JSON lines). */
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  jest.spyOn(console, 'log').mockImplementation(m => logged.push(String(m)));
});
afterEach(() => {
  jest.restoreAllMocks();
  stubs.splice(0).forEach(s => s.stopAll());
});

const ECS_EVENT = {
  executionDetails: {
    serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/platform/web',
    targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:111111111111:service-revision/platform/web/0123',
    testTrafficWeights: {},
    productionTrafficWeights: {},
  },
  executionId: 'exec-1',
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  resourceArn: 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/platform/web/abc',
};

/** Invokes the function as ECS does: again with the returned hookDetails while it answers IN_PROGRESS. */
async function runEcsHook(handler: (e: any) => Promise<any>, maxInvocations = 200): Promise<{ final: any; answers: any[] }> {
  const answers: any[] = [];
  let details: any;
  for (let i = 0; i < maxInvocations; i++) {
    const answer = await handler(details ? { ...ECS_EVENT, hookDetails: details } : ECS_EVENT);
    answers.push(answer);
    if (answer.hookStatus !== 'IN_PROGRESS') {
      return { final: answer, answers };
    }
    details = answer.hookDetails;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('the hook never finished');
}

const CODEDEPLOY_EVENT = { DeploymentId: 'd-ABCDEF123', LifecycleEventHookExecutionId: 'eyJleGVjdXRpb24iOiJ4In0=' };
const context = (ms = 900_000) => ({ getRemainingTimeInMillis: () => ms });

/** A server answering 200 after `delayMs`: a service with a known latency. */
function slowServer(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_, res) => setTimeout(() => res.end('ok'), delayMs));
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
    close: () => new Promise(r => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  })));
}

describe('the gate against the sample backend', () => {
  let healthy: RunningService;
  let failing: RunningService;
  beforeAll(async () => {
    requireAb();
    healthy = await startService('backend');
    failing = await startService('backend', { FAIL_HEALTH: 'true' });
  });
  afterAll(async () => {
    await healthy.stop();
    await failing.stop();
  });

  test('ECS: a healthy service passes; the function started the task, polled it with IN_PROGRESS and reported SUCCEEDED', async () => {
    const g = gate(`${healthy.url}/health`);
    const { final, answers } = await runEcsHook(g.handler);
    expect(final).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(answers[0]).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { gateTaskArn: expect.stringMatching(/^arn:aws:ecs:.*:task\/platform\//) } });
    expect(answers.length).toBeGreaterThanOrEqual(2);
    const run = g.ecs.calls.find(c => c.command === 'RunTaskCommand')!.input;
    expect(run).toMatchObject({
      cluster: CLUSTER,
      taskDefinition: TASK_DEFINITION,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'load-test-gate',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-priv1', 'subnet-priv2'], securityGroups: ['sg-0123'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'load-tester', environment: [{ name: 'LT_TARGETS', value: `gate=${healthy.url}/health` }] }] },
    });
    expect(g.ecs.calls.filter(c => c.command === 'RunTaskCommand')).toHaveLength(1);
    expect(g.ecs.calls.filter(c => c.command === 'DescribeTasksCommand').every(c => c.input.cluster === CLUSTER)).toBe(true);
    const output = [...g.ecs.processes.values()][0].output.join('\n');
    expect(output).toMatch(/gate: 200 requests, 0 failed, 0 non-2xx/);
    expect(g.ec2Calls).toEqual([]);
  });

  test('ECS: a service answering 5xx (FAIL_HEALTH=true) fails it: the script measured the errors and exited 3', async () => {
    const g = gate(`${failing.url}/health`);
    const { final } = await runEcsHook(g.handler);
    expect(final).toEqual({ hookStatus: 'FAILED' });
    const p = [...g.ecs.processes.values()][0];
    expect(p.status).toBe(SCRIPT_EXIT_CODES.thresholdCrossed);
    expect(p.output.join('\n')).toMatch(/gate: 200 requests, 0 failed, 200 non-2xx.*threshold crossed: error rate 100.00 % is above 1 %/);
  });

  test('CodeDeploy: a healthy service passes (Succeeded), a failing one fails (Failed), each reported for its hook execution', async () => {
    for (const [service, status] of [[healthy, 'Succeeded'], [failing, 'Failed']] as const) {
      const g = gate(`${service.url}/health`, {}, DeploymentStrategy.codeDeploy());
      expect(await g.handler(CODEDEPLOY_EVENT, context())).toBe(status);
      expect(g.codedeployCalls).toEqual([{
        command: 'PutLifecycleEventHookExecutionStatusCommand',
        input: { deploymentId: 'd-ABCDEF123', lifecycleEventHookExecutionId: CODEDEPLOY_EVENT.LifecycleEventHookExecutionId, status },
      }]);
      expect(g.ecs.calls.find(c => c.command === 'RunTaskCommand')!.input.startedBy).toBe('gate-d-ABCDEF123');
    }
  });

  test('an error rate at the threshold passes, just above it fails (all 200 answers 5xx: 100 % against 100 and 99.99)', async () => {
    const at = gate(`${failing.url}/health`, { maxErrorRatePercent: 100 });
    expect((await runEcsHook(at.handler)).final).toEqual({ hookStatus: 'SUCCEEDED' });
    const above = gate(`${failing.url}/health`, { maxErrorRatePercent: 99.99 });
    expect((await runEcsHook(above.handler)).final).toEqual({ hookStatus: 'FAILED' });
  });

  test('an internet-facing load balancer: the task requests the test listener at a private address of the load balancer', async () => {
    const port = new URL(healthy.url).port;
    const g = gate(`http://web-123.eu-west-1.elb.amazonaws.com:${port}/health`, {}, DeploymentStrategy.blueGreen(), { loadBalancerType: LoadBalancerType.PUBLIC });
    expect((await runEcsHook(g.handler)).final).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(g.ec2Calls).toEqual([{
      command: 'DescribeNetworkInterfacesCommand',
      input: { Filters: [{ Name: 'description', Values: ['ELB app/web/0123'] }, { Name: 'status', Values: ['in-use'] }] },
    }]);
    const override = g.ecs.calls.find(c => c.command === 'RunTaskCommand')!.input.overrides.containerOverrides[0].environment;
    expect(override).toEqual([{ name: 'LT_TARGETS', value: `gate=http://127.0.0.1:${port}/health` }]);
  });
});

describe('latency thresholds against a service answering in 200 ms', () => {
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    requireAb();
    server = await slowServer(200);
  });
  afterAll(() => server.close());

  test('a p99 under the threshold passes; a threshold below the measured p99 fails', async () => {
    const pass = gate(server.url, { requests: 20, concurrency: 4, maxLatencyP99: Duration.seconds(2) });
    expect((await runEcsHook(pass.handler)).final).toEqual({ hookStatus: 'SUCCEEDED' });
    const fail = gate(server.url, { requests: 20, concurrency: 4, maxLatencyP99: Duration.millis(150) });
    expect((await runEcsHook(fail.handler)).final).toEqual({ hookStatus: 'FAILED' });
    expect([...fail.ecs.processes.values()][0].output.join('\n')).toMatch(/threshold crossed: p99 2\d\d ms is above 150 ms/);
  });

  test('ECS: a task still running at the deadline is stopped and fails the gate', async () => {
    let clock = 0;
    const long = { requests: 100_000, concurrency: 1, timeLimit: Duration.seconds(60) };
    const g = gate(server.url, long, DeploymentStrategy.canary(), { now: () => clock });
    const first = await g.handler(ECS_EVENT);
    expect(first.hookStatus).toBe('IN_PROGRESS');
    const second = await g.handler({ ...ECS_EVENT, hookDetails: first.hookDetails });
    expect(second.hookStatus).toBe('IN_PROGRESS');
    // The deadline is the start allowance, the time limit, one request timeout and the stop allowance.
    clock = (180 + 60 + 5 + 30) * 1000;
    expect(await g.handler({ ...ECS_EVENT, hookDetails: first.hookDetails })).toEqual({ hookStatus: 'FAILED' });
    expect(g.ecs.calls.at(-1)).toEqual({ command: 'StopTaskCommand', input: { cluster: CLUSTER, task: first.hookDetails.gateTaskArn, reason: 'load-test gate deadline' } });
  });

  test('CodeDeploy: a function about to time out stops the task and reports Failed', async () => {
    const g = gate(server.url, { requests: 100_000, concurrency: 1, timeLimit: Duration.seconds(60) }, DeploymentStrategy.codeDeploy());
    expect(await g.handler(CODEDEPLOY_EVENT, context(59_000))).toBe('Failed');
    expect(g.ecs.calls.map(c => c.command)).toEqual(['RunTaskCommand', 'DescribeTasksCommand', 'StopTaskCommand']);
    expect(g.codedeployCalls[0].input.status).toBe('Failed');
  });
});

describe('tasks that never measure', () => {
  test('a task that stops without an exit code (its image could not be pulled) fails, naming ECS\'s reason', async () => {
    const g = gate('http://127.0.0.1:9/');
    g.ecs.runTaskAnswer = { tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/platform/abc' }], failures: [] };
    g.ecs.describeAnswer = {
      tasks: [{ lastStatus: 'STOPPED', stoppedReason: 'CannotPullContainerError: pull access denied', containers: [{ name: 'load-tester', reason: 'CannotPullContainerError' }] }],
    };
    expect((await runEcsHook(g.handler)).final).toEqual({ hookStatus: 'FAILED' });
    expect(logged.join('\n')).toMatch(/the load test did not run: CannotPullContainerError: pull access denied \(CannotPullContainerError\)/);
  });

  test('RunTask placing no task fails at once, for ECS and for CodeDeploy', async () => {
    const answer = { tasks: [], failures: [{ arn: CLUSTER, reason: 'RESOURCE:ENI' }] };
    const ecsGate = gate('http://127.0.0.1:9/');
    ecsGate.ecs.runTaskAnswer = answer;
    expect(await ecsGate.handler(ECS_EVENT)).toEqual({ hookStatus: 'FAILED' });
    expect(logged.join('\n')).toMatch(/RunTask started no task: .*RESOURCE:ENI/);
    const cdGate = gate('http://127.0.0.1:9/', {}, DeploymentStrategy.codeDeploy());
    cdGate.ecs.runTaskAnswer = answer;
    expect(await cdGate.handler(CODEDEPLOY_EVENT, context())).toBe('Failed');
    expect(cdGate.codedeployCalls.map(c => c.input.status)).toEqual(['Failed']);
  });

  test('a test listener nobody answers on: the run measured nothing (exit 1) and the gate fails', async () => {
    requireAb();
    const port = await new Promise<number>(resolve => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const g = gate(`http://127.0.0.1:${port}/`);
    expect((await runEcsHook(g.handler)).final).toEqual({ hookStatus: 'FAILED' });
    expect([...g.ecs.processes.values()][0].status).toBe(SCRIPT_EXIT_CODES.runFailed);
  });
});
