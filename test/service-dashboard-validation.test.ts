import { App, Duration, Lazy } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LoadTester, LoadTestTarget, MicroService, ServiceDashboard, ServiceImage } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

describe('ServiceDashboard fails', () => {
  function setup() {
    const stack = newStack('Shop');
    const backend = new MicroService(stack, 'Backend', { infra: importedInfra(stack), serviceName: 'backend', image: IMAGE });
    return { stack, backend };
  }

  test('fails when alarmEmails and alarmTopic are both set', () => {
    const { stack } = setup();
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Shared', 'arn:aws:sns:eu-west-1:111111111111:alarms');
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmTopic, alarmEmails: ['ops@example.com'] }))
      .toThrow(/Shop\/Dashboard: alarmEmails and alarmTopic are both set: subscribe the emails to alarmTopic where it is defined/);
  });

  test('fails when an email is not an email address', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmEmails: ['ops.example.com'] }))
      .toThrow("Shop/Dashboard: alarmEmails ('ops.example.com') is not an email address: give one address per entry, in the form name@example.com");
    expect(() => new ServiceDashboard(newStack('Other'), 'Dashboard', { alarmEmails: ['a@example.com,b@example.com'] }))
      .toThrow(/alarmEmails \('a@example.com,b@example.com'\) is not one email address/);
  });

  test('fails when errorRatePercent is out of range', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { errorRatePercent: 0 } }))
      .toThrow(/alarmThresholds.errorRatePercent \(0\) must be above 0 and at most 100/);
  });

  test('fails when latencyP99 is not positive', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { latencyP99: Duration.millis(0) } }))
      .toThrow(/alarmThresholds.latencyP99 \(0 ms\) must be above 0 and at most 1 hour/);
  });

  test('fails when unhealthyHosts is below 1', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { unhealthyHosts: 0 } }))
      .toThrow(/alarmThresholds.unhealthyHosts \(0\) must be a whole number from 1 to 5000/);
  });

  test('fails when cpuUtilizationPercent is above 100', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { cpuUtilizationPercent: 150 } }))
      .toThrow(/alarmThresholds.cpuUtilizationPercent \(150\) must be a whole number from 1 to 100/);
  });

  test('fails when memoryUtilizationPercent is below 1', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { memoryUtilizationPercent: 0 } }))
      .toThrow(/alarmThresholds.memoryUtilizationPercent \(0\) must be a whole number from 1 to 100/);
  });

  test('fails when tasksBelowDesiredFor is not whole minutes', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { tasksBelowDesiredFor: Duration.seconds(90) } }))
      .toThrow(/alarmThresholds.tasksBelowDesiredFor \(1 minute 30 seconds\) must be whole minutes/);
  });

  test('fails when tasksBelowDesiredFor is longer than a day', () => {
    const { stack } = setup();
    expect(() => new ServiceDashboard(stack, 'Dashboard', { alarmThresholds: { tasksBelowDesiredFor: Duration.days(2) } }))
      .toThrow(/alarmThresholds.tasksBelowDesiredFor \(172800 s\) must be from 60 to 86400 seconds/);
  });

  test('fails when per-service thresholds are invalid', () => {
    const { stack, backend } = setup();
    const dashboard = new ServiceDashboard(stack, 'Dashboard');
    expect(() => dashboard.addService(backend, { alarmThresholds: { errorRatePercent: 101 } }))
      .toThrow(/alarmThresholds.errorRatePercent \(101\) must be above 0 and at most 100/);
  });

  test('fails when a service is added twice', () => {
    const { stack, backend } = setup();
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { services: [backend] });
    expect(() => dashboard.addService(backend)).toThrow(/service 'backend' is already on this dashboard: add each service once/);
  });

  test('fails when a load tester is added twice', () => {
    const { stack, backend } = setup();
    const tester = new LoadTester(stack, 'Tester', { infra: backend.infra, targets: [LoadTestTarget.cloudMap(backend)], loadTesterName: 'lt' });
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { loadTesters: [tester] });
    expect(() => dashboard.addLoadTester(tester)).toThrow(/load tester 'lt' is already on this dashboard/);
  });

  test('fails when asked for the alarms of a service it does not show', () => {
    const { stack, backend } = setup();
    const dashboard = new ServiceDashboard(stack, 'Dashboard');
    expect(() => dashboard.alarmsFor(backend)).toThrow(/service 'backend' is not on this dashboard: add it with addService\(\)/);
  });

  test('fails when alarmNamePrefix is too long', () => {
    const { stack, backend } = setup();
    const dashboard = new ServiceDashboard(stack, 'Dashboard');
    expect(() => dashboard.addService(backend, { alarmNamePrefix: 'x'.repeat(231) }))
      .toThrow(/alarmNamePrefix \('x+'\) must have 1-230 characters and no control characters/);
  });

  test('fails when the alarm name prefix is only known at deploy time', () => {
    const { stack, backend } = setup();
    const dashboard = new ServiceDashboard(stack, 'Dashboard');
    expect(() => dashboard.addService(backend, { alarmNamePrefix: Lazy.string({ produce: () => 'late' }) }))
      .toThrow(/the alarm name prefix of 'backend' is only known at deploy time .* set alarmNamePrefix in addService\(\)/);
  });

  test('fails at synth when two dashboards in one stack would give alarms the same name', () => {
    const { stack, backend } = setup();
    new ServiceDashboard(stack, 'Team', { services: [backend] });
    new ServiceDashboard(stack, 'Ops', { services: [backend] });
    expect(() => (stack.node.root as App).synth())
      .toThrow(/alarm name 'Shop-backend-error-rate' is used by both Shop\/Team\/Alarms-backend\/ErrorRate\/Resource and Shop\/Ops\/Alarms-backend\/ErrorRate\/Resource: .* set a distinct alarmNamePrefix/);
  });
});
