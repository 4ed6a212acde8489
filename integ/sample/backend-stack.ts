import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { SampleDelivery } from './delivery';
import { IBaseInfra, LoadBalancerType, MicroService, RollingPipeline, ServiceDashboard } from '../../src';

export interface BackendStackProps extends StackProps {
  readonly infra: IBaseInfra;
}

/** The backend team's stack: a JSON API behind an internal load balancer, its table, its rolling pipeline and its dashboard. */
export class BackendStack extends Stack {
  public readonly service: MicroService;
  public readonly table: dynamodb.Table;
  public readonly dashboard: ServiceDashboard;
  public readonly pipeline: RollingPipeline;

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
    const delivery = new SampleDelivery(this, 'Delivery', config, 'backend');
    this.service = new MicroService(this, 'Backend', {
      infra: props.infra,
      serviceName: 'backend',
      image: delivery.image,
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryLimitMiB,
      loadBalancerType: LoadBalancerType.INTERNAL,
      environment: { TABLE_NAME: this.table.tableName },
      targetHealthCheck: { path: '/health' },
      // The image runs as `node` and writes nothing to its filesystem; saying so lets compliance rules see it.
      user: 'node',
      readonlyRootFilesystem: true,
      autoScaling: { minCapacity: settings.minTasks, maxCapacity: settings.maxTasks, targetCpuUtilizationPercent: settings.targetCpuPercent },
      removalPolicy: config.removalPolicy,
    });
    // Exactly what the backend calls (Scan, PutItem): grantReadWriteData would add the stream actions, which never fit a table ARN.
    this.table.grant(this.service, 'dynamodb:Scan', 'dynamodb:PutItem');
    delivery.grantInitialPull(this.service.taskDefinition.obtainExecutionRole());
    this.pipeline = new RollingPipeline(this, 'Pipeline', {
      service: this.service,
      source: delivery.source,
      imageBuild: delivery.imageBuild,
      manualApproval: config.manualApproval,
      notificationEmails: config.notificationEmails,
      removalPolicy: config.removalPolicy,
    });
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      services: [this.service],
      alarmEmails: config.notificationEmails,
      alarmThresholds: { errorRatePercent: settings.errorRatePercent, latencyP99: Duration.millis(settings.p99LatencyMs) },
      deploymentAlarms: true,
    });
  }
}
