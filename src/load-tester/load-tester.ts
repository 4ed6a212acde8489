import { Annotations, Duration, Names, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LoadTestTarget } from './load-test-target';
import { LoadTestTrigger } from './load-test-trigger';
import { IBaseInfra } from '../base-infra';
import { addLoadTestContainer } from '../private/load-test-container';
import {
  LOAD_TEST_METRICS, LOAD_TEST_NAMESPACE, LoadTestMetricKey, NAME_PATTERN, TARGET_DIMENSION, TESTER_DIMENSION,
  AB_SECONDS, checkRunBounds,
} from '../private/load-test-metrics';
import { RunTaskTarget } from '../private/run-task-target';
import { checkSchedule } from '../private/schedule-expression';
import { checkWholeSeconds, fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';
import { ServiceImage } from '../service-image';


/**
 * Properties of `LoadTester`.
 */
export interface LoadTesterProps {
  /** The VPC and cluster to run in. The tasks run in the VPC's private subnets. */
  readonly infra: IBaseInfra;

  /** Where the requests go, for example `LoadTestTarget.cloudMap(backend, { path: '/items' })`. */
  readonly targets: LoadTestTarget[];

  /**
   * When the load test runs.
   *
   * @default LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.hours(1)))
   */
  readonly trigger?: LoadTestTrigger;

  /**
   * Whether the load test runs. `false` disables the schedule's rule, or sets a continuous
   * tester's desired count to 0, and keeps everything else in place.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Requests per target and run (ab -n).
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
   * The longest a run against one target may take (ab -t), in whole seconds. The run ends when
   * `requests` are done or this time is up, whichever comes first.
   *
   * @default Duration.minutes(1)
   */
  readonly timeLimit?: Duration;

  /**
   * The longest wait for one response (ab -s), in whole seconds. A slower response ends the run
   * as failed. At most `timeLimit`.
   *
   * @default Duration.seconds(10)
   */
  readonly requestTimeout?: Duration;

  /**
   * The value of the `LoadTester` dimension of the metrics: letters, digits, '.', '_' and '-'.
   *
   * @default - the construct's unique ID in the app
   */
  readonly loadTesterName?: string;

  /**
   * The image that runs the script. It needs `ab`, a POSIX `sh`, `base64`, `awk`, `date` and `sleep`.
   *
   * @default - the official httpd image from ECR Public (`public.ecr.aws/docker/library/httpd:2.4`)
   */
  readonly image?: ServiceImage;

  /**
   * Where the tasks run.
   *
   * @default ServiceCapacity.fargateSpot({ onDemandBase: 0 }) - an interrupted run only loses one sample
   */
  readonly capacity?: ServiceCapacity;

  /**
   * CPU units of the task (1024 = 1 vCPU).
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Memory of the task in MiB. Fargate allows only certain values per `cpu`.
   *
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * How long the logs (and the metric records in them) are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A bounded load generator on Fargate inside the VPC. Each run sends ApacheBench (`ab`) traffic
 * to every target, bounded by a request count, a concurrency and a time limit, and reports
 * requests per second, latency percentiles and failures as CloudWatch metrics (see the
 * `metricXxx()` methods), on a schedule or continuously.
 *
 * The default image is the official httpd image, which has `ab`; the script it runs ships with
 * this library and is passed to the container in an environment variable, so nothing needs to be
 * built.
 */
export class LoadTester extends Construct implements ec2.IConnectable {
  /** The value of the `LoadTester` dimension of the metrics. */
  public readonly loadTesterName: string;
  /** The targets, in the order they are run. */
  public readonly targets: LoadTestTarget[];
  /** The task definition of the load-test task. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container that runs the script. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group the results are written to (and metrics extracted from). */
  public readonly logGroup: logs.ILogGroup;
  /** The security group of the tasks. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The tasks' network connections. Egress to the targets is opened already. */
  public readonly connections: ec2.Connections;
  /** The rule that starts the task. Undefined for a continuous load test. */
  public readonly rule?: events.Rule;
  /** The service that keeps the task running. Undefined for a scheduled load test. */
  public readonly service?: ecs.FargateService;

  /**
   * @param scope the construct to create the load tester in
   * @param id the ID of the load tester, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the LoadTester's properties
   */
  constructor(scope: Construct, id: string, props: LoadTesterProps) {
    super(scope, id);

    const trigger = props.trigger ?? LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.hours(1)));
    const enabled = props.enabled ?? true;
    const requests = props.requests ?? 1000;
    const concurrency = props.concurrency ?? 10;
    const timeLimit = props.timeLimit ?? Duration.minutes(1);
    const requestTimeout = props.requestTimeout ?? Duration.seconds(10);
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const capacity = props.capacity ?? ServiceCapacity.fargateSpot({ onDemandBase: 0 });
    const loadTesterName = props.loadTesterName ?? Names.uniqueId(this);

    this.validate(props, { trigger, requests, concurrency, timeLimit, requestTimeout, cpu, memoryLimitMiB, loadTesterName });
    if (capacity._compatibility !== ecs.Compatibility.FARGATE) {
      fail(this, 'capacity must be ServiceCapacity.fargate() or ServiceCapacity.fargateSpot(): the load tester runs on Fargate');
    }

    this.loadTesterName = loadTesterName;
    this.targets = [...props.targets];

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu,
      memoryLimitMiB,
      // Images are built for X86_64 unless they say otherwise, and the tester takes any image (props.image).
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });

    this.container = addLoadTestContainer(this, this.taskDefinition, {
      containerName: 'load-tester',
      image: props.image,
      memoryLimitMiB,
      logGroup: this.logGroup,
      streamPrefix: 'load-tester',
      settings: {
        testerName: loadTesterName,
        targets: this.targets.map(t => ({ name: t.name, url: t.url })),
        requests,
        concurrency,
        timeLimitSeconds: timeLimit.toSeconds(),
        requestTimeoutSeconds: requestTimeout.toSeconds(),
        mode: trigger.schedule ? 'once' : 'loop',
        // The script checks every setting up front; a scheduled run never pauses, so any valid value does.
        pauseSeconds: trigger.pauseBetweenRuns?.toSeconds() ?? 1,
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment carries the load-test script, its settings and the target URLs, none of them secret.',
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.infra.vpc,
      description: `Load tester ${loadTesterName}`,
      allowAllOutbound: false,
    });
    // Image pulls from ECR Public and log delivery go through the NAT gateway over HTTPS.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Image pulls and CloudWatch Logs over HTTPS');
    this.securityGroup = securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    for (const target of this.targets) {
      target._allowFrom(this);
    }

    const subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    if (trigger.schedule) {
      this.rule = new events.Rule(this, 'Schedule', {
        schedule: trigger.schedule,
        enabled,
        description: `Starts load tester ${loadTesterName}`,
        targets: [new RunTaskTarget({
          cluster: props.infra.cluster,
          taskDefinition: this.taskDefinition,
          capacityProviderStrategies: capacity._capacityProviderStrategies,
          subnets,
          securityGroups: [securityGroup],
          role: new iam.Role(this, 'ScheduleRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') }),
        })],
      });
    } else {
      this.service = new ecs.FargateService(this, 'Service', {
        cluster: props.infra.cluster,
        taskDefinition: this.taskDefinition,
        desiredCount: enabled ? 1 : 0,
        capacityProviderStrategies: capacity._capacityProviderStrategies,
        vpcSubnets: subnets,
        securityGroups: [securityGroup],
        assignPublicIp: false,
        // Stop the old tester before starting the new one: two at once would double the load.
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { enable: true, rollback: true },
        propagateTags: ecs.PropagatedTagSource.SERVICE,
      });
    }
  }

  /** Requests per second of each run against the target (ab's mean), average over 5 minutes by default. */
  public metricRequestsPerSecond(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('requestsPerSecond', target, cloudwatch.Stats.AVERAGE, props);
  }

  /** The run's median response time in milliseconds, average over 5 minutes by default. */
  public metricLatencyP50(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('latencyP50', target, cloudwatch.Stats.AVERAGE, props);
  }

  /** The run's 90th-percentile response time in milliseconds, average over 5 minutes by default. */
  public metricLatencyP90(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('latencyP90', target, cloudwatch.Stats.AVERAGE, props);
  }

  /** The run's 99th-percentile response time in milliseconds, average over 5 minutes by default. */
  public metricLatencyP99(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('latencyP99', target, cloudwatch.Stats.AVERAGE, props);
  }

  /** Requests ab completed (answered or failed), sum over 5 minutes by default. */
  public metricCompletedRequests(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('completedRequests', target, cloudwatch.Stats.SUM, props);
  }

  /**
   * Requests ab counted as failed: connection, receive and exception errors, sum over 5 minutes by
   * default. One request can count more than once.
   */
  public metricFailedRequests(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('failedRequests', target, cloudwatch.Stats.SUM, props);
  }

  /** Responses with a status other than 2xx, sum over 5 minutes by default. */
  public metricNon2xxResponses(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('non2xxResponses', target, cloudwatch.Stats.SUM, props);
  }

  /**
   * Runs that measured nothing (no request answered, or a response slower than `requestTimeout`),
   * sum over 5 minutes by default.
   */
  public metricFailedRuns(target: LoadTestTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('failedRuns', target, cloudwatch.Stats.SUM, props);
  }

  private metric(key: LoadTestMetricKey, target: LoadTestTarget, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.targets.includes(target)) {
      fail(this, `target '${target.name}' is not one of this load tester's targets: pass one of tester.targets`);
    }
    return new cloudwatch.Metric({
      namespace: LOAD_TEST_NAMESPACE,
      metricName: LOAD_TEST_METRICS[key].name,
      dimensionsMap: { [TESTER_DIMENSION]: this.loadTesterName, [TARGET_DIMENSION]: target.name },
      statistic,
      ...props,
    });
  }

  private validate(props: LoadTesterProps, v: {
    trigger: LoadTestTrigger;
    requests: number;
    concurrency: number;
    timeLimit: Duration;
    requestTimeout: Duration;
    cpu: number;
    memoryLimitMiB: number;
    loadTesterName: string;
  }): void {
    if (props.targets.length === 0) {
      fail(this, 'targets is empty: pass at least one target, for example LoadTestTarget.cloudMap(service)');
    }
    const names = new Set<string>();
    for (const target of props.targets) {
      if (names.has(target.name)) {
        fail(this, `two targets are named '${target.name}': give each a unique name (LoadTestTargetOptions.name)`);
      }
      names.add(target.name);
    }
    if (!Token.isUnresolved(v.loadTesterName) && !NAME_PATTERN.test(v.loadTesterName)) {
      fail(this, `loadTesterName ('${v.loadTesterName}') must be 1-128 letters, digits, '.', '_' and '-', starting with a letter or digit`);
    }
    checkRunBounds(this, v);
    if (v.trigger.pauseBetweenRuns) {
      checkWholeSeconds(this, 'pauseBetweenRuns', v.trigger.pauseBetweenRuns, 1, 86_400, AB_SECONDS);
    }

    // A round can take every target's time limit plus a request timeout; a schedule that fires
    // sooner starts a second tester next to the first and doubles the load.
    const interval = v.trigger.schedule ? checkSchedule(this, 'trigger', v.trigger.schedule, 'eventbridge')?.rateSeconds : undefined;
    const longestRound = props.targets.length * (v.timeLimit.toSeconds() + v.requestTimeout.toSeconds());
    if (interval !== undefined && longestRound > interval) {
      Annotations.of(this).addWarningV2('cdk-ecs-devops:loadTestOverlap',
        `a round of runs can take ${longestRound} s (${props.targets.length} targets × (timeLimit + requestTimeout)) but the schedule starts one every ${interval} s, so runs can overlap: lower timeLimit or schedule less often`);
    }
  }
}
