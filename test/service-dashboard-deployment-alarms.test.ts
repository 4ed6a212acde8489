import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaseInfra, DeploymentStrategy, LoadBalancerType, MicroService, ServiceDashboard, ServiceImage } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

describe('ServiceDashboard alarms as deployment alarms', () => {
  test('deploymentAlarms: true lists the alarm names on each service, without a dependency cycle', () => {
    const stack = newStack('Shop');
    const infra = importedInfra(stack);
    const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: IMAGE });
    const worker = new MicroService(stack, 'Worker', { infra, serviceName: 'worker', image: IMAGE, loadBalancerType: LoadBalancerType.NONE });
    new ServiceDashboard(stack, 'Dashboard', { services: [backend, worker], deploymentAlarms: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [Match.objectLike({ RegistryArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendService'), 'Arn'] } })],
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          Enable: true,
          Rollback: true,
          // The service's rollback alarms cover error rate and unhealthy targets; the dashboard adds the rest.
          AlarmNames: [
            'Shop-backend-rollback-error-rate', 'Shop-backend-rollback-unhealthy-hosts',
            'Shop-backend-latency-p99', 'Shop-backend-cpu-high', 'Shop-backend-memory-high', 'Shop-backend-tasks-below-desired',
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { Enable: true, Rollback: true, AlarmNames: ['Shop-worker-cpu-high', 'Shop-worker-memory-high', 'Shop-worker-tasks-below-desired'] },
      }),
    });
    // The service names the alarms by literal string; only the alarms reference the service.
    for (const svc of Object.values(template.findResources('AWS::ECS::Service')) as any[]) {
      expect(JSON.stringify(svc)).not.toMatch(/DashboardAlarms/);
    }
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test('with a CodeDeploy blue/green service, the deployment group watches the alarms', () => {
    const stack = newStack('Shop');
    const backend = new MicroService(stack, 'Backend', {
      infra: importedInfra(stack), serviceName: 'backend', image: IMAGE, deploymentStrategy: DeploymentStrategy.codeDeploy(),
    });
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { services: [backend], deploymentAlarms: true });
    const template = Template.fromStack(stack);
    const b = dashboard.alarmsFor(backend);
    const watched = [...backend.rollbackAlarms, ...b.all.filter(a => a !== b.errorRate && a !== b.unhealthyHosts)];
    const names = watched.map(a => ({ Name: { Ref: stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm) } }));
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: { Enabled: true, Alarms: names } });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test('a dashboard in another stack can roll back a CodeDeploy service: the deployment group names the alarms literally', () => {
    const app = new App();
    const env = { region: 'eu-west-1' };
    const serviceStack = new Stack(app, 'Api', { env });
    const api = new MicroService(serviceStack, 'Api', {
      infra: importedInfra(serviceStack), serviceName: 'api', image: IMAGE, deploymentStrategy: DeploymentStrategy.codeDeploy(),
    });
    const monitoring = new Stack(app, 'Monitoring', { env });
    const dashboard = new ServiceDashboard(monitoring, 'Dashboard', { services: [api], deploymentAlarms: true });
    const a = dashboard.alarmsFor(api);
    const names = a.all.filter(x => x !== a.errorRate && x !== a.unhealthyHosts)
      .map(x => ({ Name: (x.node.defaultChild as cloudwatch.CfnAlarm).alarmName }));
    expect(names.every(n => typeof n.Name === 'string')).toBe(true);
    const own = api.rollbackAlarms.map(x => ({ Name: { Ref: serviceStack.getLogicalId(x.node.defaultChild as cloudwatch.CfnAlarm) } }));
    const alarmConfiguration = { Enabled: true, Alarms: [...own, ...names] };
    Template.fromStack(serviceStack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: alarmConfiguration });
    expect(() => app.synth()).not.toThrow();
    expect(serviceStack.dependencies).toEqual([]);
  });

  test('a dashboard in its own stack can roll back services of another stack; only the dashboard stack depends on the other', () => {
    const app = new App();
    const env = { region: 'eu-west-1' };
    const infraStack = new Stack(app, 'Infra', { env });
    const infra = new BaseInfra(infraStack, 'Infra', { natGateways: 1 });
    const serviceStack = new Stack(app, 'Orders', { env });
    const orders = new MicroService(serviceStack, 'Orders', { infra, serviceName: 'orders', image: IMAGE });
    const monitoringStack = new Stack(app, 'Monitoring', { env });
    const dashboard = new ServiceDashboard(monitoringStack, 'Dashboard', { alarmEmails: ['ops@example.com'] });
    dashboard.addService(orders, { deploymentAlarms: true, alarmNamePrefix: 'prod-orders' });
    const assembly = app.synth();
    expect(assembly.stacks.map(s => s.stackName).sort()).toEqual(['Infra', 'Monitoring', 'Orders']);
    expect(serviceStack.dependencies.map(s => s.stackName)).toEqual(['Infra']);
    expect(monitoringStack.dependencies.map(s => s.stackName).sort()).toEqual(['Infra', 'Orders']);
    Template.fromStack(serviceStack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: Match.objectLike({ AlarmNames: Match.arrayWith(['Orders-orders-rollback-error-rate', 'prod-orders-latency-p99', 'prod-orders-tasks-below-desired']) }) }),
    });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
  });
});
