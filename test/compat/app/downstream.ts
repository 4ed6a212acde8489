import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as events from 'aws-cdk-lib/aws-events';
import {
  BaseInfra, BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, LoadTester, LoadTestTarget, LoadTestTrigger,
  MicroService, PipelineSource, RollingPipeline, ServiceDashboard, ServiceImage,
} from 'cdk-ecs-devops';
import { synthWithCdkNag } from './nag';

// A small app as a user would write it against the published package: every public construct,
// two stacks, no account (synthesizes without credentials).
const app = new App();
const env = { region: 'eu-west-1' };

const platform = new Stack(app, 'Platform', { env });
const infra = new BaseInfra(platform, 'Infra', { natGateways: 1 });

const shop = new Stack(app, 'Shop', { env });
const initialImage = 'public.ecr.aws/nginx/nginx:1.27-alpine';
const catalog = new MicroService(shop, 'Catalog', {
  infra,
  serviceName: 'catalog',
  image: ServiceImage.fromPipeline({ initialImage }),
  containerPort: 80,
});
new RollingPipeline(shop, 'CatalogPipeline', { service: catalog, source: PipelineSource.s3(), manualApproval: true });

const web = new MicroService(shop, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromPipeline({ initialImage }),
  containerPort: 80,
  loadBalancerType: LoadBalancerType.PUBLIC,
  certificate: acm.Certificate.fromCertificateArn(shop, 'Certificate',
    'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000'),
  environment: { CATALOG_URL: catalog.serviceDiscoveryUrl },
  deploymentStrategy: DeploymentStrategy.canary({ canaryPercent: 10, canaryInterval: Duration.minutes(5), bakeTime: Duration.minutes(5) }),
});
// The library warns that a canary shifts load-balancer traffic only; browsers reach web through its
// load balancer and nothing calls its Cloud Map name, so the warning is acknowledged, as a user would.
Annotations.of(web).acknowledgeWarning('cdk-ecs-devops:cloudMapBypassesShifting',
  'web is called through its public load balancer only; nothing uses its Cloud Map name');
catalog.connections.allowDefaultPortFrom(web);
new BlueGreenPipeline(shop, 'WebPipeline', { service: web, source: PipelineSource.s3() });

const dashboard = new ServiceDashboard(shop, 'Dashboard', { services: [catalog, web], alarmEmails: ['oncall@example.com'] });
const tester = new LoadTester(shop, 'LoadTester', {
  infra,
  targets: [LoadTestTarget.cloudMap(catalog, { path: '/' }), LoadTestTarget.loadBalancer(web, { path: '/' })],
  trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.hours(1))),
});
dashboard.addLoadTester(tester);

synthWithCdkNag(app);
