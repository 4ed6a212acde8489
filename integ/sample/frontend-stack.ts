import { Annotations, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { SampleDelivery } from './delivery';
import { BlueGreenPipeline, DeploymentStrategy, IBaseInfra, LoadBalancerType, LoadTestGate, MicroService, ServiceDashboard } from '../../src';

export interface FrontendStackProps extends StackProps {
  readonly infra: IBaseInfra;
  readonly backend: MicroService;
  /**
   * Where the frontend's images come from when a release promotes it through several stages: the
   * release's build repository. Unset: the frontend's own repository and its own pipeline.
   */
  readonly releasedFrom?: ecr.IRepository;
}

/**
 * The frontend team's stack: a web page behind a public load balancer that calls the backend through
 * Cloud Map, delivered by an ECS-native canary pipeline.
 */
export class FrontendStack extends Stack {
  public readonly service: MicroService;
  public readonly dashboard: ServiceDashboard;
  /** The frontend's own pipeline; undefined when a release promotes it (`releasedFrom`). */
  public readonly pipeline?: BlueGreenPipeline;
  /** The frontend's source and first image. */
  public readonly delivery: SampleDelivery;
  public readonly gate: LoadTestGate;

  constructor(scope: Construct, id: string, config: StageConfig, props: FrontendStackProps) {
    super(scope, id, props);
    const settings = config.frontend;
    const delivery = new SampleDelivery(this, 'Delivery', config, 'frontend');
    this.delivery = delivery;
    const canary = config.frontendCanary;
    const domain = config.frontendDomain;
    this.service = new MicroService(this, 'Frontend', {
      infra: props.infra,
      serviceName: 'frontend',
      image: delivery.image,
      repository: props.releasedFrom,
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryLimitMiB,
      loadBalancerType: LoadBalancerType.PUBLIC,
      domainName: domain?.domainName,
      hostedZone: domain && route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.zoneName }),
      environment: { BACKEND_URL: props.backend.serviceDiscoveryUrl },
      targetHealthCheck: { path: '/health' },
      // The image runs as `node` and writes nothing to its filesystem; saying so lets compliance rules see it.
      user: 'node',
      readonlyRootFilesystem: true,
      autoScaling: { minCapacity: settings.minTasks, maxCapacity: settings.maxTasks, targetCpuUtilizationPercent: settings.targetCpuPercent },
      removalPolicy: config.removalPolicy,
      deploymentStrategy: DeploymentStrategy.canary({
        canaryPercent: canary.percent,
        canaryInterval: Duration.minutes(canary.intervalMinutes),
        bakeTime: Duration.minutes(canary.bakeMinutes),
      }),
    });
    // Before production moves: load on the canary's test listener, through the page that calls the
    // backend, so a release that breaks either side stops here and rolls back.
    const gate = config.frontendGate;
    this.gate = new LoadTestGate(this, 'Gate', {
      service: this.service,
      path: '/',
      requests: gate.requests,
      concurrency: gate.concurrency,
      timeLimit: Duration.seconds(gate.timeLimitSeconds),
      maxErrorRatePercent: settings.errorRatePercent,
      maxLatencyP99: Duration.millis(settings.p99LatencyMs),
      removalPolicy: config.removalPolicy,
    });
    delivery.grantInitialPull(this.service.taskDefinition.obtainExecutionRole());
    if (!props.releasedFrom) {
      this.pipeline = new BlueGreenPipeline(this, 'Pipeline', {
        service: this.service,
        source: delivery.source,
        imageBuild: delivery.imageBuild,
        notificationEmails: config.notificationEmails,
        removalPolicy: config.removalPolicy,
      });
    }
    // Opened from the caller's side, so the rule lives in this stack and the backend stack stays independent of it.
    this.service.connections.allowToDefaultPort(props.backend, 'Frontend calls the backend through Cloud Map');
    for (const sg of this.service.connections.securityGroups) {
      Annotations.of(sg).acknowledgeWarning('@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
        'Tasks may open any outbound connection (image pulls, AWS APIs), so the egress half of the rule is already covered.');
    }
    if (!domain) {
      Annotations.of(this.service).acknowledgeWarning('cdk-ecs-devops:publicHttp',
        'The stage has no frontendDomain, so the sample deploys into accounts without a domain; set frontendDomain to serve HTTPS.');
    }
    Annotations.of(this.service).acknowledgeWarning('cdk-ecs-devops:cloudMapBypassesShifting',
      'Users reach the frontend through its public load balancer only; nothing calls it by its Cloud Map name.');
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      services: [this.service],
      alarmEmails: config.notificationEmails,
      alarmThresholds: { errorRatePercent: settings.errorRatePercent, latencyP99: Duration.millis(settings.p99LatencyMs) },
      deploymentAlarms: true,
    });
  }
}
