import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ResolvedProps } from './resolve';
import { checkRange, fail } from '../private/validation';

/** The metrics a rollback alarm reads, from the service (both target groups with blue/green). */
export interface RollbackMetrics {
  readonly errors: cloudwatch.IMetric;
  readonly requests: cloudwatch.IMetric;
  readonly unhealthyHosts: cloudwatch.IMetric;
}

const PERIOD = Duration.minutes(1);

/**
 * The alarms that roll a deployment back by default, as ECS Express Mode does: the share of
 * requests the tasks answer with 5xx, and targets failing the load balancer's health check, over
 * both target groups of a blue/green strategy. ECS watches them during a rolling deployment and a
 * bake time it derives from their evaluation periods ("How CloudWatch alarms detect Amazon ECS
 * deployment failures", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html);
 * CodeDeploy stops and rolls back a deployment whose alarms fire. Without a load balancer the
 * circuit breaker (tasks that fail to start or to stay running) is the check that fits.
 */
export function addRollbackAlarms(scope: Construct, r: ResolvedProps, metrics: RollbackMetrics | undefined): cloudwatch.Alarm[] {
  const { props } = r;
  checkRange(scope, 'rollbackErrorRatePercent', props.rollbackErrorRatePercent, 1, 100);
  if (!metrics || props.rollbackAlarms === false) {
    return [];
  }
  const stackName = Stack.of(scope).stackName;
  if (Token.isUnresolved(stackName)) {
    fail(scope, 'the rollback alarms need names known at synth, but the stack name is a token: give the stack a literal stackName, or set rollbackAlarms to false');
  }
  const prefix = `${stackName}-${props.serviceName}-rollback`;
  const errorRate = props.rollbackErrorRatePercent ?? 5;
  // A task that starts slowly fails health checks until it listens: give it its startup time.
  const unhealthyPeriods = Math.ceil((r.startupTime.isUnresolved() ? 60 : r.startupTime.toSeconds()) / 60) + 2;
  return [
    new cloudwatch.Alarm(scope, 'RollbackErrorRate', {
      alarmName: `${prefix}-error-rate`,
      alarmDescription: `${props.serviceName}: more than ${errorRate}% of requests answered 5xx by the tasks for 2 minutes; a deployment running then rolls back.`,
      metric: new cloudwatch.MathExpression({
        // No 5xx datapoint in a minute without 5xx: FILL makes it 0; no requests is no error.
        expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        usingMetrics: { errors: metrics.errors, requests: metrics.requests },
        label: '5xx error rate (%)',
        period: PERIOD,
      }),
      threshold: errorRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, 'RollbackUnhealthyHosts', {
      alarmName: `${prefix}-unhealthy-hosts`,
      alarmDescription: `${props.serviceName}: a target failed the load balancer's health check for ${unhealthyPeriods} minutes; a deployment running then rolls back.`,
      metric: metrics.unhealthyHosts,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: unhealthyPeriods,
      datapointsToAlarm: unhealthyPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
}

/** The metrics of a service with a load balancer, at the rollback alarms' period. */
export function rollbackMetrics(service: {
  metricHttpCodeTarget(code: elbv2.HttpCodeTarget, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}): RollbackMetrics {
  return {
    errors: service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, period: PERIOD }),
    requests: service.metricRequestCount({ statistic: cloudwatch.Stats.SUM, period: PERIOD }),
    unhealthyHosts: service.metricUnhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD }),
  };
}
