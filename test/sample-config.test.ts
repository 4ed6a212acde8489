import { STAGES, StageConfig, stageConfig, stageConfigs, validateStageConfig } from '../integ/sample/config';

const with_ = (patch: (c: StageConfig) => StageConfig) => () => validateStageConfig('dev', patch(STAGES.dev));

test('every shipped stage is valid', () => {
  for (const [name, config] of Object.entries(STAGES)) {
    expect(() => validateStageConfig(name, config)).not.toThrow();
  }
  expect(stageConfig('prod')).toBe(STAGES.prod);
});

test('the stages default to dev then prod, the order a release goes through them', () => {
  expect(stageConfigs(undefined)).toEqual([['dev', STAGES.dev], ['prod', STAGES.prod]]);
  expect(stageConfigs('prod')).toEqual([['prod', STAGES.prod]]);
  expect(stageConfigs(' dev , prod ')).toEqual([['dev', STAGES.dev], ['prod', STAGES.prod]]);
});

describe('the sample config fails when', () => {
  test('the stage is unknown', () => {
    expect(() => stageConfigs('dev,staging')).toThrow("unknown stage 'staging' (context value 'stages'): use one or more of dev, prod, separated by commas");
  });
  test('a stage is named twice', () => {
    expect(() => stageConfigs('dev,prod,dev')).toThrow("stage 'dev' is named twice (context value 'stages'): a release goes through each stage once");
  });
  test('the release bake is not a whole number of minutes from 0 to a day', () => {
    expect(with_(c => ({ ...c, frontendRelease: { bakeMinutes: 1.5 } }))).toThrow(/frontendRelease.bakeMinutes \(1.5\)/);
    expect(with_(c => ({ ...c, frontendRelease: { bakeMinutes: 0 } }))).not.toThrow();
  });
  test('an email is malformed', () => {
    expect(with_(c => ({ ...c, notificationEmails: ['ops.example.com'] }))).toThrow(/notificationEmails has 'ops.example.com', which is not an email address/);
  });
  test('min tasks exceed max tasks', () => {
    expect(with_(c => ({ ...c, backend: { ...c.backend, minTasks: 5, maxTasks: 2 } }))).toThrow(/backend.minTasks \(5\) must not exceed backend.maxTasks \(2\)/);
  });
  test('a number is out of range or not whole', () => {
    expect(with_(c => ({ ...c, natGateways: 0 }))).toThrow(/natGateways \(0\) must be a whole number from 1 to 2/);
    expect(with_(c => ({ ...c, frontend: { ...c.frontend, targetCpuPercent: 95 } }))).toThrow(/frontend.targetCpuPercent \(95\)/);
    expect(with_(c => ({ ...c, frontend: { ...c.frontend, p99LatencyMs: 1.5 } }))).toThrow(/frontend.p99LatencyMs \(1.5\)/);
    expect(with_(c => ({ ...c, backend: { ...c.backend, errorRatePercent: 0 } }))).toThrow(/backend.errorRatePercent \(0\) must be above 0/);
  });
  test('the stack prefix is not a valid stack name start', () => {
    expect(with_(c => ({ ...c, stackPrefix: 'ecs devops' }))).toThrow(/stackPrefix \('ecs devops'\)/);
  });
  test('the load tester would run longer than the gap between runs, or more users than requests', () => {
    expect(with_(c => ({ ...c, loadTester: { ...c.loadTester, everyMinutes: 1, timeLimitSeconds: 120 } })))
      .toThrow(/loadTester.timeLimitSeconds \(120\) must fit between runs/);
    expect(with_(c => ({ ...c, loadTester: { ...c.loadTester, requests: 5, concurrency: 10 } })))
      .toThrow(/loadTester.concurrency \(10\) must not exceed loadTester.requests \(5\)/);
  });
  test('the source connection or repository is malformed', () => {
    expect(with_(c => ({ ...c, source: { connectionArn: 'arn:aws:s3:::bucket', repository: 'shop', branch: 'main' } })))
      .toThrow(/source.connectionArn \('arn:aws:s3:::bucket'\) must be a CodeConnections connection ARN[\s\S]*source.repository \('shop'\) must be 'owner\/name'/);
    expect(with_(c => ({
      ...c, source: { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc-123', repository: 'my-org/shop', branch: 'main' },
    }))).not.toThrow();
  });
  test('the canary shifts nothing or everything', () => {
    expect(with_(c => ({ ...c, frontendCanary: { ...c.frontendCanary, percent: 100 } }))).toThrow(/frontendCanary.percent \(100\)/);
  });
  test('the frontend domain has a malformed zone ID or lies outside its zone', () => {
    expect(with_(c => ({ ...c, frontendDomain: { hostedZoneId: 'example.com', zoneName: 'example.com', domainName: 'shop.example.org' } })))
      .toThrow(/frontendDomain.hostedZoneId \('example.com'\) must be a Route 53 zone ID[\s\S]*frontendDomain.domainName \('shop.example.org'\) must be in the zone 'example.com'/);
    expect(with_(c => ({ ...c, frontendDomain: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', domainName: 'notexample.com' } })))
      .toThrow(/frontendDomain.domainName \('notexample.com'\) must be in the zone 'example.com'/);
    expect(with_(c => ({ ...c, frontendDomain: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com', domainName: 'shop.example.com' } }))).not.toThrow();
  });
  test('the frontend gate would send more users than requests, or run too long', () => {
    expect(with_(c => ({ ...c, frontendGate: { ...c.frontendGate, requests: 5, concurrency: 10 } })))
      .toThrow(/frontendGate.concurrency \(10\) must not exceed frontendGate.requests \(5\)/);
    expect(with_(c => ({ ...c, frontendGate: { ...c.frontendGate, timeLimitSeconds: 601 } }))).toThrow(/frontendGate.timeLimitSeconds \(601\)/);
    expect(with_(c => ({ ...c, frontendGate: { requests: 10, concurrency: 10, timeLimitSeconds: 600 } }))).not.toThrow();
  });
  test('all problems are reported at once', () => {
    expect(with_(c => ({ ...c, natGateways: 3, notificationEmails: ['x'] }))).toThrow(/natGateways[\s\S]*notificationEmails/);
  });
});
