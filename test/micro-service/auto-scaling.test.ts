import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { build, create, serviceProperties } from './builder';
import { LoadBalancerType } from '../../src';

describe('auto scaling', () => {
  test('target tracking on CPU, memory and requests per target', () => {
    const { service, template } = build({
      autoScaling: {
        minCapacity: 2,
        maxCapacity: 10,
        targetCpuUtilizationPercent: 60,
        targetMemoryUtilizationPercent: 75,
        targetRequestsPerTarget: 500,
      },
    });
    expect(service.scaling).toBeDefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount',
    });
    expect(serviceProperties(template).DesiredCount).toBeUndefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60, ScaleInCooldown: 300, ScaleOutCooldown: 60,
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 75 }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 500,
      }),
    });
  });

  test('step scaling on CPU: +1 task above 70 %, -1 below 30 % (seed 004)', () => {
    const { template } = build({ autoScaling: { maxCapacity: 4, cpuStepScaling: {} } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: [Match.objectLike({ ScalingAdjustment: 1 })] }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      StepScalingPolicyConfiguration: Match.objectLike({ StepAdjustments: [Match.objectLike({ ScalingAdjustment: -1 })] }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Namespace: 'AWS/ECS', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 70, Period: 60,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 30,
    });
  });

  test('scheduled scaling', () => {
    const { template } = build({
      autoScaling: {
        maxCapacity: 6,
        schedules: [
          { name: 'BusinessHours', schedule: appscaling.Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' }), minCapacity: 4 },
          { name: 'Night', schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), minCapacity: 2, maxCapacity: 3 },
        ],
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [
        Match.objectLike({ ScheduledActionName: 'BusinessHours', Schedule: 'cron(0 8 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 4 } }),
        Match.objectLike({ ScheduledActionName: 'Night', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 3 } }),
      ],
    });
  });
});

describe('auto scaling fails when', () => {
  const schedule = appscaling.Schedule.cron({ hour: '8', minute: '0' });

  test('autoScaling.minCapacity exceeds maxCapacity', () => {
    expect(() => create({ autoScaling: { minCapacity: 4, maxCapacity: 2, targetCpuUtilizationPercent: 50 } }))
      .toThrow(/autoScaling.minCapacity \(4\) must not exceed autoScaling.maxCapacity \(2\)/);
  });

  test('request-count scaling is asked for without a load balancer', () => {
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, autoScaling: { maxCapacity: 4, targetRequestsPerTarget: 100 } }))
      .toThrow(/autoScaling.targetRequestsPerTarget needs a load balancer/);
  });

  test('desiredCount is combined with autoScaling', () => {
    expect(() => create({ desiredCount: 3, autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 50 } }))
      .toThrow(/desiredCount \(3\) and autoScaling are both set: autoScaling.minCapacity sets the starting task count/);
  });

  test('autoScaling has no policy', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4 } })).toThrow(/autoScaling has no policy/);
  });

  test('a target utilization is out of range', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 120 } })).toThrow(/autoScaling.targetCpuUtilizationPercent \(120\)/);
    expect(() => create({ autoScaling: { maxCapacity: 4, targetMemoryUtilizationPercent: 0 } })).toThrow(/autoScaling.targetMemoryUtilizationPercent \(0\)/);
  });

  test('CPU target tracking and CPU step scaling are combined', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 50, cpuStepScaling: {} } }))
      .toThrow(/both targetCpuUtilizationPercent and cpuStepScaling/);
  });

  test('the step-scaling thresholds overlap', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, cpuStepScaling: { scaleOutAbove: 50, scaleInBelow: 60 } } }))
      .toThrow(/autoScaling.cpuStepScaling.scaleInBelow \(60\) must be lower than scaleOutAbove \(50\)/);
  });

  test('two schedules share a name, or a schedule changes nothing or inverts min and max', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule, minCapacity: 1 }, { name: 'a', schedule, minCapacity: 2 }] } }))
      .toThrow(/two schedules named 'a'/);
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule }] } })).toThrow(/schedules 'a' changes nothing/);
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule, minCapacity: 3, maxCapacity: 2 }] } }))
      .toThrow(/schedules 'a' sets minCapacity \(3, its minCapacity\) above maxCapacity \(2, its maxCapacity\)/);
  });

  test('a scheduled minimum is above the scaling maximum, or a scheduled maximum below the scaling minimum', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 60, schedules: [{ name: 'morning', schedule, minCapacity: 10 }] } }))
      .toThrow("Test/Orders: autoScaling.schedules 'morning' sets minCapacity (10, its minCapacity) above maxCapacity (4, autoScaling.maxCapacity), which Application Auto Scaling refuses when the action runs: set the schedule's maxCapacity too, or keep minCapacity at most 4");
    expect(() => create({ autoScaling: { minCapacity: 3, maxCapacity: 6, schedules: [{ name: 'night', schedule, maxCapacity: 2 }] } }))
      .toThrow(/schedules 'night' sets minCapacity \(3, autoScaling.minCapacity\) above maxCapacity \(2, its maxCapacity\)/);
  });

  test('a schedule\'s expression is not one Application Auto Scaling reads', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'morning', schedule: appscaling.Schedule.expression('cron(0 25 * * ? *)'), minCapacity: 3 }] } }))
      .toThrow(/Test\/Orders: autoScaling.schedules 'morning' schedule \('cron\(0 25 \* \* \? \*\)'\) has Hours '25': 25 is outside 0-23.*: use rate\(5 minutes\)/);
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'morning', schedule: appscaling.Schedule.expression('cron(0 8 * * MON-FRI)'), minCapacity: 3 }] } }))
      .toThrow(/schedule \('cron\(0 8 \* \* MON-FRI\)'\) has 5 fields/);
  });

  test('a schedule\'s name has a character Application Auto Scaling refuses', () => {
    for (const name of ['scale:morning', 'scale/morning', 'scale|morning']) {
      expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name, schedule, minCapacity: 3 }] } }))
        .toThrow(`Test/Orders: autoScaling.schedules name ('${name}') has ':', '/', '|' or a control character`);
    }
  });
});

describe('auto scaling accepts', () => {
  const schedule = appscaling.Schedule.cron({ hour: '8', minute: '0' });

  test('minCapacity equal to maxCapacity', () => {
    const { template } = build({ autoScaling: { minCapacity: 3, maxCapacity: 3, targetCpuUtilizationPercent: 50 } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 3 });
  });

  test('CPU and memory scaling without a load balancer', () => {
    const { template } = build({
      loadBalancerType: LoadBalancerType.NONE,
      autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 50, targetMemoryUtilizationPercent: 70 },
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
  });

  test('target utilizations of 1 and 100 %', () => {
    const { template } = build({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 100, targetMemoryUtilizationPercent: 1 } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 100 }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 1 }),
    });
  });

  test('CPU step scaling beside memory target tracking', () => {
    const { template } = build({ autoScaling: { maxCapacity: 4, targetMemoryUtilizationPercent: 70, cpuStepScaling: {} } });
    template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'StepScaling' }, 2);
    template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling' }, 1);
  });

  test('step-scaling thresholds one percent apart', () => {
    const { template } = build({ autoScaling: { maxCapacity: 4, cpuStepScaling: { scaleOutAbove: 50, scaleInBelow: 49 } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 50 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 49 });
  });

  test('a scheduled minimum above the scaling maximum when the schedule raises the maximum too; rate and at schedules; names with spaces', () => {
    const { template } = build({
      autoScaling: {
        maxCapacity: 4,
        schedules: [
          { name: 'Black Friday', schedule: appscaling.Schedule.at(new Date(Date.UTC(2030, 10, 29, 6))), minCapacity: 10, maxCapacity: 20 },
          { name: 'hourly', schedule: appscaling.Schedule.rate(Duration.hours(1)), minCapacity: 4 },
        ],
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [
        Match.objectLike({ ScheduledActionName: 'Black Friday', Schedule: 'at(2030-11-29T06:00:00)', ScalableTargetAction: { MinCapacity: 10, MaxCapacity: 20 } }),
        Match.objectLike({ ScheduledActionName: 'hourly', Schedule: 'rate(1 hour)', ScalableTargetAction: { MinCapacity: 4 } }),
      ],
    });
  });

  test('schedules with distinct names that set only a maximum, or an equal minimum and maximum', () => {
    const { template } = build({
      autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule, maxCapacity: 2 }, { name: 'b', schedule, minCapacity: 3, maxCapacity: 3 }] },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [
        Match.objectLike({ ScheduledActionName: 'a', ScalableTargetAction: { MaxCapacity: 2 } }),
        Match.objectLike({ ScheduledActionName: 'b', ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 3 } }),
      ],
    });
  });
});
