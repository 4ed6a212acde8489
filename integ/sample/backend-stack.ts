import { Duration, Stack, StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { SampleDelivery } from './delivery';
import { IBaseInfra, LoadBalancerType, MicroService, RollingPipeline, ScheduledTask, ServiceDashboard, Sidecar, WorkerService } from '../../src';

export interface BackendStackProps extends StackProps {
  readonly infra: IBaseInfra;
}

/**
 * The backend team's stack: a JSON API behind an internal load balancer, its table, a worker that
 * processes the API's "item created" events, a nightly report, their rolling pipelines and one
 * dashboard.
 */
export class BackendStack extends Stack {
  public readonly service: MicroService;
  public readonly table: dynamodb.Table;
  public readonly itemEvents: sns.Topic;
  public readonly worker: WorkerService;
  public readonly nightly: ScheduledTask;
  public readonly dashboard: ServiceDashboard;
  public readonly pipeline: RollingPipeline;
  public readonly workerPipeline: RollingPipeline;
  public readonly nightlyPipeline: RollingPipeline;

  constructor(scope: Construct, id: string, config: StageConfig, props: BackendStackProps) {
    super(scope, id, props);
    const settings = config.backend;
    this.table = new dynamodb.Table(this, 'Items', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: config.removalPolicy,
    });
    this.itemEvents = new sns.Topic(this, 'ItemEvents', { enforceSSL: true });
    Validations.of(this.itemEvents).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'The events carry an item\'s id, name and creation time, which the API serves anyway; a customer managed key would add cost and key policy for no secret.',
    });
    const delivery = new SampleDelivery(this, 'Delivery', config, 'backend');
    this.service = new MicroService(this, 'Backend', {
      infra: props.infra,
      serviceName: 'backend',
      image: delivery.image,
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryLimitMiB,
      loadBalancerType: LoadBalancerType.INTERNAL,
      environment: { TABLE_NAME: this.table.tableName, ITEMS_TOPIC_ARN: this.itemEvents.topicArn },
      targetHealthCheck: { path: '/health' },
      // The image runs as `node` and writes nothing to its filesystem; saying so lets compliance rules see it.
      user: 'node',
      readonlyRootFilesystem: true,
      autoScaling: { minCapacity: settings.minTasks, maxCapacity: settings.maxTasks, targetCpuUtilizationPercent: settings.targetCpuPercent },
      // The API logs JSON lines: routed through Fluent Bit, their fields arrive as fields of the
      // record, next to the task's ECS metadata, so Logs Insights can filter on level or path.
      sidecars: [Sidecar.fireLens({ parseJson: true })],
      removalPolicy: config.removalPolicy,
    });
    // Exactly what the backend calls (Scan, PutItem): grantReadWriteData would add the stream actions, which never fit a table ARN.
    this.table.grant(this.service, 'dynamodb:Scan', 'dynamodb:PutItem');
    this.itemEvents.grantPublish(this.service);
    delivery.grantInitialPull(this.service.taskDefinition.obtainExecutionRole());
    this.pipeline = new RollingPipeline(this, 'Pipeline', {
      service: this.service,
      source: delivery.source,
      imageBuild: delivery.imageBuild,
      manualApproval: config.manualApproval,
      notificationEmails: config.notificationEmails,
      removalPolicy: config.removalPolicy,
    });

    // The worker marks each new item processed: about 1 s per message, and a new item should be
    // processed within 2 minutes, so it scales to 120 messages waiting per task, and to zero.
    const workerDelivery = new SampleDelivery(this, 'WorkerDelivery', config, 'worker');
    this.worker = new WorkerService(this, 'Worker', {
      infra: props.infra,
      serviceName: 'item-processor',
      image: workerDelivery.image,
      processingTime: Duration.seconds(1),
      acceptableLatency: Duration.minutes(2),
      topics: [this.itemEvents],
      minCapacity: 0,
      maxCapacity: settings.maxTasks,
      environment: { TABLE_NAME: this.table.tableName },
      user: 'node',
      readonlyRootFilesystem: true,
      removalPolicy: config.removalPolicy,
    });
    this.table.grant(this.worker, 'dynamodb:UpdateItem');
    workerDelivery.grantInitialPull(this.worker.taskDefinition.obtainExecutionRole());
    this.workerPipeline = new RollingPipeline(this, 'WorkerPipeline', {
      service: this.worker,
      source: workerDelivery.source,
      imageBuild: workerDelivery.imageBuild,
      notificationEmails: config.notificationEmails,
      removalPolicy: config.removalPolicy,
    });

    // Every night at 03:00 in Berlin: how many items there are and how many the worker processed.
    const nightlyDelivery = new SampleDelivery(this, 'NightlyDelivery', config, 'nightly');
    this.nightly = new ScheduledTask(this, 'Nightly', {
      infra: props.infra,
      taskName: 'nightly-report',
      image: nightlyDelivery.image,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
      flexibleTimeWindow: Duration.minutes(15),
      maxRunTime: Duration.minutes(15),
      environment: { TABLE_NAME: this.table.tableName },
      user: 'node',
      readonlyRootFilesystem: true,
      removalPolicy: config.removalPolicy,
    });
    this.table.grant(this.nightly, 'dynamodb:Scan');
    nightlyDelivery.grantInitialPull(this.nightly.taskDefinition.obtainExecutionRole());
    this.nightlyPipeline = new RollingPipeline(this, 'NightlyPipeline', {
      service: this.nightly,
      source: nightlyDelivery.source,
      imageBuild: nightlyDelivery.imageBuild,
      notificationEmails: config.notificationEmails,
      removalPolicy: config.removalPolicy,
    });

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      services: [this.service],
      workers: [this.worker],
      scheduledTasks: [this.nightly],
      alarmEmails: config.notificationEmails,
      alarmThresholds: { errorRatePercent: settings.errorRatePercent, latencyP99: Duration.millis(settings.p99LatencyMs) },
      deploymentAlarms: true,
    });
  }
}
