import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The sample app's settings for one stage. Every field is read by the app; there is nothing to
 * flip by hand after the first pipeline run.
 */
export interface StageConfig {
  /** Prefix of every stack name, e.g. `EcsDevops-Dev`. */
  readonly stackPrefix: string;
  /** NAT gateways of the VPC: 1 saves cost, one per AZ (2) keeps egress through an AZ outage. */
  readonly natGateways: number;
  /** What happens to repositories, tables, buckets and log groups when their stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Who is emailed when an alarm fires or a pipeline fails. */
  readonly notificationEmails: string[];
  /** Whether a person approves each backend deployment (seed 000's Review button). */
  readonly manualApproval: boolean;
  /**
   * Where the pipelines take source from. Unset: an S3 archive of the sample service, uploaded by
   * `cdk deploy`, which works in a brand-new account (CodeConnections needs a console handshake).
   */
  readonly source?: SourceConfig;
  /** How the frontend's canary deployment shifts traffic. */
  readonly frontendCanary: CanaryConfig;
  /**
   * How a release of the frontend passes this stage when the app holds several stages: the
   * minutes its rollback alarms must stay OK before the release goes on (0: no bake), and when it
   * may start deploying. A person approves the stage first when `manualApproval` is set.
   */
  readonly frontendRelease: ReleaseConfig;
  /** The load test on the frontend canary's test listener that must pass before production moves. */
  readonly frontendGate: GateConfig;
  /**
   * The frontend's own name, served over HTTPS with a certificate ACM validates in the zone.
   * Unset: the load balancer's DNS name over HTTP, which works in an account without a domain.
   */
  readonly frontendDomain?: DomainConfig;
  readonly backend: ServiceConfig;
  readonly frontend: ServiceConfig;
  readonly loadTester: LoadTesterConfig;
}

/** A GitHub, GitLab or Bitbucket repository reached through an AWS CodeConnections connection. */
export interface SourceConfig {
  readonly connectionArn: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly branch: string;
}

/** A stage's gates in the frontend's release. */
export interface ReleaseConfig {
  readonly bakeMinutes: number;
  /** The DeploymentWindow rule's cron (6 fields, seconds first) and IANA time zone. Unset: any time. */
  readonly window?: { readonly cron: string; readonly timeZone: string };
}

/** A bounded load test; the thresholds are the service's alarm thresholds. */
export interface GateConfig {
  readonly requests: number;
  readonly concurrency: number;
  /** Upper bound of the run. */
  readonly timeLimitSeconds: number;
}

/** A name in a public Route 53 hosted zone of the stage's account. */
export interface DomainConfig {
  /** The zone's ID, e.g. `Z0123456789ABCDEFGHIJ`; no look-up, so `cdk synth` needs no credentials. */
  readonly hostedZoneId: string;
  /** The zone's name, e.g. `example.com`. */
  readonly zoneName: string;
  /** The frontend's name in that zone, e.g. `shop.example.com`. */
  readonly domainName: string;
}

/** ECS-native canary: `percent` of traffic first, the rest after `intervalMinutes`, then a bake. */
export interface CanaryConfig {
  readonly percent: number;
  readonly intervalMinutes: number;
  readonly bakeMinutes: number;
}

/** Size, scaling and alarm thresholds of one sample service. */
export interface ServiceConfig {
  /** CPU units (1024 = 1 vCPU). */
  readonly cpu: number;
  /** Memory in MiB; Fargate allows only certain values per CPU. */
  readonly memoryLimitMiB: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Average CPU the service scales to keep. */
  readonly targetCpuPercent: number;
  /** Alarm when more than this share of requests fail with 5xx. */
  readonly errorRatePercent: number;
  /** Alarm when p99 latency exceeds this. */
  readonly p99LatencyMs: number;
}

/** How hard and how often the load tester pushes. */
export interface LoadTesterConfig {
  /** Switch the schedule off without deleting the tester. */
  readonly enabled: boolean;
  /** Minutes between runs. */
  readonly everyMinutes: number;
  readonly requests: number;
  readonly concurrency: number;
  /** Upper bound of one run. */
  readonly timeLimitSeconds: number;
}

const DEV: StageConfig = {
  stackPrefix: 'EcsDevops-Dev',
  natGateways: 1,
  removalPolicy: RemovalPolicy.DESTROY,
  notificationEmails: [],
  manualApproval: false,
  frontendCanary: { percent: 10, intervalMinutes: 2, bakeMinutes: 2 },
  frontendGate: { requests: 500, concurrency: 5, timeLimitSeconds: 60 },
  frontendRelease: { bakeMinutes: 5 },
  backend: { cpu: 256, memoryLimitMiB: 512, minTasks: 1, maxTasks: 2, targetCpuPercent: 60, errorRatePercent: 5, p99LatencyMs: 1000 },
  frontend: { cpu: 256, memoryLimitMiB: 512, minTasks: 1, maxTasks: 2, targetCpuPercent: 60, errorRatePercent: 5, p99LatencyMs: 1500 },
  loadTester: { enabled: true, everyMinutes: 30, requests: 500, concurrency: 5, timeLimitSeconds: 60 },
};

const PROD: StageConfig = {
  stackPrefix: 'EcsDevops-Prod',
  natGateways: 2,
  removalPolicy: RemovalPolicy.RETAIN,
  notificationEmails: ['ops@example.com'],
  manualApproval: true,
  frontendCanary: { percent: 10, intervalMinutes: 5, bakeMinutes: 5 },
  frontendGate: { requests: 2000, concurrency: 10, timeLimitSeconds: 120 },
  frontendRelease: { bakeMinutes: 15, window: { cron: '* * 9-15 ? * MON-THU', timeZone: 'Europe/Berlin' } },
  backend: { cpu: 1024, memoryLimitMiB: 2048, minTasks: 2, maxTasks: 6, targetCpuPercent: 50, errorRatePercent: 1, p99LatencyMs: 500 },
  frontend: { cpu: 1024, memoryLimitMiB: 2048, minTasks: 2, maxTasks: 6, targetCpuPercent: 50, errorRatePercent: 1, p99LatencyMs: 800 },
  loadTester: { enabled: false, everyMinutes: 60, requests: 2000, concurrency: 10, timeLimitSeconds: 120 },
};

/**
 * The stages the sample app knows, in release order; pick them with `cdk synth -c stages=<names>`
 * (default `dev,prod`).
 */
export const STAGES: Record<string, StageConfig> = { dev: DEV, prod: PROD };

/** The stages of a release, in order, by name. */
export type NamedStages = Array<[string, StageConfig]>;

/**
 * The configuration of the stage named by `stage`, checked before any construct exists, so a
 * wrong value fails with its key rather than deep in a construct.
 */
export function stageConfig(stage: string): StageConfig {
  const config = STAGES[stage];
  if (!config) {
    throw new Error(`unknown stage '${stage}' (context value 'stages'): use one or more of ${Object.keys(STAGES).join(', ')}, separated by commas`);
  }
  validateStageConfig(stage, config);
  return config;
}

/**
 * The stages named by the `stages` context value (default `dev,prod`), each checked, in the order
 * a release goes through them.
 */
export function stageConfigs(stages: string | undefined): NamedStages {
  const names = (stages ?? Object.keys(STAGES).join(',')).split(',').map(n => n.trim());
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) {
    throw new Error(`stage '${repeated}' is named twice (context value 'stages'): a release goes through each stage once`);
  }
  const configs: NamedStages = names.map(name => [name, stageConfig(name)]);
  const prefixes = configs.map(([, c]) => c.stackPrefix);
  if (new Set(prefixes).size !== prefixes.length) {
    throw new Error(`stages ${names.join(', ')} share a stackPrefix (${prefixes.join(', ')}): give each stage its own, as their stacks live in one app`);
  }
  return configs;
}

export function validateStageConfig(name: string, config: StageConfig): void {
  const problems: string[] = [];
  const wholeIn = (key: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} (${value}) must be a whole number from ${min} to ${max}`);
    }
  };
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(config.stackPrefix)) {
    problems.push(`stackPrefix ('${config.stackPrefix}') must start with a letter and hold only letters, digits and hyphens`);
  }
  wholeIn('natGateways', config.natGateways, 1, 2);
  for (const email of config.notificationEmails) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      problems.push(`notificationEmails has '${email}', which is not an email address`);
    }
  }
  for (const [key, service] of Object.entries({ backend: config.backend, frontend: config.frontend })) {
    wholeIn(`${key}.minTasks`, service.minTasks, 1, 100);
    wholeIn(`${key}.maxTasks`, service.maxTasks, 1, 100);
    if (service.minTasks > service.maxTasks) {
      problems.push(`${key}.minTasks (${service.minTasks}) must not exceed ${key}.maxTasks (${service.maxTasks})`);
    }
    wholeIn(`${key}.targetCpuPercent`, service.targetCpuPercent, 10, 90);
    if (!(service.errorRatePercent > 0 && service.errorRatePercent <= 100)) {
      problems.push(`${key}.errorRatePercent (${service.errorRatePercent}) must be above 0 and at most 100`);
    }
    wholeIn(`${key}.p99LatencyMs`, service.p99LatencyMs, 10, 60000);
  }
  if (config.source) {
    if (!/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/.test(config.source.connectionArn)) {
      problems.push(`source.connectionArn ('${config.source.connectionArn}') must be a CodeConnections connection ARN`);
    }
    if (!/^[\w.-]+\/[\w.-]+$/.test(config.source.repository)) {
      problems.push(`source.repository ('${config.source.repository}') must be 'owner/name'`);
    }
  }
  const domain = config.frontendDomain;
  if (domain) {
    if (!/^Z[A-Z0-9]{1,31}$/.test(domain.hostedZoneId)) {
      problems.push(`frontendDomain.hostedZoneId ('${domain.hostedZoneId}') must be a Route 53 zone ID such as 'Z0123456789ABCDEFGHIJ'`);
    }
    if (domain.domainName !== domain.zoneName && !domain.domainName.endsWith(`.${domain.zoneName}`)) {
      problems.push(`frontendDomain.domainName ('${domain.domainName}') must be in the zone '${domain.zoneName}'`);
    }
  }
  const canary = config.frontendCanary;
  wholeIn('frontendCanary.percent', canary.percent, 1, 99);
  wholeIn('frontendCanary.intervalMinutes', canary.intervalMinutes, 1, 30);
  wholeIn('frontendCanary.bakeMinutes', canary.bakeMinutes, 0, 30);
  wholeIn('frontendRelease.bakeMinutes', config.frontendRelease.bakeMinutes, 0, 1440);
  const gate = config.frontendGate;
  wholeIn('frontendGate.requests', gate.requests, 1, 1000000);
  wholeIn('frontendGate.concurrency', gate.concurrency, 1, 1000);
  wholeIn('frontendGate.timeLimitSeconds', gate.timeLimitSeconds, 1, 600);
  if (gate.concurrency > gate.requests) {
    problems.push(`frontendGate.concurrency (${gate.concurrency}) must not exceed frontendGate.requests (${gate.requests})`);
  }
  const lt = config.loadTester;
  wholeIn('loadTester.everyMinutes', lt.everyMinutes, 1, 1440);
  wholeIn('loadTester.requests', lt.requests, 1, 1000000);
  wholeIn('loadTester.concurrency', lt.concurrency, 1, 1000);
  wholeIn('loadTester.timeLimitSeconds', lt.timeLimitSeconds, 1, 3600);
  if (lt.concurrency > lt.requests) {
    problems.push(`loadTester.concurrency (${lt.concurrency}) must not exceed loadTester.requests (${lt.requests})`);
  }
  if (lt.timeLimitSeconds > lt.everyMinutes * 60) {
    problems.push(`loadTester.timeLimitSeconds (${lt.timeLimitSeconds}) must fit between runs (everyMinutes ${lt.everyMinutes})`);
  }
  if (problems.length > 0) {
    throw new Error(`stage '${name}' has invalid settings:\n  ${problems.join('\n  ')}`);
  }
}
