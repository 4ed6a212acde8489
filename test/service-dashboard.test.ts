import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  LoadBalancerType, LoadTester, LoadTestTarget, MicroService, ServiceDashboard, ServiceDashboardProps, ServiceImage,
} from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

/**
 * The dashboard body is a Fn::Join of JSON text and references; replacing each reference with a
 * readable placeholder gives JSON that can be parsed and inspected widget by widget.
 */
function dashboardBody(template: Template): any {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as any).Properties.DashboardBody;
  if (typeof body === 'string') {
    return JSON.parse(body);
  }
  const parts: unknown[] = body['Fn::Join'][1];
  return JSON.parse(parts.map(p => (typeof p === 'string' ? p : placeholder(p))).join(''));
}

function placeholder(ref: any): string {
  if (ref.Ref) {
    return `<Ref:${ref.Ref}>`;
  }
  if (ref['Fn::GetAtt']) {
    return `<GetAtt:${ref['Fn::GetAtt'].join('.')}>`;
  }
  if (ref['Fn::Select']) {
    return '<Select>';
  }
  if (ref['Fn::ImportValue']) {
    return `<Import:${ref['Fn::ImportValue']}>`;
  }
  throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(ref)}`);
}

/** A widget's metric rows as { namespace, name, dimensions, options }. */
function metricsOf(w: any): Array<{ namespace: string; name: string; dimensions: Record<string, string>; options: any }> {
  return w.properties.metrics.map((row: any[]) => {
    const options = typeof row[row.length - 1] === 'object' ? row[row.length - 1] : {};
    const fields = typeof row[row.length - 1] === 'object' ? row.slice(0, -1) : row;
    if (fields[0] === '.' || fields.length === 0) {
      return { namespace: '', name: '', dimensions: {}, options };
    }
    const dimensions: Record<string, string> = {};
    for (let i = 2; i < fields.length; i += 2) {
      dimensions[fields[i]] = fields[i + 1];
    }
    return { namespace: fields[0], name: fields[1], dimensions, options };
  });
}

function widget(body: any, title: string): any {
  const found = body.widgets.find((w: any) => w.properties.title === title);
  if (!found) {
    throw new Error(`no widget titled '${title}'; titles: ${body.widgets.map((w: any) => w.properties.title).join(', ')}`);
  }
  return found;
}

function alarm(template: Template, name: string): any {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
  expect(found).toHaveLength(1);
  return (found[0] as any).Properties;
}

const ALB_DIMENSIONS = ['LoadBalancer', 'TargetGroup'];
const ECS_DIMENSIONS = ['ClusterName', 'ServiceName'];

describe('ServiceDashboard over a load-balanced service, a service without load balancer and a load tester', () => {
  const stack = newStack('Shop');
  const infra = importedInfra(stack);
  const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: IMAGE });
  const worker = new MicroService(stack, 'Worker', { infra, serviceName: 'worker', image: IMAGE, loadBalancerType: LoadBalancerType.NONE });
  const target = LoadTestTarget.cloudMap(backend, { path: '/items' });
  const tester = new LoadTester(stack, 'Tester', { infra, targets: [target], loadTesterName: 'shop-load' });
  const dashboard = new ServiceDashboard(stack, 'Dashboard', {
    dashboardName: 'shop',
    services: [backend, worker],
    loadTesters: [tester],
    alarmEmails: ['ops@example.com', 'oncall@example.com'],
  });
  const template = Template.fromStack(stack);
  const body = dashboardBody(template);
  const topic = { Ref: expect.stringMatching(/^DashboardTopic/) };

  test('creates one named dashboard opening on the last three hours', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop' });
    expect(body.start).toBe('-PT3H');
  });

  test('starts with an alarm-status widget over every alarm, most recent changes first', () => {
    const first = body.widgets[0];
    expect(first).toMatchObject({ type: 'alarm', width: 24, x: 0, y: 0, properties: { title: 'Alarms', sortBy: 'stateUpdatedTimestamp' } });
    // The dashboard's own alarms, then the services' rollback alarms.
    const arns = [...dashboard.alarms, ...backend.rollbackAlarms].map(a => `<GetAtt:${stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm)}.Arn>`);
    expect(first.properties.alarms).toEqual(arns);
    expect(first.properties.alarms).toHaveLength(11);
  });

  test('heads each service\'s section with its name and URLs', () => {
    const texts = body.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown);
    expect(texts).toEqual([
      expect.stringMatching(/^### backend\nLoad balancer: http:\/\/<GetAtt:BackendLoadBalancer.*\.DNSName> · Cloud Map: http:\/\/backend.svc.internal:8080$/),
      '### worker\nNo load balancer · Cloud Map: http://worker.svc.internal:8080',
      '### Load tester shop-load\nTargets: `backend-cloudmap`',
    ]);
  });

  test('graphs the request count of the target group, per minute', () => {
    const [requests] = metricsOf(widget(body, 'backend: requests'));
    expect(requests).toMatchObject({ namespace: 'AWS/ApplicationELB', name: 'RequestCount', options: { stat: 'Sum', period: 60 } });
    expect(Object.keys(requests.dimensions)).toEqual(ALB_DIMENSIONS);
    expect(requests.dimensions.TargetGroup).toMatch(/^<GetAtt:BackendTargetGroup.*\.TargetGroupFullName>$/);
  });

  test('graphs 2xx, 4xx and 5xx of the tasks and 5xx of the load balancer', () => {
    const rows = metricsOf(widget(body, 'backend: HTTP responses'));
    expect(rows.map(r => [r.name, r.options.label, r.options.stat])).toEqual([
      ['HTTPCode_Target_2XX_Count', '2xx', 'Sum'],
      ['HTTPCode_Target_4XX_Count', '4xx', 'Sum'],
      ['HTTPCode_Target_5XX_Count', '5xx', 'Sum'],
      ['HTTPCode_ELB_5XX_Count', '5xx from the load balancer', 'Sum'],
    ]);
    expect(rows.slice(0, 3).map(r => Object.keys(r.dimensions))).toEqual([ALB_DIMENSIONS, ALB_DIMENSIONS, ALB_DIMENSIONS]);
    expect(Object.keys(rows[3].dimensions)).toEqual(['LoadBalancer']);
  });

  test('graphs the 5xx error rate with its alarm threshold', () => {
    const w = widget(body, 'backend: 5xx error rate (%)');
    expect(w.properties.metrics[0]).toEqual([{ expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', label: '5xx error rate (%)', period: 60 }]);
    const inputs = metricsOf({ properties: { metrics: w.properties.metrics.slice(1) } });
    expect(inputs.map(r => [r.name, r.options.id, r.options.stat, r.options.visible])).toEqual([
      ['HTTPCode_Target_5XX_Count', 'errors', 'Sum', false],
      ['RequestCount', 'requests', 'Sum', false],
    ]);
    expect(w.properties.annotations.horizontal).toEqual([{ value: 5, label: 'Alarm', color: '#d62728', yAxis: 'left' }]);
  });

  test('graphs response time p50, p90 and p99 with the latency threshold', () => {
    const w = widget(body, 'backend: response time (s)');
    const rows = metricsOf(w);
    expect(rows.map(r => [r.name, r.options.stat, r.options.period])).toEqual([
      ['TargetResponseTime', 'p50', 60], ['TargetResponseTime', 'p90', 60], ['TargetResponseTime', 'p99', 60],
    ]);
    expect(rows.every(r => Object.keys(r.dimensions).join() === ALB_DIMENSIONS.join())).toBe(true);
    expect(w.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 1, label: 'p99 alarm' })]);
  });

  test('graphs healthy and unhealthy hosts', () => {
    const rows = metricsOf(widget(body, 'backend: hosts'));
    expect(rows.map(r => [r.name, r.options.stat, Object.keys(r.dimensions)])).toEqual([
      ['HealthyHostCount', 'Minimum', ALB_DIMENSIONS],
      ['UnHealthyHostCount', 'Maximum', ALB_DIMENSIONS],
    ]);
  });

  test('graphs CPU and memory of each service against its thresholds, on a 0-100 axis', () => {
    for (const name of ['backend', 'worker']) {
      const w = widget(body, `${name}: CPU and memory (%)`);
      const rows = metricsOf(w);
      // A graph's default statistic is Average, which CDK leaves out of the widget.
      expect(rows.map(r => [r.namespace, r.name, r.options.stat ?? 'Average'])).toEqual([
        ['AWS/ECS', 'CPUUtilization', 'Average'], ['AWS/ECS', 'MemoryUtilization', 'Average'],
      ]);
      expect(rows.every(r => Object.keys(r.dimensions).join() === ECS_DIMENSIONS.join() && r.dimensions.ClusterName === 'platform')).toBe(true);
      expect(w.properties.yAxis.left).toMatchObject({ min: 0, max: 100 });
      expect(w.properties.annotations.horizontal.map((a: any) => a.value)).toEqual([90, 90]);
    }
  });

  test('graphs running against desired tasks from Container Insights', () => {
    for (const name of ['backend', 'worker']) {
      const rows = metricsOf(widget(body, `${name}: tasks`));
      expect(rows.map(r => [r.namespace, r.name, Object.keys(r.dimensions)])).toEqual([
        ['ECS/ContainerInsights', 'RunningTaskCount', ECS_DIMENSIONS],
        ['ECS/ContainerInsights', 'DesiredTaskCount', ECS_DIMENSIONS],
      ]);
    }
  });

  test('gives a service without load balancer only the ECS graphs', () => {
    const titles = body.widgets.map((w: any) => w.properties.title).filter((t: string) => t?.startsWith('worker'));
    expect(titles).toEqual(['worker: CPU and memory (%)', 'worker: tasks']);
  });

  test('graphs the load tester\'s requests per second, latency and failures per target', () => {
    const dims = { LoadTester: 'shop-load', Target: 'backend-cloudmap' };
    const rps = metricsOf(widget(body, 'Load test: requests per second'));
    expect(rps).toEqual([{ namespace: 'CdkEcsDevops/LoadTester', name: 'RequestsPerSecond', dimensions: dims, options: { label: 'backend-cloudmap' } }]);
    const latency = metricsOf(widget(body, 'Load test: latency (ms)'));
    expect(latency.map(r => [r.name, r.dimensions])).toEqual([['LatencyP50', dims], ['LatencyP90', dims], ['LatencyP99', dims]]);
    const failures = metricsOf(widget(body, 'Load test: failures'));
    expect(failures.map(r => [r.name, r.options.stat, r.dimensions])).toEqual([
      ['FailedRequests', 'Sum', dims], ['Non2xxResponses', 'Sum', dims], ['FailedRuns', 'Sum', dims],
    ]);
  });

  test('alarms when more than 5 % of requests fail with 5xx for 3 minutes; no traffic is not breaching', () => {
    const a = alarm(template, 'Shop-backend-error-rate');
    expect(a).toMatchObject({
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(a.Metrics[0]).toEqual({ Id: 'expr_1', Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', Label: '5xx error rate (%)', ReturnData: true });
    const inputs = a.Metrics.slice(1).map((m: any) => m.MetricStat);
    expect(inputs.map((m: any) => [m.Metric.MetricName, m.Stat, m.Period, m.Metric.Dimensions.map((d: any) => d.Name)])).toEqual([
      ['HTTPCode_Target_5XX_Count', 'Sum', 60, ALB_DIMENSIONS],
      ['RequestCount', 'Sum', 60, ALB_DIMENSIONS],
    ]);
    expect(a.Metrics.slice(1).map((m: any) => m.Id)).toEqual(['errors', 'requests']);
  });

  test('alarms when p99 response time exceeds 1 s for 3 minutes', () => {
    const a = alarm(template, 'Shop-backend-latency-p99');
    expect(a).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(a.Dimensions.map((d: any) => d.Name)).toEqual(ALB_DIMENSIONS);
  });

  test('alarms when a target is unhealthy for 2 minutes', () => {
    const a = alarm(template, 'Shop-backend-unhealthy-hosts');
    expect(a).toMatchObject({
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(a.Dimensions.map((d: any) => d.Name)).toEqual(ALB_DIMENSIONS);
  });

  test('alarms on CPU and memory above 90 % for 5 minutes, for both services', () => {
    for (const name of ['backend', 'worker']) {
      for (const [suffix, metric] of [['cpu-high', 'CPUUtilization'], ['memory-high', 'MemoryUtilization']]) {
        const a = alarm(template, `Shop-${name}-${suffix}`);
        expect(a).toMatchObject({
          Namespace: 'AWS/ECS',
          MetricName: metric,
          Statistic: 'Average',
          Period: 60,
          Threshold: 90,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 5,
          DatapointsToAlarm: 5,
          TreatMissingData: 'notBreaching',
          AlarmActions: [topic],
          OKActions: [topic],
        });
        expect(a.Dimensions).toEqual([
          { Name: 'ClusterName', Value: 'platform' },
          { Name: 'ServiceName', Value: { 'Fn::GetAtt': [expect.stringMatching(`^${name === 'backend' ? 'Backend' : 'Worker'}Service`), 'Name'] } },
        ]);
      }
    }
  });

  test('alarms when fewer tasks run than desired for 5 minutes, and stays unknown without Container Insights', () => {
    for (const name of ['backend', 'worker']) {
      const a = alarm(template, `Shop-${name}-tasks-below-desired`);
      expect(a).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        TreatMissingData: 'missing',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(a.Metrics[0]).toMatchObject({ Expression: 'desired - running', ReturnData: true });
      const inputs = a.Metrics.slice(1).map((m: any) => [m.Id, m.MetricStat.Metric]);
      expect(inputs.map(([id, m]: any) => [id, m.Namespace, m.MetricName, m.Dimensions.map((d: any) => d.Name)])).toEqual([
        ['desired', 'ECS/ContainerInsights', 'DesiredTaskCount', ECS_DIMENSIONS],
        ['running', 'ECS/ContainerInsights', 'RunningTaskCount', ECS_DIMENSIONS],
      ]);
    }
  });

  test('creates six alarms for the load-balanced service and three for the other, exposed per service', () => {
    // Plus the load-balanced service's own two rollback alarms.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
    const b = dashboard.alarmsFor(backend);
    expect(b.all.map(a => a.node.id)).toEqual(['ErrorRate', 'LatencyP99', 'UnhealthyHosts', 'CpuHigh', 'MemoryHigh', 'TasksBelowDesired']);
    const w = dashboard.alarmsFor(worker);
    expect([w.errorRate, w.latencyP99, w.unhealthyHosts]).toEqual([undefined, undefined, undefined]);
    expect(w.all).toEqual([w.cpuHigh, w.memoryHigh, w.tasksBelowDesired]);
    expect(dashboard.alarms).toEqual([...b.all, ...w.all]);
  });

  test('notifies an SNS topic that accepts TLS only, with each email subscribed', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    const topicRef = { Ref: Match.stringLikeRegexp('^DashboardTopic') };
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicRef });
    expect(dashboard.topic).toBeInstanceOf(sns.Topic);
  });

  test('does not touch the services\' deployments unless asked: they keep their own rollback alarms only', () => {
    const alarmNames = (Object.values(template.findResources('AWS::ECS::Service')) as any[]).map(svc => svc.Properties.DeploymentConfiguration.Alarms?.AlarmNames);
    expect(alarmNames).toEqual([['Shop-backend-rollback-error-rate', 'Shop-backend-rollback-unhealthy-hosts'], undefined]);
  });
});

describe('ServiceDashboard options', () => {
  function build(props: ServiceDashboardProps = {}) {
    const stack = newStack('Shop');
    const infra = importedInfra(stack);
    const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: IMAGE });
    const dashboard = new ServiceDashboard(stack, 'Dashboard', props);
    return { stack, infra, backend, dashboard };
  }

  test('per-service thresholds override the dashboard\'s, which override the defaults, field by field', () => {
    const { stack, backend, dashboard } = build({ alarmThresholds: { errorRatePercent: 2, cpuUtilizationPercent: 80 } });
    dashboard.addService(backend, {
      alarmNamePrefix: 'orders-prod',
      alarmThresholds: { errorRatePercent: 0.5, latencyP99: Duration.millis(300), unhealthyHosts: 2, tasksBelowDesiredFor: Duration.minutes(10) },
    });
    const template = Template.fromStack(stack);
    expect(alarm(template, 'orders-prod-error-rate').Threshold).toBe(0.5);
    expect(alarm(template, 'orders-prod-latency-p99').Threshold).toBe(0.3);
    expect(alarm(template, 'orders-prod-unhealthy-hosts').Threshold).toBe(2);
    expect(alarm(template, 'orders-prod-cpu-high').Threshold).toBe(80);
    expect(alarm(template, 'orders-prod-memory-high').Threshold).toBe(90);
    expect(alarm(template, 'orders-prod-tasks-below-desired')).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10 });
  });

  test('an existing topic receives the notifications and no topic is created', () => {
    const stack = newStack();
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Shared', 'arn:aws:sns:eu-west-1:111111111111:alarms');
    const backend = new MicroService(stack, 'Backend', { infra: importedInfra(stack), serviceName: 'backend', image: IMAGE });
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { services: [backend], alarmTopic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-backend-cpu-high',
      AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:alarms'],
      OKActions: ['arn:aws:sns:eu-west-1:111111111111:alarms'],
    });
    expect(dashboard.topic).toBe(alarmTopic);
  });

  test('without emails or topic a topic is still created, ready for subscriptions', () => {
    const { stack, backend, dashboard } = build();
    dashboard.addService(backend);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('your own widgets go below, and load testers can be added later', () => {
    const { stack, infra, backend, dashboard } = build();
    dashboard.addService(backend);
    const target = LoadTestTarget.loadBalancer(backend);
    dashboard.addLoadTester(new LoadTester(stack, 'Tester', { infra, targets: [target], loadTesterName: 'later' }));
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: 'Runbook: https://wiki.example.com/orders', width: 24, height: 1 }));
    const body = dashboardBody(Template.fromStack(stack));
    expect(body.widgets[body.widgets.length - 1].properties.markdown).toBe('Runbook: https://wiki.example.com/orders');
    expect(metricsOf(widget(body, 'Load test: requests per second'))[0].dimensions).toEqual({ LoadTester: 'later', Target: 'backend-alb' });
    // Services added after the constructor still appear in the alarm overview on top.
    expect(body.widgets[0].properties.alarms).toHaveLength(6 + backend.rollbackAlarms.length);
  });

  test('a dashboard with no service has no alarm widget', () => {
    const { stack } = build({ dashboardName: 'empty' });
    const body = dashboardBody(Template.fromStack(stack));
    expect(body.widgets.filter((w: any) => w.type === 'alarm')).toEqual([]);
  });
});
