import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { DeploymentStrategy, LoadBalancerType, MicroService, MicroServiceProps, ServiceImage } from '../../src';
import { importedInfra, newStack } from '../util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function build(props: Partial<MicroServiceProps> = {}) {
  const stack = newStack();
  const service = new MicroService(stack, 'Web', { infra: importedInfra(stack), serviceName: 'web', image: IMAGE, ...props });
  return { stack, service, template: Template.fromStack(stack) };
}

function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter(id => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('ECS-native blue/green', () => {
  const { stack, template } = build({ deploymentStrategy: DeploymentStrategy.canary() });

  test('creates the load-balancer role\'s policy before the service, and deletes it after', () => {
    const policy = logicalId(template, 'AWS::IAM::Policy', 'WebLoadBalancerRoleDefaultPolicy');
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.DependsOn).toEqual(expect.arrayContaining([policy, logicalId(template, 'AWS::IAM::Role', 'WebLoadBalancerRole')]));
  });

  test('warns that callers of the Cloud Map name bypass traffic shifting', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp(
      "'web' deploys with canary \\(10 % for 5 min\\), which shifts traffic on its load balancer only; callers of its Cloud Map name .* call it through its load balancer"));
  });
});

describe('CodeDeploy blue/green', () => {
  const { stack } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });

  test('warns that callers of the Cloud Map name bypass traffic shifting', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp("'web' deploys with codeDeploy .* Cloud Map name"));
  });
});

describe('rolling updates', () => {
  const { stack } = build();

  test('need no warning about Cloud Map: every caller sees the same tasks', () => {
    Annotations.fromStack(stack).hasNoWarning('/Test/Web', Match.stringLikeRegexp('Cloud Map name'));
  });
});

describe('a blue/green service\'s load-balancer metrics cover both target groups', () => {
  const { stack, service } = build({ deploymentStrategy: DeploymentStrategy.canary() });
  const blue = stack.resolve(service.targetGroup!.targetGroupFullName);
  const green = stack.resolve(service.greenTargetGroup!.targetGroupFullName);

  /** The target groups a metric (or every metric of an expression) reads. */
  function targetGroupsOf(metric: cloudwatch.IMetric): unknown[] {
    const config = metric.toMetricConfig();
    const metrics = config.mathExpression ? Object.values(config.mathExpression.usingMetrics) : [metric];
    return metrics.map(m => stack.resolve(m.toMetricConfig().metricStat!.dimensions!.find(d => d.name === 'TargetGroup')!.value));
  }

  test.each([
    ['requests', () => service.metricRequestCount(), 'FILL(bluerequestcountsum, 0) + FILL(greenrequestcountsum, 0)'],
    ['5xx from the tasks', () => service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT), 'FILL(bluehttpcodetarget5xxcountsum, 0) + FILL(greenhttpcodetarget5xxcountsum, 0)'],
    ['response time', () => service.metricTargetResponseTime({ statistic: 'p99' }), 'MAX([FILL(bluetargetresponsetimep99, 0), FILL(greentargetresponsetimep99, 0)])'],
    ['healthy hosts', () => service.metricHealthyHostCount(), 'FILL(bluehealthyhostcountaverage, 0) + FILL(greenhealthyhostcountaverage, 0)'],
    ['unhealthy hosts', () => service.metricUnhealthyHostCount(), 'FILL(blueunhealthyhostcountaverage, 0) + FILL(greenunhealthyhostcountaverage, 0)'],
  ])('%s', (_name, metric, expression) => {
    const m = metric();
    expect(m.toMetricConfig().mathExpression?.expression).toBe(expression);
    expect(targetGroupsOf(m)).toEqual([blue, green]);
  });

  test('keeps the statistic and period of each target group\'s metric', () => {
    const m = service.metricTargetResponseTime({ statistic: 'p99', period: Duration.minutes(1) }) as cloudwatch.MathExpression;
    for (const inner of Object.values(m.usingMetrics)) {
      expect(inner.toMetricConfig().metricStat).toMatchObject({ statistic: 'p99', period: Duration.minutes(1) });
    }
    expect(m.period.toSeconds()).toBe(60);
  });

  test('an alarm on one of them can roll the deployment back', () => {
    const other = newStack();
    const web = new MicroService(other, 'Web', {
      infra: importedInfra(other), serviceName: 'web', image: IMAGE, deploymentStrategy: DeploymentStrategy.canary(), rollbackAlarms: false,
    });
    web.addDeploymentAlarms(web.metricUnhealthyHostCount().createAlarm(other, 'Unhealthy', { alarmName: 'web-unhealthy', threshold: 1, evaluationPeriods: 2 }));
    const template = Template.fromStack(other);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'web-unhealthy', Metrics: Match.arrayWith([Match.objectLike({ Id: 'greenunhealthyhostcountaverage' })]) });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['web-unhealthy'] } }) });
  });
});

describe('a rolling service\'s load-balancer metrics read its one target group', () => {
  const { service } = build();
  test('no expression', () => {
    expect(service.metricRequestCount().toMetricConfig().metricStat?.metricName).toBe('RequestCount');
    expect(service.metricRequestCountPerTarget().metricName).toBe('RequestCountPerTarget');
  });
});

describe('request-count scaling and per-target metrics with blue/green: fails when', () => {
  test('autoScaling.targetRequestsPerTarget is set with a blue/green strategy', () => {
    expect(() => build({ deploymentStrategy: DeploymentStrategy.blueGreen(), autoScaling: { maxCapacity: 4, targetRequestsPerTarget: 500 } }))
      .toThrow(/Test\/Web: autoScaling.targetRequestsPerTarget \(500\) reads one target group, but deploymentStrategy blueGreen moves the tasks between two.*scale on CPU or memory/);
  });

  test('metricRequestCountPerTarget() is asked of a blue/green service', () => {
    const { service } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });
    expect(() => service.metricRequestCountPerTarget()).toThrow(/metricRequestCountPerTarget\(\) reads one target group.*use metricRequestCount\(\) and metricRunningTaskCount\(\)/);
  });
});

describe('request-count scaling: accepts', () => {
  test('targetRequestsPerTarget with rolling updates, and CPU scaling with blue/green', () => {
    expect(() => build({ autoScaling: { maxCapacity: 4, targetRequestsPerTarget: 500 } })).not.toThrow();
    const cpu = { maxCapacity: 4, targetCpuUtilizationPercent: 60 };
    expect(() => build({ deploymentStrategy: DeploymentStrategy.blueGreen(), autoScaling: cpu })).not.toThrow();
  });
});

describe('CodeDeploy reads the deployment alarms it watches, and no others', () => {
  test('cloudwatch:DescribeAlarms on each alarm\'s ARN, none on *', () => {
    const stack = newStack();
    const web = new MicroService(stack, 'Web', {
      infra: importedInfra(stack), serviceName: 'web', image: IMAGE, deploymentStrategy: DeploymentStrategy.codeDeploy(), rollbackAlarms: false,
    });
    const alarm = web.metricUnhealthyHostCount().createAlarm(stack, 'Unhealthy', { threshold: 1, evaluationPeriods: 2 });
    web.addDeploymentAlarms(alarm);
    const template = Template.fromStack(stack);
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('WebCodeDeployRoleDefaultPolicy'))![1];
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const describe = statements.filter(s => [s.Action].flat().includes('cloudwatch:DescribeAlarms'));
    expect(describe).toEqual([expect.objectContaining({ Resource: stack.resolve(alarm.alarmArn) })]);
  });

  test('without deployment alarms the role cannot read any alarm', () => {
    const { template } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy(), rollbackAlarms: false });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('cloudwatch:DescribeAlarms');
  });
});

describe('rollback by default', () => {
  test('a bare service with a load balancer rolls back on 5xx and unhealthy targets', () => {
    const { service, template } = build();
    expect(service.rollbackAlarms.map(a => a.node.id)).toEqual(['RollbackErrorRate', 'RollbackUnhealthyHosts']);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: { Enable: true, Rollback: true, AlarmNames: ['Test-web-rollback-error-rate', 'Test-web-rollback-unhealthy-hosts'] },
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-web-rollback-error-rate',
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([Match.objectLike({ Id: 'expr_1', Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)' })]),
    });
    // A task fails health checks until it listens: startupTime (60 s) plus two minutes.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-web-rollback-unhealthy-hosts', Threshold: 1, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('with blue/green the error rate covers both target groups, and CodeDeploy watches the alarms', () => {
    const { service, template } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });
    const errorRate = service.rollbackAlarms[0].node.defaultChild as cloudwatch.CfnAlarm;
    expect(JSON.stringify(errorRate.metrics)).toContain('greenhttpcodetarget5xxcountsum');
    const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
    expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(2);
  });

  test('a declared error-rate threshold', () => {
    const { template } = build({ rollbackErrorRatePercent: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-web-rollback-error-rate', Threshold: 1 });
  });

  test('none without a load balancer (the circuit breaker decides) or when switched off', () => {
    expect(build({ loadBalancerType: LoadBalancerType.NONE }).service.rollbackAlarms).toEqual([]);
    const { service, template } = build({ rollbackAlarms: false });
    expect(service.rollbackAlarms).toEqual([]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('rollback alarms: fails when', () => {
  test('rollbackErrorRatePercent is outside 1 to 100', () => {
    expect(() => build({ rollbackErrorRatePercent: 0 })).toThrow(/Test\/Web: rollbackErrorRatePercent \(0\) must be a whole number from 1 to 100/);
    expect(() => build({ rollbackErrorRatePercent: 101 })).toThrow(/rollbackErrorRatePercent \(101\)/);
  });
});

describe('rollback alarms: accepts', () => {
  test('100 %', () => {
    expect(() => build({ rollbackErrorRatePercent: 100 })).not.toThrow();
  });
});

describe('CloudFormation never moves production traffic behind ECS\'s back', () => {
  /** The resources of a blue/green service whose HTTPS listener has this certificate and TLS policy. */
  function resources(strategy: DeploymentStrategy, certificateId: string, sslPolicy: elbv2.SslPolicy): Record<string, any> {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', `arn:aws:acm:eu-west-1:111111111111:certificate/${certificateId}`);
    new MicroService(stack, 'Web', { infra: importedInfra(stack), serviceName: 'web', image: IMAGE, deploymentStrategy: strategy, certificate, sslPolicy });
    return Template.fromStack(stack).toJSON().Resources;
  }

  /** The logical IDs whose template properties differ: the resources CloudFormation would update. */
  function changed(before: Record<string, any>, after: Record<string, any>): string[] {
    return Object.keys(after).filter(id => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
  }

  test('ECS-native: rotating the certificate or the TLS policy updates the listeners only, never the rules that carry the traffic weights', () => {
    const before = resources(DeploymentStrategy.canary(), 'aaaa', elbv2.SslPolicy.RECOMMENDED_TLS);
    const after = resources(DeploymentStrategy.canary(), 'bbbb', elbv2.SslPolicy.TLS13_13);
    const updated = changed(before, after);
    expect(updated.sort()).toEqual([expect.stringMatching(/^WebLoadBalancerListener/), expect.stringMatching(/^WebLoadBalancerTestListener/)].sort());
    // The production listener itself forwards nothing: its default action is a fixed 404, so rewriting it moves no traffic.
    const listener = Object.entries(after).find(([id]) => /^WebLoadBalancerListener[0-9A-F]+$/.test(id))![1];
    expect(listener.Properties.DefaultActions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]);
  });

  test('CodeDeploy: the same change rewrites the listener that carries production traffic, so synth warns', () => {
    const before = resources(DeploymentStrategy.codeDeploy(), 'aaaa', elbv2.SslPolicy.RECOMMENDED_TLS);
    const after = resources(DeploymentStrategy.codeDeploy(), 'bbbb', elbv2.SslPolicy.RECOMMENDED_TLS);
    const listenerId = changed(before, after).find(id => /^WebLoadBalancerListener[0-9A-F]+$/.test(id))!;
    expect(after[listenerId].Properties.DefaultActions[0]).toMatchObject({ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^WebTargetGroup/) } });
    const { stack } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp('writes the blue target group back.*prefer DeploymentStrategy.blueGreen\\(\\)'));
  });
});

describe('the image the service runs cannot expire', () => {
  test('deployed images are kept by a rule of their own, ahead of the rule that expires old builds', () => {
    const { template } = build({ maxDeployedImageCount: 5, maxImageCount: 20 });
    const repository = Object.values(template.findResources('AWS::ECR::Repository'))[0];
    expect(JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules).toEqual([
      {
        rulePriority: 1,
        description: 'Keep the newest deployed images',
        selection: { tagStatus: 'tagged', tagPrefixList: ['deployed-'], countType: 'imageCountMoreThan', countNumber: 5 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep the newest images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 },
        action: { type: 'expire' },
      },
    ]);
  });
});

describe('image counts: fails when', () => {
  test('maxDeployedImageCount is below 1', () => {
    expect(() => build({ maxDeployedImageCount: 0 })).toThrow(/Test\/Web: maxDeployedImageCount \(0\) must be a whole number from 1 to 10000/);
  });
});

describe('image counts: accepts', () => {
  test('one deployed image', () => {
    expect(() => build({ maxDeployedImageCount: 1 })).not.toThrow();
  });
});
