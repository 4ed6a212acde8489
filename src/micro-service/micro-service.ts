import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { addAutoScaling } from './auto-scaling';
import { addDeploymentAlarm } from './deployment-alarms';
import { addService } from './ecs-service';
import { enableExecuteCommand } from './exec';
import { addLoadBalancer } from './load-balancing';
import { MicroServiceProps } from './props';
import { resolveProps } from './resolve';
import { addRollbackAlarms, rollbackMetrics } from './rollback-alarms';
import { addTask, createLogGroup, createRepository } from './task';
import { IBaseInfra } from '../base-infra';
import { DeploymentStrategy } from '../deployment-strategy';
import type { IDeployTarget } from '../pipelines/deploy-target';
import { deploymentGatesOf } from '../private/deployment-gates';
import { DeploymentModel, modelDeployment, TimingInputs } from '../private/deployment-timing';
import { connectVolumes } from '../private/efs-mount';
import { fail } from '../private/validation';
import { ServiceCapacity } from '../service-capacity';

/**
 * One service team's runtime on ECS, on Fargate or on EC2 container instances: task
 * definition, container, service, ECR repository, optional Application Load Balancer, Cloud Map
 * registration, auto scaling, log group and deployment safety.
 *
 * Grant it access like any principal (`table.grantReadWriteData(service)`) and open
 * connections to or from it (`db.connections.allowDefaultPortFrom(service)`).
 */
export class MicroService extends Construct implements iam.IGrantable, ec2.IConnectable, IDeployTarget {
  /** The infrastructure the service runs on. */
  public readonly infra: IBaseInfra;
  /** The service's name in Cloud Map and in its container. */
  public readonly serviceName: string;
  /** The port the container listens on. */
  public readonly containerPort: number;
  /** The CPU architecture of the tasks. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** How new versions replace running ones. */
  public readonly deploymentStrategy: DeploymentStrategy;
  /** Where the tasks run. For `ServiceCapacity.ec2()`, with its capacity provider resolved. */
  public readonly capacity: ServiceCapacity;
  /** How long the load balancer lets in-flight requests finish on a task that is stopping. */
  public readonly deregistrationDelay: Duration;
  /**
   * How long one deployment of this service takes, modelled from its settings: per batch (rolling)
   * or once (blue/green), `startupTime` + one health-check interval + a `LoadTestGate`'s run on
   * test traffic + the strategy's traffic shifting and bake time + the deregistration delay. Image
   * pulls slower than `startupTime` and the pipeline's own stages come on top.
   */
  public get estimatedDeploymentTime(): Duration {
    return Duration.seconds(this._deploymentModel.totalSeconds);
  }

  /**
   * The deployment's phases, with the gates registered on this service by now.
   *
   * @internal
   */
  public get _deploymentModel(): DeploymentModel {
    return modelDeployment({ ...this.timingInputs, gates: deploymentGatesOf(this) });
  }

  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECR repository for the service's images. */
  public readonly repository: ecr.IRepository;
  /** The container's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The Cloud Map service the tasks register in. */
  public readonly cloudMapService: servicediscovery.IService;
  /** The URL inside the VPC, through Cloud Map: `http://<serviceName>.<namespace>:<containerPort>`. */
  public readonly serviceDiscoveryUrl: string;

  /** The load balancer. Undefined with `LoadBalancerType.NONE`. */
  public readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the service. Undefined without a load balancer. */
  public readonly listener?: elbv2.ApplicationListener;
  /** The target group the tasks register in (the blue one of a blue/green strategy). Undefined without a load balancer. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The second target group new tasks start behind. Undefined for rolling updates. */
  public readonly greenTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener that reaches new tasks before production traffic does. Undefined for rolling updates. */
  public readonly testListener?: elbv2.ApplicationListener;
  /** The production listener's rule whose weights ECS moves (ECS blue/green, canary, linear). Undefined otherwise. */
  public readonly productionListenerRule?: elbv2.ApplicationListenerRule;
  /** The test listener's rule whose weights ECS moves (ECS blue/green, canary, linear). Undefined otherwise. */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** The CodeDeploy deployment group. Undefined unless the strategy is `DeploymentStrategy.codeDeploy()`. */
  public readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
  /** The parameter holding the image the pipeline deployed last. Undefined unless the image is `ServiceImage.fromPipeline()`. */
  public readonly imageParameter?: ssm.IStringParameter;
  /** The load balancer's URL, such as `https://name-123.eu-west-1.elb.amazonaws.com`. Undefined without one. */
  public readonly url?: string;
  /** The bucket the load balancer writes access logs to. Undefined when access logs are off. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The alarms that roll a deployment back by default (see `rollbackAlarms`). Empty without a load balancer. */
  public readonly rollbackAlarms: cloudwatch.Alarm[];
  /** The task-count scaling target. Undefined without `autoScaling`. */
  public readonly scaling?: ecs.ScalableTaskCount;

  /** The security groups of the tasks. The default port is the container port. */
  public readonly connections: ec2.Connections;
  /** The task role: what the application's AWS SDK calls run as. */
  public readonly grantPrincipal: iam.IPrincipal;

  /** The names of the alarms ECS watches during a deployment. */
  /** What the deployment model is made of, but for the gates, which may come later. */
  private readonly timingInputs: TimingInputs;
  private readonly deploymentAlarmNames: string[] = [];

  /**
   * @param scope the construct to create the service in
   * @param id the ID of the service, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the MicroService's properties
   */
  constructor(scope: Construct, id: string, props: MicroServiceProps) {
    super(scope, id);
    const r = resolveProps(this, props);
    this.infra = props.infra;
    this.serviceName = props.serviceName;
    this.containerPort = r.containerPort;
    this.cpuArchitecture = r.cpuArchitecture;
    this.deploymentStrategy = r.strategy;
    this.capacity = r.capacity;
    this.deregistrationDelay = r.deregistrationDelay;

    this.repository = props.repository ?? createRepository(this, r);
    this.logGroup = createLogGroup(this, r);
    const task = addTask(this, r, this.repository, this.logGroup);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.imageParameter = task.imageParameter;

    this.service = addService(this, r, task, this.logGroup, this.deploymentAlarmNames);
    enableExecuteCommand(this, props, this.service, this.taskDefinition);
    this.cloudMapService = this.service.cloudMapService!;
    this.serviceDiscoveryUrl = `http://${props.serviceName}.${props.infra.namespace.namespaceName}:${r.containerPort}`;
    this.connections = new ec2.Connections({ securityGroups: this.service.connections.securityGroups, defaultPort: ec2.Port.tcp(r.containerPort) });
    connectVolumes(props.volumes, this);
    this.grantPrincipal = this.taskDefinition.taskRole;

    const lb = addLoadBalancer(this, r, this.service);
    this.loadBalancer = lb?.loadBalancer;
    this.accessLogsBucket = lb?.accessLogsBucket;
    this.targetGroup = lb?.targetGroup;
    this.listener = lb?.listener;
    this.url = lb?.url;
    this.greenTargetGroup = lb?.greenTargetGroup;
    this.testListener = lb?.testListener;
    this.productionListenerRule = lb?.productionListenerRule;
    this.testListenerRule = lb?.testListenerRule;
    this.deploymentGroup = lb?.deploymentGroup;

    this.scaling = addAutoScaling(this, r, this.service, this.targetGroup);
    this.rollbackAlarms = addRollbackAlarms(this, r, lb && rollbackMetrics(this));
    this.addDeploymentAlarms(...this.rollbackAlarms);
    this.timingInputs = {
      strategy: r.strategy,
      startupTime: r.startupTime,
      healthCheckInterval: r.loadBalancer?.healthCheck.interval,
      deregistrationDelay: r.loadBalancer && r.deregistrationDelay,
      alarmWindow: Duration.minutes(Math.max(0, ...this.rollbackAlarms.map(a => (a.node.defaultChild as cloudwatch.CfnAlarm).evaluationPeriods!))),
    };
    this.addDeploymentAlarms(...(props.deploymentAlarms ?? []));
  }

  /**
   * Adds alarms that roll a running deployment back when they fire. On the ECS controller their
   * names must be known at synth time (set `alarmName` on the alarm); with
   * `DeploymentStrategy.codeDeploy()` they go to the CodeDeploy deployment group, any name works.
   *
   * @param alarms the alarms to watch during deployments
   */
  public addDeploymentAlarms(...alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      addDeploymentAlarm(this, alarm, this.deploymentAlarmNames, this.deploymentGroup);
    }
  }

  /** ECS CPUUtilization of the service, average over 5 minutes by default. */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricCpuUtilization(props);
  }

  /** ECS MemoryUtilization of the service, average over 5 minutes by default. */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricMemoryUtilization(props);
  }

  /** Container Insights RunningTaskCount of the service, average over 5 minutes by default. */
  public metricRunningTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('RunningTaskCount', props);
  }

  /** Container Insights DesiredTaskCount of the service, average over 5 minutes by default. */
  public metricDesiredTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('DesiredTaskCount', props);
  }

  /**
   * ALB RequestCount of the service's target groups, sum over 5 minutes by default. With a
   * blue/green strategy, the sum over both target groups: production traffic may be in either.
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    return this.targetGroupsMetric('metricRequestCount', tg => tg.metrics.requestCount(props), 'SUM', props);
  }

  /**
   * ALB RequestCountPerTarget of the service's target group, sum over 5 minutes by default. Not
   * available with a blue/green strategy, whose tasks move between two target groups.
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricRequestCountPerTarget(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.greenTargetGroup) {
      fail(this, `metricRequestCountPerTarget() reads one target group, but deploymentStrategy ${this.deploymentStrategy._describe()} moves the tasks between two: use metricRequestCount() and metricRunningTaskCount()`);
    }
    return this.requireTargetGroup('metricRequestCountPerTarget').metrics.requestCountPerTarget(props);
  }

  /**
   * ALB `HTTPCode_Target_{2,3,4,5}XX_Count`: responses the tasks sent, sum over 5 minutes by default
   * (over both target groups with a blue/green strategy).
   *
   * @param code the class of HTTP status codes
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricHttpCodeTarget(code: elbv2.HttpCodeTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    return this.targetGroupsMetric('metricHttpCodeTarget', tg => tg.metrics.httpCodeTarget(code, props), 'SUM', props);
  }

  /**
   * ALB `HTTPCode_ELB_{3,4,5}XX_Count`: responses the load balancer itself sent, sum over 5 minutes by default.
   *
   * @param code the class of HTTP status codes
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricHttpCodeElb(code: elbv2.HttpCodeElb, props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    this.requireTargetGroup('metricHttpCodeElb');
    return this.loadBalancer!.metrics.httpCodeElb(code, props);
  }

  /**
   * ALB TargetResponseTime of the service's target groups in seconds, average over 5 minutes by
   * default (the higher of the two target groups with a blue/green strategy).
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    return this.targetGroupsMetric('metricTargetResponseTime', tg => tg.metrics.targetResponseTime(props), 'MAX', props);
  }

  /**
   * ALB HealthyHostCount of the service's target groups, average over 5 minutes by default (the
   * sum over both target groups with a blue/green strategy).
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    return this.targetGroupsMetric('metricHealthyHostCount', tg => tg.metrics.healthyHostCount(props), 'SUM', props);
  }

  /**
   * ALB UnHealthyHostCount of the service's target groups, average over 5 minutes by default (the
   * sum over both target groups with a blue/green strategy).
   *
   * @param props options of the metric (statistic, period, label, color)
   */
  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    return this.targetGroupsMetric('metricUnhealthyHostCount', tg => tg.metrics.unhealthyHostCount(props), 'SUM', props);
  }

  private containerInsightsMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: { ClusterName: this.infra.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.AVERAGE,
      ...props,
    });
  }

  /**
   * A target-group metric of the service. With a blue/green strategy the new revision's traffic
   * lands in the other target group on every other deployment, so the metric combines both (a
   * missing data point counts as 0), and alarms on it see whichever group serves.
   */
  private targetGroupsMetric(method: string, metric: (tg: elbv2.ApplicationTargetGroup) => cloudwatch.Metric,
    combine: 'SUM' | 'MAX', props?: cloudwatch.MetricOptions): cloudwatch.Metric | cloudwatch.MathExpression {
    const blue = metric(this.requireTargetGroup(method));
    if (!this.greenTargetGroup) {
      return blue;
    }
    // Unique within a graph that shows several statistics of one metric (p50, p90, p99).
    const id = `${blue.metricName}${blue.statistic}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const [b, g] = [`blue${id}`, `green${id}`];
    return new cloudwatch.MathExpression({
      expression: combine === 'SUM' ? `FILL(${b}, 0) + FILL(${g}, 0)` : `MAX([FILL(${b}, 0), FILL(${g}, 0)])`,
      usingMetrics: { [b]: blue, [g]: metric(this.greenTargetGroup) },
      period: blue.period,
      label: props?.label ?? blue.metricName,
      color: props?.color,
    });
  }

  private requireTargetGroup(method: string): elbv2.ApplicationTargetGroup {
    if (!this.targetGroup) {
      fail(this, `${method}() needs a load balancer, but loadBalancerType is NONE`);
    }
    return this.targetGroup;
  }
}
