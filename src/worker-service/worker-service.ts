import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { addBacklogScaling } from './backlog-scaling';
import { WorkerServiceProps } from './props';
import { addQueues } from './queue';
import { resolveWorker } from './resolve';
import { addWorkerAlarms } from './worker-alarms';
import { IBaseInfra } from '../base-infra';
import { DeploymentStrategy } from '../deployment-strategy';
import { addDeploymentAlarm } from '../micro-service/deployment-alarms';
import { enableExecuteCommand } from '../micro-service/exec';
import { addTask, createLogGroup, createRepository } from '../micro-service/task';
import { IDeployTarget } from '../pipelines/deploy-target';
import { enableDeploymentAlarms } from '../private/deployment-alarm-override';
import { DeploymentModel, modelDeployment } from '../private/deployment-timing';
import { connectVolumes } from '../private/efs-mount';
import { fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';

/** How long a new task takes to start and take messages, for the deployment model: a worker has no health check to wait for. */
const STARTUP_TIME = Duration.seconds(60);

/**
 * A queue consumer on ECS: an SQS queue with a dead-letter queue (or one passed in), optionally
 * fed by SNS topics or an EventBridge rule, and a service without a load balancer that scales
 * on backlog per task, with the target worked out from the acceptable latency and the time one
 * message takes. The container gets the queue's URL in `QUEUE_URL` and may receive and delete
 * its messages.
 *
 * @example
 * const worker = new WorkerService(this, 'Thumbnails', {
 *   infra,
 *   serviceName: 'thumbnails',
 *   image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/docker/library/busybox:stable' }),
 *   processingTime: Duration.seconds(2),
 *   acceptableLatency: Duration.minutes(5),
 * });
 */
export class WorkerService extends Construct implements iam.IGrantable, ec2.IConnectable, IDeployTarget {
  /** The infrastructure the worker runs on. */
  public readonly infra: IBaseInfra;
  /** The worker's name: container name and log stream prefix. */
  public readonly serviceName: string;
  /** The CPU architecture of the tasks. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Where the tasks run. For `ServiceCapacity.ec2()`, with its capacity provider resolved. */
  public readonly capacity: ServiceCapacity;
  /** How new versions replace running ones (rolling). */
  public readonly deploymentStrategy: DeploymentStrategy;
  /** The messages one task may have waiting, `acceptableLatency` ÷ `processingTime`: the scaling target. */
  public readonly backlogPerTaskTarget: number;
  /** How long a stopping task has to finish the message in hand. */
  public readonly stopTimeout: Duration;
  /**
   * How long one deployment of this worker takes, modelled per rolling batch: a new task's start
   * (60 s) and the old task's `stopTimeout`. Image pulls slower than that and the pipeline's own
   * stages come on top.
   */
  public readonly estimatedDeploymentTime: Duration;
  /** @internal */
  public readonly _deploymentModel: DeploymentModel;

  /** The queue the worker consumes. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue. Undefined for a passed-in queue without one. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The rule that sends events to the queue. Undefined without `eventPattern`. */
  public readonly eventRule?: events.Rule;
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECR repository for the worker's images. */
  public readonly repository: ecr.IRepository;
  /** The container's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The parameter holding the image the pipeline deployed last. Undefined unless the image is `ServiceImage.fromPipeline()`. */
  public readonly imageParameter?: ssm.IStringParameter;
  /** The task-count scaling target, with the backlog-per-task policy. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** Fires when a message is in the dead-letter queue. Undefined without one. */
  public readonly deadLetterAlarm?: cloudwatch.Alarm;
  /** Fires when the oldest message has waited longer than `acceptableLatency`. */
  public readonly oldestMessageAgeAlarm: cloudwatch.Alarm;
  /** Always undefined: a worker has no load balancer. Here so pipelines treat every service alike. */
  public readonly url?: string;

  /** The security groups of the tasks (outbound only by default). */
  public readonly connections: ec2.Connections;
  /** The task role: what the application's AWS SDK calls run as. */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly deploymentAlarmNames: string[] = [];

  /**
   * @param scope the construct to create the worker in
   * @param id the ID of the worker, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the WorkerService's properties
   */
  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const r = resolveWorker(this, props);
    this.infra = props.infra;
    this.serviceName = props.serviceName;
    this.cpuArchitecture = r.cpuArchitecture;
    this.capacity = r.capacity;
    this.deploymentStrategy = r.strategy;
    this.backlogPerTaskTarget = r.backlogPerTask;
    this.stopTimeout = r.stopTimeout;

    const queues = addQueues(this, r);
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.eventRule = queues.eventRule;

    this.repository = props.repository ?? createRepository(this, r);
    this.logGroup = createLogGroup(this, r);
    const environment = { ...props.environment, QUEUE_URL: this.queue.queueUrl };
    const task = addTask(this, { ...r, props: { ...props, environment } }, this.repository, this.logGroup);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.imageParameter = task.imageParameter;
    this.grantPrincipal = this.taskDefinition.taskRole;
    this.queue.grantConsumeMessages(this.grantPrincipal);

    this.service = r.capacity._createService(this, 'Service', {
      cluster: props.infra.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      ...r.strategy._serviceOptions(task.imageParameter !== undefined),
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    r.strategy._configureService(this.service, task);
    enableExecuteCommand(this, props, this.service, this.taskDefinition);
    enableDeploymentAlarms(this.service, this.deploymentAlarmNames);
    this.connections = this.service.connections;
    connectVolumes(props.volumes, this);

    this.scaling = addBacklogScaling(r, this.service, {
      visible: this.metricApproximateNumberOfMessagesVisible(),
      running: this.metricRunningTaskCount(),
    });
    const alarms = addWorkerAlarms(this, r, this.queue, this.deadLetterQueue);
    this.deadLetterAlarm = alarms.deadLetter;
    this.oldestMessageAgeAlarm = alarms.oldestMessageAge;
    this._deploymentModel = modelDeployment({ strategy: r.strategy, startupTime: STARTUP_TIME, deregistrationDelay: r.stopTimeout });
    this.estimatedDeploymentTime = Duration.seconds(this._deploymentModel.totalSeconds);
    this.addDeploymentAlarms(...(props.deploymentAlarms ?? []));
  }

  /**
   * Adds alarms that roll a running deployment back when they fire. Their names must be known at
   * synth (set `alarmName`).
   *
   * @param alarms the alarms to watch during deployments
   */
  public addDeploymentAlarms(...alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      addDeploymentAlarm(this, alarm, this.deploymentAlarmNames, undefined);
    }
  }

  /** SQS ApproximateNumberOfMessagesVisible of the queue: messages waiting, maximum over 1 minute by default. */
  public metricApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  /** SQS ApproximateNumberOfMessagesNotVisible of the queue: messages in flight, maximum over 1 minute by default. */
  public metricApproximateNumberOfMessagesNotVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  /** SQS ApproximateAgeOfOldestMessage of the queue in seconds, maximum over 1 minute by default. */
  public metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  /**
   * SQS ApproximateNumberOfMessagesVisible of the dead-letter queue, maximum over 1 minute by default.
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.deadLetterQueue) {
      fail(this, 'metricDeadLetterMessages() needs a dead-letter queue, but the queue passed in has none: give it one (sqs.Queue deadLetterQueue)');
    }
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props,
    });
  }

  /** Container Insights RunningTaskCount of the service, average over 1 minute by default. */
  public metricRunningTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.infra.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** ECS CPUUtilization of the service, average over 5 minutes by default. */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricCpuUtilization(props);
  }

  /** ECS MemoryUtilization of the service, average over 5 minutes by default. */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricMemoryUtilization(props);
  }
}
