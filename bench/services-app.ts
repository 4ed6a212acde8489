import { App, Stack } from 'aws-cdk-lib';
import { BaseInfra, LoadBalancerType, MicroService, ServiceImage } from '../src';

/**
 * A generated app: one BaseInfra stack and `count` service stacks, each with what a service team
 * gets from the library (service and load balancer; pipeline and dashboard as they exist).
 */
export function buildServicesApp(app: App, count: number): void {
  const env = { region: 'us-east-1' };
  const infra = new BaseInfra(new Stack(app, 'Bench-Infra', { env }), 'Infra', { natGateways: 1 });
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, `Bench-Service${i}`, { env });
    new MicroService(stack, 'Service', {
      infra,
      serviceName: `service-${i}`,
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
      loadBalancerType: i % 2 === 0 ? LoadBalancerType.INTERNAL : LoadBalancerType.PUBLIC,
      autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 60 },
    });
  }
}
