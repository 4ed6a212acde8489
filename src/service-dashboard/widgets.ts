import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PERIOD, ResolvedThresholds, seconds } from './alarm-factory';
import { ServiceAlarms } from './service-alarms';
import { LoadTester } from '../load-tester';
import { MicroService } from '../micro-service';

/**
 * The widgets of a ServiceDashboard, as rows: the dashboard adds each row with one
 * `addWidgets()` call, so a row's widgets stand side by side.
 */

/** A dashboard row is 24 units wide. Three graphs per row. */
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;
const FROM_ZERO: Partial<cloudwatch.GraphWidgetProps> = { leftYAxis: { min: 0, showUnits: false } };

/** A service's section: a heading, then its load balancer's graphs (if it has one) and its ECS graphs. */
export function serviceRows(service: MicroService, alarms: ServiceAlarms, t: ResolvedThresholds): cloudwatch.IWidget[][] {
  const name = service.serviceName;
  const links = [service.url ? `Load balancer: ${service.url}` : 'No load balancer', `Cloud Map: ${service.serviceDiscoveryUrl}`];
  const heading = new cloudwatch.TextWidget({ markdown: `### ${name}\n${links.join(' · ')}`, width: 24, height: 1 });

  const cpuAndMemory = graph(`${name}: CPU and memory (%)`, [
    service.metricCpuUtilization({ period: PERIOD, label: 'CPU' }),
    service.metricMemoryUtilization({ period: PERIOD, label: 'Memory' }),
  ], {
    leftYAxis: { min: 0, max: 100, showUnits: false },
    leftAnnotations: [
      { value: t.cpuUtilizationPercent, label: 'CPU alarm', color: cloudwatch.Color.RED },
      { value: t.memoryUtilizationPercent, label: 'Memory alarm', color: cloudwatch.Color.ORANGE },
    ],
  });
  const tasks = graph(`${name}: tasks`, [
    service.metricRunningTaskCount({ period: PERIOD, label: 'Running' }),
    service.metricDesiredTaskCount({ period: PERIOD, label: 'Desired' }),
  ], FROM_ZERO);

  if (!service.targetGroup) {
    return [[heading], [cpuAndMemory, tasks]];
  }
  const sum = { statistic: cloudwatch.Stats.SUM, period: PERIOD };
  return [
    [heading],
    [
      graph(`${name}: requests`, [service.metricRequestCount({ ...sum, label: 'Requests' })], FROM_ZERO),
      graph(`${name}: HTTP responses`, [
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_2XX_COUNT, { ...sum, label: '2xx', color: cloudwatch.Color.GREEN }),
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { ...sum, label: '4xx', color: cloudwatch.Color.ORANGE }),
        service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...sum, label: '5xx', color: cloudwatch.Color.RED }),
        service.metricHttpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ...sum, label: '5xx from the load balancer', color: cloudwatch.Color.PINK }),
      ], FROM_ZERO),
      graph(`${name}: 5xx error rate (%)`, [alarms.errorRate!.metric], withAlarmLine(t.errorRatePercent, 'Alarm')),
    ],
    [
      graph(`${name}: response time (s)`, ['p50', 'p90', 'p99'].map(p =>
        service.metricTargetResponseTime({ statistic: p, period: PERIOD, label: p })), withAlarmLine(seconds(t.latencyP99), 'p99 alarm')),
      graph(`${name}: hosts`, [
        service.metricHealthyHostCount({ statistic: cloudwatch.Stats.MINIMUM, period: PERIOD, label: 'Healthy', color: cloudwatch.Color.GREEN }),
        service.metricUnhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label: 'Unhealthy', color: cloudwatch.Color.RED }),
      ], FROM_ZERO),
      cpuAndMemory,
    ],
    [tasks],
  ];
}

/** A load tester's section: a heading, then requests per second, latency and failures per target. */
export function loadTesterRows(tester: LoadTester): cloudwatch.IWidget[][] {
  const targets = tester.targets;
  return [
    [new cloudwatch.TextWidget({
      markdown: `### Load tester ${tester.loadTesterName}\nTargets: ${targets.map(t => `\`${t.name}\``).join(', ')}`,
      width: 24,
      height: 1,
    })],
    [
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
    ],
  ];
}

/** A graph from zero with a red line at the alarm threshold. */
function withAlarmLine(value: number, label: string): Partial<cloudwatch.GraphWidgetProps> {
  return { ...FROM_ZERO, leftAnnotations: [{ value, label, color: cloudwatch.Color.RED }] };
}

function graph(title: string, metrics: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: GRAPH_WIDTH, height: GRAPH_HEIGHT, ...options });
}
