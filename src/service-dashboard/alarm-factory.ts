import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ServiceAlarms, ServiceAlarmThresholds } from './service-alarms';
import { MicroService } from '../micro-service';
import { checkRange, checkSeconds, fail } from '../private/validation';

/**
 * The alarms of a ServiceDashboard, one table row per alarm (after cdk-monitoring-constructs'
 * alarm factories): what it watches, when it fires, how it treats missing data and what it tells
 * the person it wakes. One loop turns the rows into alarms.
 */

/** Alarms and service graphs use one-minute periods: ALB and ECS publish every minute. */
export const PERIOD = Duration.minutes(1);

/** Thresholds with every default applied. */
export interface ResolvedThresholds {
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

/** Field by field: the service's threshold, else the dashboard's, else the default. */
export function resolveThresholds(service: ServiceAlarmThresholds | undefined, dashboard: ServiceAlarmThresholds): ResolvedThresholds {
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

export function validateThresholds(scope: Construct, prop: string, t: ServiceAlarmThresholds): void {
  if (t.errorRatePercent !== undefined && !Token.isUnresolved(t.errorRatePercent)
    && !(t.errorRatePercent > 0 && t.errorRatePercent <= 100)) {
    fail(scope, `${prop}.errorRatePercent (${t.errorRatePercent}) must be above 0 and at most 100`);
  }
  if (t.latencyP99 !== undefined && !t.latencyP99.isUnresolved()) {
    const ms = t.latencyP99.toMilliseconds({ integral: false });
    if (ms <= 0 || ms > 3_600_000) {
      fail(scope, `${prop}.latencyP99 (${ms} ms) must be above 0 and at most 1 hour`);
    }
  }
  checkRange(scope, `${prop}.unhealthyHosts`, t.unhealthyHosts, 1, 5000);
  checkRange(scope, `${prop}.cpuUtilizationPercent`, t.cpuUtilizationPercent, 1, 100);
  checkRange(scope, `${prop}.memoryUtilizationPercent`, t.memoryUtilizationPercent, 1, 100);
  const below = t.tasksBelowDesiredFor;
  if (below !== undefined && !below.isUnresolved()) {
    if (below.toMilliseconds({ integral: false }) % 60_000 !== 0) {
      fail(scope, `${prop}.tasksBelowDesiredFor (${below.toHumanString()}) must be whole minutes: the alarm counts one-minute periods`);
    }
    // CloudWatch evaluates at most one day of one-minute periods.
    checkSeconds(scope, `${prop}.tasksBelowDesiredFor`, below, 60, 86_400);
  }
}

type AlarmKey = Exclude<keyof ServiceAlarms, 'all'>;

/** One alarm of every service, in the order they are created and listed. */
interface AlarmSpec {
  /** The field of ServiceAlarms that holds the alarm. */
  readonly key: AlarmKey;
  /** The construct ID: part of the alarm's logical ID, so it never changes. */
  readonly id: string;
  /** Appended to the service's alarm name prefix. */
  readonly suffix: string;
  /** Whether the alarm watches the load balancer's metrics, so exists only for services with one. */
  readonly loadBalancer: boolean;
  readonly metric: (service: MicroService) => cloudwatch.Metric | cloudwatch.MathExpression;
  readonly threshold: (t: ResolvedThresholds) => number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** One-minute periods in a row, every one of them breaching, before the alarm fires. */
  readonly periods: (t: ResolvedThresholds) => number;
  readonly missingData: cloudwatch.TreatMissingData;
  readonly description: (name: string, t: ResolvedThresholds) => string;
}

const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const AT_OR_ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

const ALARM_SPECS: AlarmSpec[] = [
  {
    key: 'errorRate',
    id: 'ErrorRate',
    suffix: 'error-rate',
    loadBalancer: true,
    metric: errorRateExpression,
    threshold: t => t.errorRatePercent,
    comparison: ABOVE,
    periods: () => 3,
    // No requests in a minute means no data, and no errors.
    missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description: (name, t) => `${name}: more than ${t.errorRatePercent}% of requests answered 5xx by the tasks for 3 minutes. Check the service's logs and its latest deployment.`,
  },
  {
    key: 'latencyP99',
    id: 'LatencyP99',
    suffix: 'latency-p99',
    loadBalancer: true,
    metric: service => service.metricTargetResponseTime({ statistic: cloudwatch.Stats.p(99), period: PERIOD }),
    threshold: t => seconds(t.latencyP99),
    comparison: ABOVE,
    periods: () => 3,
    // The load balancer reports response times only for minutes with requests.
    missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description: (name, t) => `${name}: p99 response time above ${seconds(t.latencyP99)} s for 3 minutes.`,
  },
  {
    key: 'unhealthyHosts',
    id: 'UnhealthyHosts',
    suffix: 'unhealthy-hosts',
    loadBalancer: true,
    metric: service => service.metricUnhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD }),
    threshold: t => t.unhealthyHosts,
    comparison: AT_OR_ABOVE,
    periods: () => 2,
    // The count is reported every minute while targets are registered; none means scaled to zero.
    missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description: (name, t) => `${name}: ${t.unhealthyHosts} or more targets failed the load balancer's health check for 2 minutes.`,
  },
  {
    key: 'cpuHigh',
    id: 'CpuHigh',
    suffix: 'cpu-high',
    loadBalancer: false,
    metric: service => service.metricCpuUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD }),
    threshold: t => t.cpuUtilizationPercent,
    comparison: ABOVE,
    periods: () => 5,
    // ECS reports utilization only while tasks run; no tasks is the tasks alarm's business.
    missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description: (name, t) => `${name}: average CPU utilization above ${t.cpuUtilizationPercent}% for 5 minutes. Scale out or give the tasks more CPU.`,
  },
  {
    key: 'memoryHigh',
    id: 'MemoryHigh',
    suffix: 'memory-high',
    loadBalancer: false,
    metric: service => service.metricMemoryUtilization({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD }),
    threshold: t => t.memoryUtilizationPercent,
    comparison: ABOVE,
    periods: () => 5,
    missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description: (name, t) => `${name}: average memory utilization above ${t.memoryUtilizationPercent}% for 5 minutes. Tasks near their limit get killed.`,
  },
  {
    key: 'tasksBelowDesired',
    id: 'TasksBelowDesired',
    suffix: 'tasks-below-desired',
    loadBalancer: false,
    metric: missingTasksExpression,
    threshold: () => 1,
    comparison: AT_OR_ABOVE,
    periods: t => t.tasksBelowDesiredFor.toMinutes(),
    // Container Insights reports both counts every minute; no data means it is off for the
    // cluster, which is unknown rather than fine or broken.
    missingData: cloudwatch.TreatMissingData.MISSING,
    description: (name, t) => `${name}: fewer tasks running than desired for ${t.tasksBelowDesiredFor.toMinutes()} minutes. Check the service's events for tasks that fail to start or keep stopping.`,
  },
];

/**
 * Creates the service's alarms in `scope`, named `<prefix>-<suffix>`, each notifying `topic` when
 * it fires and when it is OK again.
 */
export function createServiceAlarms(
  scope: Construct, service: MicroService, prefix: string, t: ResolvedThresholds, topic: sns.ITopic,
): ServiceAlarms {
  const action = new cloudwatchActions.SnsAction(topic);
  const created: Partial<Record<AlarmKey, cloudwatch.Alarm>> = {};
  for (const spec of ALARM_SPECS) {
    if (spec.loadBalancer && !service.targetGroup) {
      continue;
    }
    const periods = spec.periods(t);
    const alarm = spec.metric(service).createAlarm(scope, spec.id, {
      alarmName: `${prefix}-${spec.suffix}`,
      alarmDescription: spec.description(service.serviceName, t),
      threshold: spec.threshold(t),
      comparisonOperator: spec.comparison,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: spec.missingData,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    created[spec.key] = alarm;
  }
  return {
    ...created,
    cpuHigh: created.cpuHigh!,
    memoryHigh: created.memoryHigh!,
    tasksBelowDesired: created.tasksBelowDesired!,
    all: ALARM_SPECS.flatMap(spec => created[spec.key] ?? []),
  };
}

/** The share of requests the tasks answered with 5xx, in percent. 0 in minutes with requests and no errors. */
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

export function seconds(d: Duration): number {
  return d.toMilliseconds({ integral: false }) / 1000;
}
