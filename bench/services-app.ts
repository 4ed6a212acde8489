import { App, Stack } from 'aws-cdk-lib';
import {
  BaseInfra, LoadBalancerType, MicroService, PipelineSource, RollingPipeline, ServiceDashboard, ServiceImage,
} from '../src';

/**
 * A generated app: one BaseInfra stack and `count` service stacks, each with what a service team
 * gets from the library: a service behind a load balancer, its rolling pipeline and its dashboard.
 */
export function buildServicesApp(app: App, count: number): void {
  const env = { region: 'us-east-1' };
  const infra = new BaseInfra(new Stack(app, 'Bench-Infra', { env }), 'Infra', { natGateways: 1 });
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, `Bench-Service${i}`, { env });
    const service = new MicroService(stack, 'Service', {
      infra,
      serviceName: `service-${i}`,
      image: ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' }),
      loadBalancerType: i % 2 === 0 ? LoadBalancerType.INTERNAL : LoadBalancerType.PUBLIC,
      autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 60 },
    });
    new RollingPipeline(stack, 'Pipeline', { service, source: PipelineSource.s3(), manualApproval: true });
    new ServiceDashboard(stack, 'Dashboard', { services: [service], alarmEmails: ['ops@example.com'], deploymentAlarms: true });
  }
}
