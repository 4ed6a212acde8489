import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ScheduledTaskProps } from './props';
import { resolveScheduledTask } from './resolve';
import { addRunMonitoring, metricFailedRuns } from './run-monitoring';
import { addRunSchedule } from './run-schedule';
import { addRunTimeLimit } from './run-time-limit';
import { IBaseInfra } from '../base-infra';
import { grantExecuteCommand } from '../micro-service/exec';
import { addTask, createLogGroup, createRepository } from '../micro-service/task';
import { IDeployTarget } from '../pipelines/deploy-target';
import { deadLetterQueue as createDeadLetterQueue } from '../private/dead-letter-queue';
import { connectVolumes } from '../private/efs-mount';
import { ServiceCapacity } from '../service-capacity';

/**
 * A task run on a schedule by EventBridge Scheduler, on Fargate or EC2: time zones, a flexible
 * window, retries of runs that fail to start and a dead-letter queue. An alarm when a run fails
 * to start, exits with a non-zero code or runs longer than `maxRunTime` (and is stopped). With
 * `ServiceImage.fromPipeline()` every run takes the image the pipeline released last.
 *
 * @exampleMetadata fixture=scheduled-task
 * @example
 * new ScheduledTask(this, 'Nightly', {
 *   infra,
 *   taskName: 'nightly-report',
 *   image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/docker/library/busybox:stable' }),
 *   schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
 * });
 */
export class ScheduledTask extends Construct implements iam.IGrantable, ec2.IConnectable, IDeployTarget {
  /** The infrastructure the task runs on. */
  public readonly infra: IBaseInfra;
  /** The task's name: container name, log stream prefix and ECS task group `scheduled:<taskName>`. */
  public readonly taskName: string;
  /** The CPU architecture of the task. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Where the task runs. For `ServiceCapacity.ec2()`, with its capacity provider resolved. */
  public readonly capacity: ServiceCapacity;
  /** The longest one run may take before it is stopped. */
  public readonly maxRunTime: Duration;

  /** The task definition. Every run takes its newest revision. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECR repository for the task's images. */
  public readonly repository: ecr.IRepository;
  /** The container's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The parameter holding the image the pipeline deployed last. Undefined unless the image is `ServiceImage.fromPipeline()`. */
  public readonly imageParameter?: ssm.IStringParameter;
  /** The EventBridge Scheduler schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role EventBridge Scheduler runs the task with. */
  public readonly schedulerRole: iam.IRole;
  /** Failed runs: invocations that could not start, and ECS events of runs that failed. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The rule that sends the events of failed runs to the dead-letter queue. */
  public readonly failedRunRule: events.Rule;
  /** Fires when a run fails. Named `<stack>-<taskName>-failed`. */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** Stops a run after `maxRunTime`. */
  public readonly runTimeLimit: sfn.StateMachine;

  /** The security group of the task (outbound only by default). */
  public readonly connections: ec2.Connections;
  /** The task role: what the application's AWS SDK calls run as. */
  public readonly grantPrincipal: iam.IPrincipal;

  /**
   * @param scope the construct to create the scheduled task in
   * @param id the ID of the scheduled task, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the ScheduledTask's properties
   */
  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const r = resolveScheduledTask(this, props);
    this.infra = props.infra;
    this.taskName = props.taskName;
    this.cpuArchitecture = r.cpuArchitecture;
    this.capacity = r.capacity;
    this.maxRunTime = r.maxRunTime;

    this.repository = props.repository ?? createRepository(this, r);
    this.logGroup = createLogGroup(this, r);
    const task = addTask(this, r, this.repository, this.logGroup);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.imageParameter = task.imageParameter;
    this.grantPrincipal = this.taskDefinition.taskRole;

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.infra.vpc,
      description: `The runs of ${props.taskName}`,
      allowAllOutbound: true,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    connectVolumes(props.volumes, this);

    const deadLetterQueue = createDeadLetterQueue(this, r.removalPolicy,
      'This queue is the dead-letter queue of the schedule and of failed runs; a dead-letter queue of its own would only hold what nobody reads.');
    this.deadLetterQueue = deadLetterQueue;

    const executeCommand = grantExecuteCommand(this, props, this.taskDefinition);
    const run = addRunSchedule(this, r, this.taskDefinition, securityGroup, deadLetterQueue, executeCommand);
    this.schedule = run.schedule;
    this.schedulerRole = run.role;
    const monitoring = addRunMonitoring(this, r, deadLetterQueue);
    this.failedRunRule = monitoring.failedRunRule;
    this.failureAlarm = monitoring.failureAlarm;
    this.runTimeLimit = addRunTimeLimit(this, r);
  }

  /**
   * Failed runs (messages sent to the dead-letter queue), sum over 1 minute by default.
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricFailedRuns(this.deadLetterQueue, props);
  }

  /**
   * Runs started: executions of the run-time limit, one per run that reached RUNNING, sum over 5
   * minutes by default.
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricRunsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.runTimeLimit.metricStarted({ statistic: cloudwatch.Stats.SUM, label: 'Runs started', ...props });
  }
}
