import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { build, create } from './builder';
import { newStack } from '../util';

describe('deployment alarms', () => {
  test('roll back, given as props and added later', () => {
    const stack = newStack();
    const first = new cloudwatch.Alarm(stack, 'First', { alarmName: 'orders-5xx', metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
    const service = create({ deploymentAlarms: [first], rollbackAlarms: false }, stack);
    const second = service.metricTargetResponseTime().createAlarm(stack, 'Latency', { alarmName: 'orders-latency', threshold: 1, evaluationPeriods: 2 });
    service.addDeploymentAlarms(second, first);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['orders-5xx', 'orders-latency'] } }),
    });
  });

  test('without deployment alarms and with rollbackAlarms off the template has no alarm configuration', () => {
    const { template } = build({ rollbackAlarms: false });
    expect(Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration.Alarms).toBeUndefined();
  });
});

describe('deployment alarms fail when', () => {
  test('a deployment alarm has no name known at synth', () => {
    const stack = newStack();
    const service = create({}, stack);
    const alarm = service.metricCpuUtilization().createAlarm(stack, 'Cpu', { threshold: 90, evaluationPeriods: 1 });
    expect(() => service.addDeploymentAlarms(alarm)).toThrow(/deployment alarm 'Test\/Cpu' has no alarmName known at synth: set alarmName/);
  });
});

describe('deployment alarms accept', () => {
  test('the same alarm once it has a name', () => {
    const stack = newStack();
    const service = create({ rollbackAlarms: false }, stack);
    const alarm = service.metricCpuUtilization().createAlarm(stack, 'Cpu', { alarmName: 'orders-cpu', threshold: 90, evaluationPeriods: 1 });
    service.addDeploymentAlarms(alarm);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['orders-cpu'] } }),
    });
  });
});
