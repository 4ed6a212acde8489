'use strict';
// The load-test gate of a blue/green deployment (cdk-ecs-devops LoadTestGate).
//
// Runs one task of the gate's load-test task definition (the LoadTester's script in `once` mode,
// with error-rate and p99 thresholds) against the service's test listener, waits for it to stop
// and passes the deployment only when its container exited 0; exit 3 means a threshold was crossed,
// anything else that the run measured nothing or never ran. Two callers:
//
// - ECS, at POST_TEST_TRAFFIC_SHIFT of an ECS-native blue/green, canary or linear deployment: the
//   first invocation starts the task and answers IN_PROGRESS with the task in `hookDetails`; ECS
//   invokes again after `callBackDelay` seconds with those details, until the answer is SUCCEEDED
//   or FAILED ("Lambda hooks for Amazon ECS service deployments",
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html).
// - CodeDeploy, at AfterAllowTestTraffic: one invocation with DeploymentId and
//   LifecycleEventHookExecutionId, which reports Succeeded or Failed with
//   PutLifecycleEventHookExecutionStatus ("AppSpec 'hooks' section",
//   https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html);
//   it polls within the invocation, bounded by the function's timeout.
//
// Either way the task gets GATE_DEADLINE_SECONDS from its start; a task still running then is
// stopped and the gate fails, so a hung run cannot hold a deployment.
//
// Environment (the construct sets every variable):
//   GATE_CLUSTER, GATE_TASK_DEFINITION, GATE_CONTAINER   what to run, where
//   GATE_SUBNETS, GATE_SECURITY_GROUPS                   comma-separated IDs of the task's network
//   GATE_TARGET_URL                                      the test listener's URL with the path
//   GATE_LOAD_BALANCER_ENI                               set for an internet-facing load balancer: the
//                                                        description of its network interfaces
//   GATE_DEADLINE_SECONDS, GATE_POLL_SECONDS             the task's time bound, the wait between polls

const EXIT_PASSED = 0;
const EXIT_THRESHOLD_CROSSED = 3;

function log(msg, fields = {}) {
  console.log(JSON.stringify({ msg, ...fields }));
}

function setting(env, name) {
  const value = env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

/**
 * The handler, with the AWS SDK v3 modules it calls passed in: `ecs` (@aws-sdk/client-ecs),
 * `codedeploy` (@aws-sdk/client-codedeploy) and `ec2` (@aws-sdk/client-ec2).
 */
function createHandler({ modules, env = process.env, now = () => Date.now(), sleep = ms => new Promise(r => setTimeout(r, ms)) }) {
  const ecs = new modules.ecs.ECSClient({});
  const cluster = setting(env, 'GATE_CLUSTER');
  const deadlineMs = Number(setting(env, 'GATE_DEADLINE_SECONDS')) * 1000;
  const pollSeconds = Number(setting(env, 'GATE_POLL_SECONDS'));

  /**
   * The URL the task requests. An internet-facing load balancer's DNS name resolves to public
   * addresses, which a task in a private subnet reaches through the NAT gateway, from outside the
   * VPC's CIDR that the test listener admits; its nodes' private addresses are inside it.
   */
  async function targetUrl() {
    const url = new URL(setting(env, 'GATE_TARGET_URL'));
    const description = env.GATE_LOAD_BALANCER_ENI;
    if (!description) {
      return url.toString();
    }
    const ec2 = new modules.ec2.EC2Client({});
    const out = await ec2.send(new modules.ec2.DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'description', Values: [description] }, { Name: 'status', Values: ['in-use'] }],
    }));
    const address = (out.NetworkInterfaces ?? []).map(n => n.PrivateIpAddress).find(Boolean);
    if (!address) {
      throw new Error(`no network interface of the load balancer (${description}) is in use`);
    }
    url.hostname = address;
    return url.toString();
  }

  /** Starts the load-test task; returns its ARN. */
  async function start(startedBy) {
    const url = await targetUrl();
    const container = setting(env, 'GATE_CONTAINER');
    const out = await ecs.send(new modules.ecs.RunTaskCommand({
      cluster,
      taskDefinition: setting(env, 'GATE_TASK_DEFINITION'),
      launchType: 'FARGATE',
      count: 1,
      startedBy,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: setting(env, 'GATE_SUBNETS').split(','),
          securityGroups: setting(env, 'GATE_SECURITY_GROUPS').split(','),
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: { containerOverrides: [{ name: container, environment: [{ name: 'LT_TARGETS', value: `gate=${url}` }] }] },
    }));
    const task = (out.tasks ?? [])[0];
    if (!task) {
      const reasons = (out.failures ?? []).map(f => `${f.arn ?? ''} ${f.reason ?? ''} ${f.detail ?? ''}`.trim()).join('; ');
      throw new Error(`RunTask started no task: ${reasons || 'no reason given'}`);
    }
    log('load test started', { taskArn: task.taskArn, url });
    return task.taskArn;
  }

  /**
   * The verdict on a task: 'running', or { passed, reason } once it has stopped. A task still
   * running past the deadline is stopped and fails.
   */
  async function check(taskArn, startedAt) {
    const out = await ecs.send(new modules.ecs.DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const task = (out.tasks ?? [])[0];
    if (!task) {
      return { passed: false, reason: `task ${taskArn} is not found` };
    }
    if (task.lastStatus !== 'STOPPED') {
      if (now() - startedAt < deadlineMs) {
        return 'running';
      }
      await ecs.send(new modules.ecs.StopTaskCommand({ cluster, task: taskArn, reason: 'load-test gate deadline' }));
      return { passed: false, reason: `the load test was still running after ${deadlineMs / 1000} s: stopped it` };
    }
    const container = (task.containers ?? []).find(c => c.name === setting(env, 'GATE_CONTAINER'));
    const exitCode = container?.exitCode;
    if (exitCode === EXIT_PASSED) {
      return { passed: true, reason: 'the load test passed: no threshold crossed' };
    }
    if (exitCode === EXIT_THRESHOLD_CROSSED) {
      return { passed: false, reason: 'the load test crossed a threshold (its log names which)' };
    }
    if (exitCode === undefined || exitCode === null) {
      return { passed: false, reason: `the load test did not run: ${task.stoppedReason ?? 'no reason given'}${container?.reason ? ` (${container.reason})` : ''}` };
    }
    return { passed: false, reason: `the load test measured nothing (exit code ${exitCode}): see its log` };
  }

  async function onEcsHook(event) {
    const details = event.hookDetails ?? {};
    try {
      if (!details.gateTaskArn) {
        const taskArn = await start('load-test-gate');
        return { hookStatus: 'IN_PROGRESS', callBackDelay: pollSeconds, hookDetails: { gateTaskArn: taskArn, gateStartedAt: now() } };
      }
      const verdict = await check(details.gateTaskArn, Number(details.gateStartedAt));
      if (verdict === 'running') {
        return { hookStatus: 'IN_PROGRESS', callBackDelay: pollSeconds, hookDetails: details };
      }
      log(verdict.reason, { taskArn: details.gateTaskArn, passed: verdict.passed });
      return { hookStatus: verdict.passed ? 'SUCCEEDED' : 'FAILED' };
    } catch (e) {
      // An error is a verdict too: the deployment must not go on untested.
      log('the gate failed', { error: String(e) });
      return { hookStatus: 'FAILED' };
    }
  }

  async function onCodeDeployHook(event, context) {
    let status = 'Failed';
    try {
      const taskArn = await start(`gate-${event.DeploymentId}`.slice(0, 36));
      const startedAt = now();
      for (;;) {
        const verdict = await check(taskArn, startedAt);
        if (verdict !== 'running') {
          log(verdict.reason, { taskArn, passed: verdict.passed });
          status = verdict.passed ? 'Succeeded' : 'Failed';
          break;
        }
        // The function's own timeout is a further bound: report Failed before it ends the invocation.
        if (context && context.getRemainingTimeInMillis() < (pollSeconds + 30) * 1000) {
          await ecs.send(new modules.ecs.StopTaskCommand({ cluster, task: taskArn, reason: 'load-test gate out of time' }));
          log('the function ran out of time before the load test ended: stopped it', { taskArn });
          break;
        }
        await sleep(pollSeconds * 1000);
      }
    } catch (e) {
      log('the gate failed', { error: String(e) });
    }
    const codedeploy = new modules.codedeploy.CodeDeployClient({});
    await codedeploy.send(new modules.codedeploy.PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }));
    return status;
  }

  return async (event, context) => (event.DeploymentId && event.LifecycleEventHookExecutionId
    ? onCodeDeployHook(event, context)
    : onEcsHook(event));
}

let defaultHandler;

/** The Lambda entry point: the Node.js runtime provides the AWS SDK for JavaScript v3. */
exports.handler = (event, context) => {
  defaultHandler = defaultHandler ?? createHandler({
    modules: {
      ecs: require('@aws-sdk/client-ecs'),
      codedeploy: require('@aws-sdk/client-codedeploy'),
      ec2: require('@aws-sdk/client-ec2'),
    },
  });
  return defaultHandler(event, context);
};
exports.createHandler = createHandler;
