import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LoadBalancerType, MicroService, ServiceDashboard, ServiceImage } from '../src';
import { disposableInfra, integStack, integTest } from './support';

/**
 * Seed 004's system: a web service behind a public load balancer on a rolling deployment, with CPU
 * step scaling (+1 task above 70 %, -1 below 30 %), a CPU > 85 % alarm and a 5XX alarm that email an
 * admin. The admin address comes from context (`-c adminEmail=you@example.com`).
 *
 * After deploy: the service answers 200, the step-scaling policies and their alarms exist, and the
 * CPU and 5XX alarms notify the admin topic.
 */
const app = new App();
const adminEmail: string = app.node.tryGetContext('adminEmail') ?? 'admin@example.com';
const stack = integStack(app, 'Seed004');
const infra = disposableInfra(stack);

const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'backend')),
  loadBalancerType: LoadBalancerType.PUBLIC,
  targetHealthCheck: { path: '/health' },
  autoScaling: { minCapacity: 2, maxCapacity: 4, cpuStepScaling: { scaleOutAbove: 70, scaleInBelow: 30, tasksPerStep: 1 } },
  removalPolicy: RemovalPolicy.DESTROY,
});

const dashboard = new ServiceDashboard(stack, 'Dashboard', {
  services: [web],
  alarmEmails: [adminEmail],
  alarmThresholds: { cpuUtilizationPercent: 85 },
  deploymentAlarms: true,
});
const alarms = dashboard.alarmsFor(web);

const integ = integTest(app, 'Seed004', stack);

integ.assertions
  .httpApiCall(`${web.url}/health`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });

integ.assertions
  .awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', {
    ServiceNamespace: 'ecs',
    ResourceId: `service/${infra.cluster.clusterName}/${web.service.serviceName}`,
  })
  .expect(ExpectedResult.objectLike({
    ScalingPolicies: Match.arrayWith([
      Match.objectLike({ PolicyType: 'StepScaling', StepScalingPolicyConfiguration: Match.objectLike({ StepAdjustments: [Match.objectLike({ ScalingAdjustment: 1 })] }) }),
      Match.objectLike({ PolicyType: 'StepScaling', StepScalingPolicyConfiguration: Match.objectLike({ StepAdjustments: [Match.objectLike({ ScalingAdjustment: -1 })] }) }),
    ]),
  }));

const nameOf = (alarm: cloudwatch.Alarm) => (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName!;
integ.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [nameOf(alarms.cpuHigh), nameOf(alarms.errorRate!)] })
  .expect(ExpectedResult.objectLike({
    MetricAlarms: Match.arrayWith([
      Match.objectLike({ AlarmName: nameOf(alarms.cpuHigh), Threshold: 85, AlarmActions: [dashboard.topic.topicArn] }),
      Match.objectLike({ AlarmName: nameOf(alarms.errorRate!), AlarmActions: [dashboard.topic.topicArn] }),
    ]),
  }));
