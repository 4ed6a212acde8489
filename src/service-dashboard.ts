import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { LoadTester } from './load-tester';
import { MicroService } from './micro-service';
import { AlarmOverviewWidget } from './private/alarm-overview-widget';
import { checkRange, checkSeconds, fail } from './private/validation';

/** Alarms and service graphs use one-minute periods: ALB and ECS publish every minute. */
const PERIOD = Duration.minutes(1);
/** A dashboard row is 24 units wide; three graphs per row. */
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;
/** CloudWatch alarm names have at most 255 characters; the longest suffix is 20. */
const MAX_PREFIX_LENGTH = 230;

/**
 * Thresholds of the alarms a ServiceDashboard creates for each service. Unset fields keep their
 * defaults. The load-balancer alarms (error rate, latency, unhealthy hosts) exist only for
 * services with a load balancer.
 */
export interface ServiceAlarmThresholds {
  /**
   * The share of requests the tasks answer with a 5xx status, in percent
   * (HTTPCode_Target_5XX_Count / RequestCount), above which the error-rate alarm fires after
   * 3 one-minute periods in a row.
   *
   * @default 5
   */
  readonly errorRatePercent?: number;

  /**
   * The 99th percentile of the target response time above which the latency alarm fires after
   * 3 one-minute periods in a row.
   *
   * @default Duration.seconds(1)
   */
  readonly latencyP99?: Duration;

  /**
   * The number of unhealthy targets at or above which the unhealthy-hosts alarm fires after
   * 2 one-minute periods in a row.
   *
   * @default 1
   */
  readonly unhealthyHosts?: number;

  /**
   * Average CPU utilization of the service, in percent, above which the CPU alarm fires after
   * 5 one-minute periods in a row.
   *
   * @default 90
   */
  readonly cpuUtilizationPercent?: number;

  /**
   * Average memory utilization of the service, in percent, above which the memory alarm fires
   * after 5 one-minute periods in a row.
   *
   * @default 90
   */
  readonly memoryUtilizationPercent?: number;

  /**
   * How long fewer tasks may run than desired before the tasks-below-desired alarm fires, in
   * whole minutes. Needs Container Insights on the cluster (BaseInfra turns it on). As a
   * deployment alarm, the longest alarm window also sets how long ECS watches a finished
   * deployment (its bake time).
   *
   * @default Duration.minutes(5)
   */
  readonly tasksBelowDesiredFor?: Duration;
}

/**
 * The alarms a ServiceDashboard created for one service.
 */
export interface ServiceAlarms {
  /**
   * 5xx responses of the tasks above `errorRatePercent`.
   *
   * @default - none when the service has no load balancer
   */
  readonly errorRate?: cloudwatch.Alarm;
  /**
   * p99 target response time above `latencyP99`.
   *
   * @default - none when the service has no load balancer
   */
  readonly latencyP99?: cloudwatch.Alarm;
  /**
   * Unhealthy targets at or above `unhealthyHosts`.
   *
   * @default - none when the service has no load balancer
   */
  readonly unhealthyHosts?: cloudwatch.Alarm;
  /** CPU utilization above `cpuUtilizationPercent`. */
  readonly cpuHigh: cloudwatch.Alarm;
  /** Memory utilization above `memoryUtilizationPercent`. */
  readonly memoryHigh: cloudwatch.Alarm;
  /** Fewer running tasks than desired for `tasksBelowDesiredFor`. */
  readonly tasksBelowDesired: cloudwatch.Alarm;
  /** All of the above that exist. */
  readonly all: cloudwatch.Alarm[];
}

/**
 * Options of `ServiceDashboard.addService()`.
 */
export interface DashboardServiceOptions {
  /**
   * Thresholds for this service's alarms; unset fields fall back to the dashboard's
   * `alarmThresholds`, then to the defaults.
   *
   * @default - the dashboard's alarmThresholds
   */
  readonly alarmThresholds?: ServiceAlarmThresholds;

  /**
   * The start of this service's alarm names: `<alarmNamePrefix>-error-rate` and so on. Alarm
   * names are unique per account and region, and deployment alarms need them known at synth.
   *
   * @default - `<stack name of the dashboard>-<serviceName>`
   */
  readonly alarmNamePrefix?: string;

  /**
   * Whether the service's alarms roll its deployments back (MicroService.addDeploymentAlarms):
   * ECS deployments name them, a CodeDeploy deployment group watches them. With CodeDeploy, keep
   * the dashboard in the service's stack: the deployment group refers to the alarms themselves.
   *
   * @default - the dashboard's deploymentAlarms
   */
  readonly deploymentAlarms?: boolean;
}

/**
 * Properties of `ServiceDashboard`.
 */
export interface ServiceDashboardProps {
  /**
   * The dashboard's name.
   *
   * @default - generated by CloudFormation
   */
  readonly dashboardName?: string;

  /**
   * The services on the dashboard, each with its graphs and alarms. More can be added with
   * `addService()`, which also takes per-service options.
   *
   * @default - none
   */
  readonly services?: MicroService[];

  /**
   * Load testers whose results the dashboard shows. More can be added with `addLoadTester()`.
   *
   * @default - none
   */
  readonly loadTesters?: LoadTester[];

  /**
   * Alarm thresholds for every service of the dashboard.
   *
   * @default - the defaults of ServiceAlarmThresholds
   */
  readonly alarmThresholds?: ServiceAlarmThresholds;

  /**
   * Whether each service's alarms roll its deployments back (MicroService.addDeploymentAlarms):
   * ECS deployments name them, a CodeDeploy deployment group watches them. With CodeDeploy, keep
   * the dashboard in the service's stack: the deployment group refers to the alarms themselves.
   *
   * @default false
   */
  readonly deploymentAlarms?: boolean;

  /**
   * Email addresses notified when an alarm fires and when it is OK again. Each address receives a
   * confirmation email from SNS first.
   *
   * @default - none
   */
  readonly alarmEmails?: string[];

  /**
   * An existing SNS topic for the alarm and OK notifications, instead of creating one. Subscribe
   * emails to it where it is defined.
   *
   * @default - a topic that accepts only TLS connections, with `alarmEmails` subscribed
   */
  readonly alarmTopic?: sns.ITopic;
}

interface ResolvedThresholds {
  readonly errorRatePercent: number;
  readonly latencyP99: Duration;
  readonly unhealthyHosts: number;
  readonly cpuUtilizationPercent: number;
  readonly memoryUtilizationPercent: number;
  readonly tasksBelowDesiredFor: Duration;
}

const DEFAULT_THRESHOLDS: ResolvedThresholds = {
  errorRatePercent: 5,
  latencyP99: Duration.seconds(1),
  unhealthyHosts: 1,
  cpuUtilizationPercent: 90,
  memoryUtilizationPercent: 90,
  tasksBelowDesiredFor: Duration.minutes(5),
};

/**
 * A CloudWatch dashboard over one or more MicroServices and LoadTesters, with alarms on errors,
 * latency, health and saturation that notify an SNS topic when they fire and when they recover.
 *
 * Per service with a load balancer: requests, HTTP responses by class, the 5xx error rate,
 * response time p50/p90/p99, healthy and unhealthy hosts; per service: CPU and memory, running
 * and desired tasks. Alarm names are fixed at synth, so the alarms can also roll deployments back.
 */
export class ServiceDashboard extends Construct {
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The topic the alarms notify. */
  public readonly topic: sns.ITopic;

  private readonly thresholds: ServiceAlarmThresholds;
  private readonly deploymentAlarms: boolean;
  private readonly serviceAlarms = new Map<MicroService, ServiceAlarms>();
  private readonly testers: LoadTester[] = [];

  constructor(scope: Construct, id: string, props: ServiceDashboardProps = {}) {
    super(scope, id);

    const emails = props.alarmEmails ?? [];
    if (props.alarmTopic && emails.length > 0) {
      fail(this, 'alarmEmails and alarmTopic are both set: subscribe the emails to alarmTopic where it is defined, or remove alarmTopic to let the dashboard create a topic');
    }
    for (const email of emails) {
      if (!Token.isUnresolved(email) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        fail(this, `alarmEmails has '${email}', which is not an email address: use the form name@example.com`);
      }
    }
    this.thresholds = props.alarmThresholds ?? {};
    this.validateThresholds('alarmThresholds', this.thresholds);
    this.deploymentAlarms = props.deploymentAlarms ?? false;

    if (props.alarmTopic) {
      this.topic = props.alarmTopic;
    } else {
      const topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'Alarm notifications carry alarm names and states only. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key is a cost the user opts into by passing alarmTopic.',
      });
      for (const email of emails) {
        topic.addSubscription(new subscriptions.EmailSubscription(email));
      }
      this.topic = topic;
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(new AlarmOverviewWidget('Alarms', () => this.alarms, 24, 4));

    for (const service of props.services ?? []) {
      this.addService(service);
    }
    for (const tester of props.loadTesters ?? []) {
      this.addLoadTester(tester);
    }

    this.node.addValidation({ validate: () => this.checkUniqueAlarmNames() });
  }

  /** Every alarm of the dashboard, service by service. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.serviceAlarms.values()].flatMap(a => a.all);
  }

  /** The alarms created for a service of this dashboard. */
  public alarmsFor(service: MicroService): ServiceAlarms {
    const alarms = this.serviceAlarms.get(service);
    if (!alarms) {
      fail(this, `service '${service.serviceName}' is not on this dashboard: add it with addService() or the services prop`);
    }
    return alarms;
  }

  /**
   * Adds a service's graphs and alarms to the dashboard.
   */
  public addService(service: MicroService, options: DashboardServiceOptions = {}): void {
    if (this.serviceAlarms.has(service)) {
      fail(this, `service '${service.serviceName}' is already on this dashboard: add each service once`);
    }
    if (options.alarmThresholds) {
      this.validateThresholds('alarmThresholds', options.alarmThresholds);
    }
    const t = resolveThresholds(options.alarmThresholds, this.thresholds);
    const prefix = options.alarmNamePrefix ?? this.defaultPrefix(service);
    if (Token.isUnresolved(prefix)) {
      fail(this, `the alarm name prefix of '${service.serviceName}' is only known at deploy time (the stack name is a token): set alarmNamePrefix in addService(), because deployment alarms need names known at synth`);
    }
    // eslint-disable-next-line no-control-regex
    if (prefix.length === 0 || prefix.length > MAX_PREFIX_LENGTH || /[\x00-\x1f\x7f]/.test(prefix)) {
      fail(this, `alarmNamePrefix ('${prefix}') must have 1-${MAX_PREFIX_LENGTH} characters and no control characters`);
    }
    const scope = new Construct(this, `Alarms-${service.serviceName}`);
    const alarms = this.createAlarms(scope, service, prefix, t);
    this.serviceAlarms.set(service, alarms);

    if (options.deploymentAlarms ?? this.deploymentAlarms) {
      service.addDeploymentAlarms(...alarms.all);
    }
    this.addServiceWidgets(service, alarms, t);
  }

  /**
   * Adds a load tester's results to the dashboard: requests per second, latency and failures per target.
   */
  public addLoadTester(tester: LoadTester): void {
    if (this.testers.includes(tester)) {
      fail(this, `load tester '${tester.loadTesterName}' is already on this dashboard: add each load tester once`);
    }
    this.testers.push(tester);
    const targets = tester.targets;
    this.dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `### Load tester ${tester.loadTesterName}\nTargets: ${targets.map(t => `\`${t.name}\``).join(', ')}`,
      width: 24,
      height: 1,
    }));
    this.dashboard.addWidgets(
      graph('Load test: requests per second', targets.map(t => tester.metricRequestsPerSecond(t, { label: t.name }))),
      graph('Load test: latency (ms)', targets.flatMap(t => [
        tester.metricLatencyP50(t, { label: `${t.name} p50` }),
        tester.metricLatencyP90(t, { label: `${t.name} p90` }),
        tester.metricLatencyP99(t, { label: `${t.name} p99` }),
      ])),
      graph('Load test: failures', targets.flatMap(t => [
        tester.metricFailedRequests(t, { label: `${t.name} failed requests` }),
        tester.metricNon2xxResponses(t, { label: `${t.name} non-2xx` }),
        tester.metricFailedRuns(t, { label: `${t.name} failed runs` }),
      ])),
    );
  }

  /**
   * Adds widgets of your own, in one row below what is there.
   */
  public addWidgets(...widgets: cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(...widgets);
  }

  private createAlarms(scope: Construct, service: MicroService, prefix: string, t: ResolvedThresholds): ServiceAlarms {
    const name = service.serviceName;
    const actions = (alarm: cloudwatch.Alarm): cloudwatch.Alarm => {
      const action = new cloudwatchActions.SnsAction(this.topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };

    let errorRate: cloudwatch.Alarm | undefined;
    let latencyP99: cloudwatch.Alarm | undefined;
    let unhealthyHosts: cloudwatch.Alarm | undefined;
    if (service.targetGroup) {
      errorRate = actions(errorRateExpression(service).createAlarm(scope, 'ErrorRate', {
        alarmName: `${prefix}-error-rate`,
        alarmDescription: `${name}: more than ${t.errorRatePercent}% of requests answered 5xx by the tasks for 3 minutes. Check the service's logs and its latest deployment.`,
        threshold: t.errorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // No requests in a minute means no data, and no errors.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      latencyP99 = actions(service.metricTargetResponseTime({ statistic: cloudwatch.Stats.p(99), period: PERIOD }).createAlarm(scope, 'LatencyP99', {
        alarmName: `${prefix}-latency-p99`,
        alarmDescription: `${name}: p99 response time above ${seconds(t.latencyP99)} s for 3 minutes.`,
        threshold: seconds(t.latencyP99),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // The load balancer reports response times only for minutes with requests.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      unhealthyHosts = actions(service.metricUnhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD }).createAlarm(scope, 'UnhealthyHosts', {
        alarmName: `${prefix}-unhealthy-hosts`,
        alarmDescription: `${name}: ${t.unhealthyHosts} or more targets failed the load balancer's health check for 2 minutes.`,
        threshold: t.unhealthyHosts,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // The count is reported every minute while targets are registered; none means scaled to zero.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }

    const cpuHigh = actions(service.metricCpuUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD }).createAlarm(scope, 'CpuHigh', {
      alarmName: `${prefix}-cpu-high`,
      alarmDescription: `${name}: average CPU utilization above ${t.cpuUtilizationPercent}% for 5 minutes. Scale out or give the tasks more CPU.`,
      threshold: t.cpuUtilizationPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      // ECS reports utilization only while tasks run; no tasks is the tasks alarm's business.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    const memoryHigh = actions(service.metricMemoryUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD }).createAlarm(scope, 'MemoryHigh', {
      alarmName: `${prefix}-memory-high`,
      alarmDescription: `${name}: average memory utilization above ${t.memoryUtilizationPercent}% for 5 minutes. Tasks near their limit get killed.`,
      threshold: t.memoryUtilizationPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    const minutes = t.tasksBelowDesiredFor.toMinutes();
    const tasksBelowDesired = actions(missingTasksExpression(service).createAlarm(scope, 'TasksBelowDesired', {
      alarmName: `${prefix}-tasks-below-desired`,
      alarmDescription: `${name}: fewer tasks running than desired for ${minutes} minutes. Check the service's events for tasks that fail to start or keep stopping.`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      // Container Insights reports both counts every minute; no data means it is off for the
      // cluster, which is unknown rather than fine or broken.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    }));

    const all = [errorRate, latencyP99, unhealthyHosts, cpuHigh, memoryHigh, tasksBelowDesired]
      .filter((a): a is cloudwatch.Alarm => a !== undefined);
    return { errorRate, latencyP99, unhealthyHosts, cpuHigh, memoryHigh, tasksBelowDesired, all };
  }

  private addServiceWidgets(service: MicroService, alarms: ServiceAlarms, t: ResolvedThresholds): void {
    const name = service.serviceName;
    const links = [service.url ? `Load balancer: ${service.url}` : 'No load balancer', `Cloud Map: ${service.serviceDiscoveryUrl}`];
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `### ${name}\n${links.join(' · ')}`, width: 24, height: 1 }));

    const ecsWidgets = [
      graph(`${name}: CPU and memory (%)`, [
        service.metricCpuUtilization({ period: PERIOD, label: 'CPU' }),
        service.metricMemoryUtilization({ period: PERIOD, label: 'Memory' }),
      ], {
        leftYAxis: { min: 0, max: 100, showUnits: false },
        leftAnnotations: [
          { value: t.cpuUtilizationPercent, label: 'CPU alarm', color: cloudwatch.Color.RED },
          { value: t.memoryUtilizationPercent, label: 'Memory alarm', color: cloudwatch.Color.ORANGE },
        ],
      }),
      graph(`${name}: tasks`, [
        service.metricRunningTaskCount({ period: PERIOD, label: 'Running' }),
        service.metricDesiredTaskCount({ period: PERIOD, label: 'Desired' }),
      ], { leftYAxis: { min: 0, showUnits: false } }),
    ];

    if (!service.targetGroup) {
      this.dashboard.addWidgets(...ecsWidgets);
      return;
    }
    const sum = { statistic: cloudwatch.Stats.SUM, period: PERIOD };
    this.dashboard.addWidgets(
      graph(`${name}: requests`, [service.metricRequestCount({ ...sum, label: 'Requests' })], { leftYAxis: { min: 0, showUnits: false } }),
      graph(`${name}: HTTP responses`, [
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_2XX_COUNT, { ...sum, label: '2xx', color: cloudwatch.Color.GREEN }),
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { ...sum, label: '4xx', color: cloudwatch.Color.ORANGE }),
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...sum, label: '5xx', color: cloudwatch.Color.RED }),
        service.metricHttpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ...sum, label: '5xx from the load balancer', color: cloudwatch.Color.PINK }),
      ], { leftYAxis: { min: 0, showUnits: false } }),
      graph(`${name}: 5xx error rate (%)`, [alarms.errorRate!.metric], {
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [{ value: t.errorRatePercent, label: 'Alarm', color: cloudwatch.Color.RED }],
      }),
    );
    this.dashboard.addWidgets(
      graph(`${name}: response time (s)`, ['p50', 'p90', 'p99'].map(p =>
        service.metricTargetResponseTime({ statistic: p, period: PERIOD, label: p })), {
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [{ value: seconds(t.latencyP99), label: 'p99 alarm', color: cloudwatch.Color.RED }],
      }),
      graph(`${name}: hosts`, [
        service.metricHealthyHostCount({ statistic: cloudwatch.Stats.MINIMUM, period: PERIOD, label: 'Healthy', color: cloudwatch.Color.GREEN }),
        service.metricUnhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label: 'Unhealthy', color: cloudwatch.Color.RED }),
      ], { leftYAxis: { min: 0, showUnits: false } }),
      ecsWidgets[0],
    );
    this.dashboard.addWidgets(ecsWidgets[1]);
  }

  private defaultPrefix(service: MicroService): string {
    return `${Stack.of(this).stackName}-${service.serviceName}`;
  }

  private validateThresholds(prop: string, t: ServiceAlarmThresholds): void {
    if (t.errorRatePercent !== undefined && !Token.isUnresolved(t.errorRatePercent)
      && !(t.errorRatePercent > 0 && t.errorRatePercent <= 100)) {
      fail(this, `${prop}.errorRatePercent (${t.errorRatePercent}) must be above 0 and at most 100`);
    }
    if (t.latencyP99 !== undefined && !t.latencyP99.isUnresolved()) {
      const ms = t.latencyP99.toMilliseconds();
      if (ms <= 0 || ms > 3_600_000) {
        fail(this, `${prop}.latencyP99 (${ms} ms) must be above 0 and at most 1 hour`);
      }
    }
    checkRange(this, `${prop}.unhealthyHosts`, t.unhealthyHosts, 1, 5000);
    checkRange(this, `${prop}.cpuUtilizationPercent`, t.cpuUtilizationPercent, 1, 100);
    checkRange(this, `${prop}.memoryUtilizationPercent`, t.memoryUtilizationPercent, 1, 100);
    const below = t.tasksBelowDesiredFor;
    if (below !== undefined && !below.isUnresolved()) {
      if (below.toMilliseconds() % 60_000 !== 0) {
        fail(this, `${prop}.tasksBelowDesiredFor (${below.toHumanString()}) must be whole minutes: the alarm counts one-minute periods`);
      }
      // CloudWatch evaluates at most one day of one-minute periods.
      checkSeconds(this, `${prop}.tasksBelowDesiredFor`, below, 60, 86_400);
    }
  }

  private checkUniqueAlarmNames(): string[] {
    const mine = new Set(this.alarms.map(a => (a.node.defaultChild as cloudwatch.CfnAlarm).alarmName));
    const seen = new Map<string, string>();
    const errors: string[] = [];
    for (const construct of Stack.of(this).node.findAll()) {
      if (!(construct instanceof cloudwatch.CfnAlarm) || construct.alarmName === undefined || !mine.has(construct.alarmName)) {
        continue;
      }
      const other = seen.get(construct.alarmName);
      if (other) {
        errors.push(`alarm name '${construct.alarmName}' is used by both ${other} and ${construct.node.path}: CloudWatch would keep only one of them; set a distinct alarmNamePrefix in addService()`);
      }
      seen.set(construct.alarmName, construct.node.path);
    }
    return errors;
  }
}

function resolveThresholds(service: ServiceAlarmThresholds | undefined, dashboard: ServiceAlarmThresholds): ResolvedThresholds {
  const pick = <K extends keyof ResolvedThresholds>(key: K): ResolvedThresholds[K] =>
    (service?.[key] ?? dashboard[key] ?? DEFAULT_THRESHOLDS[key]) as ResolvedThresholds[K];
  return {
    errorRatePercent: pick('errorRatePercent'),
    latencyP99: pick('latencyP99'),
    unhealthyHosts: pick('unhealthyHosts'),
    cpuUtilizationPercent: pick('cpuUtilizationPercent'),
    memoryUtilizationPercent: pick('memoryUtilizationPercent'),
    tasksBelowDesiredFor: pick('tasksBelowDesiredFor'),
  };
}

/** The share of requests the tasks answered with 5xx, in percent; 0 in minutes with requests and no errors. */
function errorRateExpression(service: MicroService): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    // The load balancer publishes no 5xx datapoint in a minute without 5xx: FILL makes it 0.
    expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
    usingMetrics: {
      errors: service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, period: PERIOD }),
      requests: service.metricRequestCount({ statistic: cloudwatch.Stats.SUM, period: PERIOD }),
    },
    label: '5xx error rate (%)',
    period: PERIOD,
  });
}

/** How many tasks are missing: desired minus running, from Container Insights. */
function missingTasksExpression(service: MicroService): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'desired - running',
    usingMetrics: {
      desired: service.metricDesiredTaskCount({ period: PERIOD }),
      running: service.metricRunningTaskCount({ period: PERIOD }),
    },
    label: 'Tasks below desired',
    period: PERIOD,
  });
}

function graph(title: string, metrics: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: GRAPH_WIDTH, height: GRAPH_HEIGHT, ...options });
}

function seconds(d: Duration): number {
  return d.toMilliseconds() / 1000;
}
