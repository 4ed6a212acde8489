import { App, Lazy, Stack, Stage } from 'aws-cdk-lib';
import { BaseInfra, IBaseInfra, LoadBalancerType, MicroService, MicroServiceProps, ServiceDashboard, ServiceImage } from '../../src';
import { importedInfra } from '../util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');
const ENV = { region: 'eu-west-1' };

/** A platform stack and two service stacks in `scope`, the services made by `props`. */
type Env = { region?: string; account?: string };

function twoStacks(scope: App | Stage, a: Partial<MicroServiceProps>, b: Partial<MicroServiceProps>, env: Env = ENV) {
  const infra = new BaseInfra(new Stack(scope, 'Platform', { env }), 'Infra');
  const service = (id: string, props: Partial<MicroServiceProps>, stackEnv = env) =>
    new MicroService(new Stack(scope, id, { env: stackEnv }), 'Service', { infra, serviceName: id.toLowerCase(), image: IMAGE, ...props });
  return { infra, make: () => [service('Orders', a), service('Payments', b)] };
}

describe('Cloud Map service names are unique per namespace across the stacks of an app', () => {
  test('fails when two services of two stacks take one serviceName in one namespace', () => {
    const { make } = twoStacks(new App(), { serviceName: 'orders' }, { serviceName: 'orders' });
    expect(make).toThrow("Payments/Service: serviceName ('orders') is already the Cloud Map service name of Orders/Service in namespace 'svc.internal', and AWS keeps one per name: give each service of a namespace its own serviceName");
  });

  test('fails when two imports of one namespace (by ID) get one serviceName', () => {
    const app = new App();
    const create = (id: string, infra: IBaseInfra) => new MicroService(infra.vpc.stack as Stack, id, { infra, serviceName: 'orders', image: IMAGE });
    create('Orders', importedInfra(new Stack(app, 'A', { env: ENV })));
    expect(() => create('Orders', importedInfra(new Stack(app, 'B', { env: ENV })))).toThrow(/B\/Orders: serviceName \('orders'\) is already the Cloud Map service name of A\/Orders/);
  });

  test('accepts one serviceName in two namespaces, in two stages, and in two apps', () => {
    const app = new App();
    const first = new Stack(app, 'First', { env: ENV });
    new MicroService(first, 'Orders', { infra: new BaseInfra(first, 'Infra'), serviceName: 'orders', image: IMAGE });
    const second = new Stack(app, 'Second', { env: ENV });
    expect(() => new MicroService(second, 'Orders', { infra: new BaseInfra(second, 'Infra'), serviceName: 'orders', image: IMAGE })).not.toThrow();
    for (const stage of ['Staging', 'Prod']) {
      expect(() => twoStacks(new Stage(app, stage), {}, {}).make()).not.toThrow();
    }
    expect(() => twoStacks(new App(), {}, {}).make()).not.toThrow();
  });

  test('accepts names that are tokens, which are only known at deploy time', () => {
    const name = Lazy.string({ produce: () => 'orders' });
    // Without a load balancer: the rollback alarms' names need the serviceName at synth.
    const props = { serviceName: name, loadBalancerType: LoadBalancerType.NONE };
    const { make } = twoStacks(new App(), props, props);
    expect(make).not.toThrow();
  });
});

describe('load balancer names are unique per account and region', () => {
  test('fails when two services of two stacks in one region take one loadBalancerName', () => {
    const { make } = twoStacks(new App(), { loadBalancerName: 'shop-alb' }, { loadBalancerName: 'shop-alb' });
    expect(make).toThrow("Payments/Service: loadBalancerName ('shop-alb') is already the load balancer name of Orders/Service in region eu-west-1, and AWS keeps one per name: give each load balancer of an account and region its own name, or leave loadBalancerName unset");
  });

  test('accepts one loadBalancerName in two regions, or two accounts', () => {
    const app = new App();
    const infraStack = new Stack(app, 'Platform', { env: ENV });
    const infra = importedInfra(infraStack);
    const service = (id: string, env: { region: string; account?: string }) =>
      new MicroService(new Stack(app, id, { env }), 'Service', { infra, serviceName: id.toLowerCase(), image: IMAGE, loadBalancerName: 'shop-alb' });
    service('Dublin', { region: 'eu-west-1', account: '111111111111' });
    expect(() => service('Frankfurt', { region: 'eu-central-1', account: '111111111111' })).not.toThrow();
    expect(() => service('Other', { region: 'eu-west-1', account: '222222222222' })).not.toThrow();
  });
});

describe('dashboards', () => {
  function services(app: App) {
    return twoStacks(app, {}, {}).make();
  }

  test('fails when two dashboards of one account take one dashboardName, even in two regions', () => {
    const app = new App();
    const [orders] = services(app);
    new ServiceDashboard(Stack.of(orders), 'Dashboard', { dashboardName: 'shop' });
    const other = new Stack(app, 'Elsewhere', { env: { region: 'us-east-1' } });
    expect(() => new ServiceDashboard(other, 'Dashboard', { dashboardName: 'shop' }))
      .toThrow("Elsewhere/Dashboard: dashboardName ('shop') is already the dashboard name of Orders/Dashboard in the same account, and AWS keeps one per name: give each dashboard its own dashboardName");
  });

  test('accepts one dashboardName in two stages', () => {
    const app = new App();
    for (const stage of ['Staging', 'Prod']) {
      const [orders] = services(new Stage(app, stage) as unknown as App);
      expect(() => new ServiceDashboard(Stack.of(orders), 'Dashboard', { dashboardName: 'shop', services: [orders] })).not.toThrow();
    }
  });

  test('fails at synth when two dashboards in two stacks reuse one alarmNamePrefix', () => {
    const app = new App();
    const [orders, payments] = services(app);
    new ServiceDashboard(Stack.of(orders), 'Dashboard').addService(orders, { alarmNamePrefix: 'shop' });
    new ServiceDashboard(Stack.of(payments), 'Dashboard').addService(payments, { alarmNamePrefix: 'shop' });
    expect(() => app.synth()).toThrow(/\[Orders\/Dashboard\] alarm name 'shop-error-rate' is used by both (Orders|Payments)\/Dashboard\/Alarms-\w+\/\w+\/Resource and (Orders|Payments)\/Dashboard.*set a distinct alarmNamePrefix in addService\(\)/);
  });

  test('accepts one alarmNamePrefix in two regions', () => {
    const app = new App();
    const [orders] = services(app);
    new ServiceDashboard(Stack.of(orders), 'Dashboard').addService(orders, { alarmNamePrefix: 'shop' });
    const us = new Stack(app, 'Us', { env: { region: 'us-east-1' } });
    const usOrders = new MicroService(us, 'Orders', { infra: new BaseInfra(us, 'Infra'), serviceName: 'orders', image: IMAGE });
    new ServiceDashboard(us, 'Dashboard').addService(usOrders, { alarmNamePrefix: 'shop' });
    expect(() => app.synth()).not.toThrow();
  });

  test('fails when two services of one serviceName go on one dashboard', () => {
    const app = new App();
    const staging = new Stack(app, 'Staging', { env: ENV });
    const prod = new Stack(app, 'Prod', { env: ENV });
    const a = new MicroService(staging, 'Orders', { infra: new BaseInfra(staging, 'Infra'), serviceName: 'orders', image: IMAGE });
    const b = new MicroService(prod, 'Orders', { infra: new BaseInfra(prod, 'Infra'), serviceName: 'orders', image: IMAGE });
    expect(() => new ServiceDashboard(prod, 'Dashboard', { services: [a, b] }))
      .toThrow("Prod/Dashboard: serviceName ('orders') of Prod/Orders is also the serviceName of Staging/Orders, which is already on this dashboard, and a dashboard shows each serviceName once: put services of one name (such as staging and production) on a dashboard each");
  });
});
