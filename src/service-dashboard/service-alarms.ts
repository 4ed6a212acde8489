import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

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
