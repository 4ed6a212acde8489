import { Duration, Names } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ResolvedWorker } from './resolve';

/** The two metrics backlog per task is computed from. */
export interface BacklogMetrics {
  /** SQS ApproximateNumberOfMessagesVisible of the worker's queue. */
  readonly visible: cloudwatch.Metric;
  /** Container Insights RunningTaskCount of the worker's service. */
  readonly running: cloudwatch.Metric;
}

/**
 * Target tracking on backlog per task, AWS's recommended scaling for a queue consumer: messages
 * visible ÷ running tasks, through metric math in a customized metric specification ("Create a
 * target tracking scaling policy for Application Auto Scaling using metric math", example "Amazon
 * SQS queue backlog per task",
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html).
 * The target is the acceptable backlog per task, acceptable latency ÷ processing time ("Scaling
 * policy based on Amazon SQS", https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-using-sqs-queue.html).
 * aws-cdk-lib's target tracking policy takes one metric only ("Only direct metrics are supported
 * for Target Tracking"), so the policy is the L1.
 *
 * Target tracking multiplies the running count, so it never starts the first task: with
 * `minCapacity` 0 a step policy adds one task when messages wait and none runs.
 */
export function addBacklogScaling(r: ResolvedWorker, service: ecs.BaseService, metrics: BacklogMetrics): ecs.ScalableTaskCount {
  const scaling = service.autoScaleTaskCount({ minCapacity: r.minCapacity, maxCapacity: r.maxCapacity });
  const target = scaling.node.findChild('Target') as appscaling.ScalableTarget;
  const policy = new Construct(scaling, 'BacklogPerTask');
  new appscaling.CfnScalingPolicy(policy, 'Resource', {
    policyName: Names.uniqueId(policy),
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: r.backlogPerTask,
      scaleInCooldown: (r.props.scaleInCooldown ?? Duration.minutes(5)).toSeconds(),
      scaleOutCooldown: (r.props.scaleOutCooldown ?? Duration.minutes(1)).toSeconds(),
      customizedMetricSpecification: {
        metrics: [
          metricQuery('visible', metrics.visible, cloudwatch.Stats.SUM),
          metricQuery('running', metrics.running, cloudwatch.Stats.AVERAGE),
          { id: 'backlogPerTask', expression: 'visible / running', label: 'Messages visible per running task', returnData: true },
        ],
      },
    },
  });
  if (r.minCapacity === 0) {
    scaling.scaleOnMetric('WakeUp', {
      // CloudWatch metric math: FILL turns the missing task count of a stopped service into 0
      // ("Metric math syntax and functions", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
      metric: new cloudwatch.MathExpression({
        expression: 'IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)',
        usingMetrics: {
          visible: metrics.visible.with({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
          running: metrics.running.with({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
        },
        label: 'Messages waiting and no task running',
        period: Duration.minutes(1),
      }),
      scalingSteps: [{ upper: 0, change: 0 }, { lower: 1, change: +1 }],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: r.props.scaleOutCooldown ?? Duration.minutes(1),
    });
  }
  return scaling;
}

function metricQuery(id: string, metric: cloudwatch.Metric, stat: string): appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty {
  return {
    id,
    returnData: false,
    metricStat: {
      stat,
      metric: {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: Object.entries(metric.dimensions ?? {}).map(([name, value]) => ({ name, value: String(value) })),
      },
    },
  };
}
