import * as path from 'path';
import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { registerAfterAllowTestTraffic } from './code-deploy-hook';
import { grantInvokeHook } from '../micro-service/code-deploy';
import { MicroService } from '../micro-service/micro-service';
import { registerDeploymentGate } from '../private/deployment-gates';
import { ecsArn, familyRevisions, grantRunTask } from '../private/ecs-arns';
import { acknowledgeWildcards, resourceFinding } from '../private/iam-findings';
import { addLoadTestContainer } from '../private/load-test-container';
import { checkRunBounds } from '../private/load-test-metrics';
import { fail } from '../private/validation';
import { ServiceImage } from '../service-image';

/** The container's name, which the function reads the exit code of. */
const CONTAINER_NAME = 'load-tester';

/** Where the hook function's code lives, in the source tree and in the published package alike. */
const FUNCTION_CODE = path.join(__dirname, '..', '..', 'assets', 'load-test-gate');

/**
 * How long a Fargate task may take from RunTask to running the script (placement, ENI, image
 * pull) before the gate gives up on it; the run itself then has its time limit and one request
 * timeout, and its last log lines a few seconds more.
 */
const START_ALLOWANCE_SECONDS = 180;
const STOP_ALLOWANCE_SECONDS = 30;

/** Seconds between two looks at the task: ECS's default `callBackDelay` ("Lambda hooks for Amazon ECS service deployments"). */
const POLL_SECONDS = 30;

/** How long a load-test task usually takes to start, for the deployment model: as a service's default startupTime. */
const MODELLED_START_SECONDS = 60;

/**
 * The longest a Lambda function runs ("Lambda quotas", function timeout 900 seconds,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). CodeDeploy invokes
 * its hook once, so a CodeDeploy gate waits for its task within one invocation.
 */
const LAMBDA_MAX_SECONDS = 900;

/**
 * Properties of `LoadTestGate`.
 */
export interface LoadTestGateProps {
  /**
   * The service whose deployments the gate tests. Its `deploymentStrategy` must be
   * `DeploymentStrategy.blueGreen()`, `canary()`, `linear()` or `codeDeploy()`: only those have a
   * test listener that reaches the new tasks before production traffic does.
   */
  readonly service: MicroService;

  /**
   * The path requested on the test listener, with an optional query string.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Requests sent (ab -n).
   *
   * @default 1000
   */
  readonly requests?: number;

  /**
   * Requests in flight at once (ab -c). At most `requests`.
   *
   * @default 10
   */
  readonly concurrency?: number;

  /**
   * The longest the run may take (ab -t), in whole seconds. It ends when `requests` are done or
   * this time is up, whichever comes first. With `DeploymentStrategy.codeDeploy()`, `timeLimit`
   * plus `requestTimeout` may be at most 630 seconds, so the hook function (at most 15 minutes)
   * sees the task end.
   *
   * @default Duration.minutes(1)
   */
  readonly timeLimit?: Duration;

  /**
   * The longest wait for one response (ab -s), in whole seconds. A slower response ends the run,
   * which fails the gate. At most `timeLimit`.
   *
   * @default Duration.seconds(10)
   */
  readonly requestTimeout?: Duration;

  /**
   * The highest share of failed and non-2xx responses, in percent of the completed requests, that
   * passes (0 to 100, at most two decimals). 0 fails the deployment on a single error.
   *
   * @default 1
   */
  readonly maxErrorRatePercent?: number;

  /**
   * The highest 99th-percentile response time that passes, in whole milliseconds, at most
   * `requestTimeout`.
   *
   * @default Duration.seconds(1)
   */
  readonly maxLatencyP99?: Duration;

  /**
   * The image that runs the load test. It needs `ab`, a POSIX `sh`, `base64`, `awk` and `date`.
   *
   * @default - the official httpd image from ECR Public (`public.ecr.aws/docker/library/httpd:2.4`)
   */
  readonly image?: ServiceImage;

  /**
   * CPU units of the load-test task (1024 = 1 vCPU).
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Memory of the load-test task in MiB. Fargate allows only certain values per `cpu`.
   *
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * How long the logs of the load test and of the hook function are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A deployment gate on test traffic: during each blue/green deployment of a MicroService, once
 * its test listener reaches the new tasks, a bounded ApacheBench load test (the LoadTester's
 * script) runs against the test listener from inside the VPC, and the deployment rolls back when
 * the error rate or the p99 response time of that run is above its threshold, or when the run
 * could not measure anything.
 *
 * With `DeploymentStrategy.blueGreen()`, `canary()` or `linear()` the gate is an ECS lifecycle hook
 * at `POST_TEST_TRAFFIC_SHIFT`. With `DeploymentStrategy.codeDeploy()` it is the AppSpec's
 * `AfterAllowTestTraffic` hook, which `BlueGreenPipeline` writes into the AppSpec.
 */
export class LoadTestGate extends Construct {
  /** The service whose deployments wait for this gate. */
  public readonly service: MicroService;
  /** The value of the `LoadTester` dimension of the run's metrics (namespace `CdkEcsDevops/LoadTester`, target `gate`). */
  public readonly loadTesterName: string;
  /** The task definition of the load-test task. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The log group of the load-test task (its results and metrics). */
  public readonly logGroup: logs.ILogGroup;
  /** The security group of the load-test task. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The function that starts the run, polls it and reports the verdict. */
  public readonly hookFunction: lambda.IFunction;
  /** The URL the load test requests: the test listener, with the path. */
  public readonly url: string;
  /**
   * How long the gate holds a deployment when the run goes as planned, modelled: the task's start
   * (60 s) + `timeLimit` + one `requestTimeout`, rounded up to the 30 s between two looks at the
   * task. It is a phase of the service's `estimatedDeploymentTime`.
   */
  public readonly estimatedRunTime: Duration;

  /**
   * @param scope the construct to create the gate in, in the service's stack
   * @param id the ID of the gate, unique within `scope`
   * @param props the gate's properties
   */
  constructor(scope: Construct, id: string, props: LoadTestGateProps) {
    super(scope, id);
    const service = props.service;
    this.service = service;
    const strategy = service.deploymentStrategy;
    const codeDeploy = strategy._controller === ecs.DeploymentControllerType.CODE_DEPLOY;
    const requests = props.requests ?? 1000;
    const concurrency = props.concurrency ?? 10;
    const timeLimit = props.timeLimit ?? Duration.minutes(1);
    const requestTimeout = props.requestTimeout ?? Duration.seconds(10);
    const maxErrorRatePercent = props.maxErrorRatePercent ?? 1;
    const maxLatencyP99 = props.maxLatencyP99 ?? Duration.seconds(1);
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const urlPath = props.path ?? '/';

    this.validate(props, {
      codeDeploy, requests, concurrency, timeLimit, requestTimeout, maxErrorRatePercent, maxLatencyP99, cpu, memoryLimitMiB, urlPath,
    });
    const loadBalancer = service.loadBalancer!;
    const testPort = strategy.testListenerPort!;
    const protocol = service.url!.startsWith('https:') ? 'https' : 'http';
    this.url = `${protocol}://${loadBalancer.loadBalancerDnsName}:${testPort}${urlPath}`;
    this.loadTesterName = Names.uniqueId(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const cluster = service.infra.cluster;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    // The LoadTester's script in `once` mode with the gate's thresholds: its exit code is the
    // verdict (SCRIPT_EXIT_CODES).
    addLoadTestContainer(this, this.taskDefinition, {
      containerName: CONTAINER_NAME,
      image: props.image,
      memoryLimitMiB,
      logGroup: this.logGroup,
      streamPrefix: 'gate',
      settings: {
        testerName: this.loadTesterName,
        targets: [{ name: 'gate', url: this.url }],
        requests,
        concurrency,
        timeLimitSeconds: timeLimit.toSeconds(),
        requestTimeoutSeconds: requestTimeout.toSeconds(),
        mode: 'once',
        pauseSeconds: 1,
        maxErrorRatePercent,
        maxLatencyP99Millis: maxLatencyP99.toMilliseconds(),
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment carries the load-test script, its settings, thresholds and the test listener\'s URL, none of them secret.',
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: service.infra.vpc,
      description: `Load-test gate of ${service.serviceName}`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Image pulls and CloudWatch Logs over HTTPS');
    // The test listener admits the VPC's CIDR (blue-green.ts); the task reaches it at a private address.
    securityGroup.addEgressRule(ec2.Peer.ipv4(service.infra.vpc.vpcCidrBlock), ec2.Port.tcp(testPort), `Test listener of ${service.serviceName}`);
    this.securityGroup = securityGroup;

    const internetFacing = (loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer).scheme === 'internet-facing';
    const deadlineSeconds = START_ALLOWANCE_SECONDS + timeLimit.toSeconds() + requestTimeout.toSeconds() + STOP_ALLOWANCE_SECONDS;
    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention, removalPolicy });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the load-test gate of ${service.serviceName} and reports its verdict`,
    });
    // Its own log group instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    functionLogs.grantWrite(role);
    const subnets = service.infra.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
    const fn = new lambda.Function(this, 'Function', {
      description: `Load-test gate of ${service.serviceName}: runs ${this.loadTesterName} against the test listener and reports`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(FUNCTION_CODE),
      role: role.withoutPolicyUpdates(),
      logGroup: functionLogs,
      // ECS: each invocation starts or looks at the task and returns. CodeDeploy: one invocation
      // waits for the task, which the validation keeps within the Lambda limit.
      timeout: codeDeploy ? Duration.seconds(LAMBDA_MAX_SECONDS) : Duration.minutes(1),
      memorySize: 256,
      // A failed asynchronous invocation (CodeDeploy's) would otherwise run again and start a second load test.
      retryAttempts: 0,
      environment: {
        GATE_CLUSTER: cluster.clusterArn,
        GATE_TASK_DEFINITION: this.taskDefinition.taskDefinitionArn,
        GATE_CONTAINER: CONTAINER_NAME,
        GATE_SUBNETS: subnets.join(','),
        GATE_SECURITY_GROUPS: securityGroup.securityGroupId,
        GATE_TARGET_URL: this.url,
        GATE_DEADLINE_SECONDS: String(deadlineSeconds),
        GATE_POLL_SECONDS: String(POLL_SECONDS),
        ...(internetFacing ? { GATE_LOAD_BALANCER_ENI: `ELB ${loadBalancer.loadBalancerFullName}` } : {}),
      },
    });
    fn.node.addDependency(role);
    this.hookFunction = fn;
    const runSeconds = MODELLED_START_SECONDS + timeLimit.toSeconds() + requestTimeout.toSeconds();
    this.estimatedRunTime = Duration.seconds(Math.ceil(runSeconds / POLL_SECONDS) * POLL_SECONDS);
    registerDeploymentGate(service, {
      name: 'load test on test traffic (LoadTestGate)',
      seconds: this.estimatedRunTime.toSeconds(),
      basis: `task start ${MODELLED_START_SECONDS} s + timeLimit ${timeLimit.toSeconds()} s + requestTimeout ${requestTimeout.toSeconds()} s, polled every ${POLL_SECONDS} s`,
    });
    this.grantFunction(role, cluster, codeDeploy, internetFacing);

    if (codeDeploy) {
      grantInvokeHook(service, fn.functionArn);
      registerAfterAllowTestTraffic(service, fn);
    } else {
      const hookRole = new iam.Role(this, 'HookRole', {
        assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
        description: `Lets ECS invoke the load-test gate of ${service.serviceName}`,
      });
      hookRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      service.service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(fn, 'LoadTestGate', {
        role: hookRole,
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }));
      service.service.node.addDependency(hookRole);
    }
  }

  /**
   * What the function calls: RunTask of this gate's family in the service's cluster, DescribeTasks
   * and StopTask of that cluster's tasks, PassRole of the task's two roles; with CodeDeploy,
   * PutLifecycleEventHookExecutionStatus; with an internet-facing load balancer, DescribeNetworkInterfaces.
   */
  private grantFunction(role: iam.Role, cluster: ecs.ICluster, codeDeploy: boolean, internetFacing: boolean): void {
    const revisions = familyRevisions(this, this.taskDefinition);
    grantRunTask(role, revisions, cluster);
    const tasks = ecsArn(this, 'task/*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [tasks],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    acknowledgeWildcards(role, [resourceFinding(this, revisions)],
      'Revisions get their numbers when they are registered: RunTask of this gate\'s family, in the service\'s cluster only (ecs:cluster).');
    acknowledgeWildcards(role, [resourceFinding(this, tasks)],
      'The task gets its ID when it starts: DescribeTasks and StopTask on the tasks of the service\'s cluster (ecs:cluster), to wait for the one the gate started.');
    const wildcardOnly: string[] = [];
    if (codeDeploy) {
      wildcardOnly.push('codedeploy:PutLifecycleEventHookExecutionStatus');
    }
    if (internetFacing) {
      wildcardOnly.push('ec2:DescribeNetworkInterfaces');
    }
    if (wildcardOnly.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: wildcardOnly, resources: ['*'] }));
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${wildcardOnly.join(' and ')} support no resource-level permissions (Service Authorization Reference): they are authorized on * only.`,
      });
    }
  }

  private validate(props: LoadTestGateProps, v: {
    codeDeploy: boolean;
    requests: number;
    concurrency: number;
    timeLimit: Duration;
    requestTimeout: Duration;
    maxErrorRatePercent: number;
    maxLatencyP99: Duration;
    cpu: number;
    memoryLimitMiB: number;
    urlPath: string;
  }): void {
    const service = props.service;
    const strategy = service.deploymentStrategy;
    if (!strategy._isBlueGreen || !service.testListener) {
      fail(this, `service '${service.serviceName}' deploys with ${strategy._describe()}, which has no test listener to test before production traffic moves: use DeploymentStrategy.blueGreen(), canary(), linear() or codeDeploy()`);
    }
    if (Stack.of(this) !== Stack.of(service)) {
      fail(this, `the gate is in stack '${Stack.of(this).stackName}' but service '${service.serviceName}' is in '${Stack.of(service).stackName}': create the gate in the service's stack (the service names the gate's function, the gate reads the service's load balancer)`);
    }
    checkRunBounds(this, v);
    if (Token.isUnresolved(v.maxErrorRatePercent)) {
      fail(this, 'maxErrorRatePercent must be known at synth: the script compares with a number');
    }
    const e = v.maxErrorRatePercent;
    if (e < 0 || e > 100 || Math.abs(e * 100 - Math.round(e * 100)) > 1e-9) {
      fail(this, `maxErrorRatePercent (${e}) must be from 0 to 100 with at most two decimals, for example 1 or 0.5`);
    }
    if (v.maxLatencyP99.isUnresolved()) {
      fail(this, 'maxLatencyP99 must be known at synth: the script compares with a number');
    }
    const p99 = v.maxLatencyP99.toMilliseconds({ integral: false });
    if (!Number.isInteger(p99) || p99 < 1 || p99 > v.requestTimeout.toMilliseconds()) {
      fail(this, `maxLatencyP99 (${p99} ms) must be a whole number of milliseconds from 1 to requestTimeout (${v.requestTimeout.toMilliseconds()} ms): a response slower than requestTimeout fails the run anyway`);
    }
    if (!Token.isUnresolved(v.urlPath) && (!v.urlPath.startsWith('/') || /\s/.test(v.urlPath) || v.urlPath.length > 2048)) {
      fail(this, `path ('${v.urlPath}') must start with '/', contain no whitespace and have at most 2048 characters, for example '/health'`);
    }
    // CodeDeploy invokes its hook once: the function waits for the task within the Lambda limit,
    // with time to start the task, let it finish, poll once more and report.
    const run = v.timeLimit.toSeconds() + v.requestTimeout.toSeconds();
    const codeDeployMax = LAMBDA_MAX_SECONDS - START_ALLOWANCE_SECONDS - STOP_ALLOWANCE_SECONDS - 2 * POLL_SECONDS;
    if (v.codeDeploy && run > codeDeployMax) {
      fail(this, `timeLimit (${v.timeLimit.toSeconds()} s) plus requestTimeout (${v.requestTimeout.toSeconds()} s) is ${run} s, but with DeploymentStrategy.codeDeploy() the hook function (at most ${LAMBDA_MAX_SECONDS} s) must see the task end: keep them at most ${codeDeployMax} s together, or use an ECS-native strategy, whose hook polls without that limit`);
    }
  }
}
