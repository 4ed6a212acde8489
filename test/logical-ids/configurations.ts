import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BaseInfra, BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, LoadTester, LoadTestTarget, MicroService, MicroServiceProps,
  PipelineSource, RollingPipeline, ScheduledTask, ServiceCapacity, ServiceDashboard, ServiceImage, TrafficShifting, WorkerService,
} from '../../src';
import { importedInfra } from '../util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');
const PIPELINE_IMAGE = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
const CERTIFICATE = 'arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

function stackWith(build: (stack: Stack) => void): Stack {
  const stack = new Stack(new App(), 'Guard', { env: { region: 'eu-west-1' } });
  build(stack);
  return stack;
}

function service(stack: Stack, props: Partial<MicroServiceProps> = {}): MicroService {
  return new MicroService(stack, 'Web', { infra: importedInfra(stack), serviceName: 'web', image: IMAGE, ...props });
}

/**
 * Representative configurations whose CloudFormation logical IDs are public contract: a refactor
 * that changes one of them would replace a deployed resource.
 */
export const CONFIGURATIONS: Record<string, () => Stack> = {
  'internal-http': () => stackWith(stack => service(stack)),
  'public-https-redirect': () => stackWith(stack => service(stack, {
    loadBalancerType: LoadBalancerType.PUBLIC,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE),
  })),
  'ecs-canary': () => stackWith(stack => service(stack, { deploymentStrategy: DeploymentStrategy.canary() })),
  'codedeploy': () => stackWith(stack => service(stack, {
    deploymentStrategy: DeploymentStrategy.codeDeploy({ trafficShifting: TrafficShifting.linear({ percentage: 20, interval: Duration.minutes(2) }) }),
  })),
  'ec2-capacity': () => stackWith(stack => {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1234',
      vpcCidrBlock: '10.0.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
      privateSubnetIds: ['subnet-priv1', 'subnet-priv2'],
    });
    const infra = new BaseInfra(stack, 'Infra', { vpc, ec2Capacity: {} });
    new MicroService(stack, 'Web', { infra, serviceName: 'web', image: IMAGE, capacity: ServiceCapacity.ec2() });
  }),
  'no-load-balancer-service-connect': () => stackWith(stack => service(stack, {
    loadBalancerType: LoadBalancerType.NONE, serviceConnect: true, capacity: ServiceCapacity.fargateSpot(),
  })),
  'every-scaling-kind': () => stackWith(stack => {
    const web = service(stack, {
      autoScaling: {
        maxCapacity: 10,
        targetCpuUtilizationPercent: 60,
        targetMemoryUtilizationPercent: 70,
        targetRequestsPerTarget: 500,
        schedules: [{ name: 'BusinessHours', schedule: appscaling.Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 4 }],
      },
    });
    new MicroService(stack, 'Stepped', {
      infra: web.infra,
      serviceName: 'stepped',
      image: IMAGE,
      autoScaling: { maxCapacity: 6, cpuStepScaling: {} },
    });
  }),
  'pipeline-image-rolling-pipeline-dashboard': () => stackWith(stack => {
    const web = service(stack, { image: PIPELINE_IMAGE });
    new RollingPipeline(stack, 'Pipeline', {
      service: web,
      source: PipelineSource.connection({ connectionArn: CONNECTION, repository: 'acme/web' }),
      manualApproval: true,
      notificationEmails: ['team@example.com'],
    });
    new ServiceDashboard(stack, 'Dashboard', { services: [web], alarmEmails: ['ops@example.com'], deploymentAlarms: true });
  }),
  'blue-green-pipeline-s3-load-tester': () => stackWith(stack => {
    const web = service(stack, { image: PIPELINE_IMAGE, deploymentStrategy: DeploymentStrategy.linear() });
    new BlueGreenPipeline(stack, 'Pipeline', { service: web, source: PipelineSource.s3() });
    new LoadTester(stack, 'Tester', { infra: web.infra, targets: [LoadTestTarget.loadBalancer(web), LoadTestTarget.cloudMap(web)] });
  }),
  'worker-scale-to-zero-rolling-pipeline-dashboard': () => stackWith(stack => {
    const worker = new WorkerService(stack, 'Worker', {
      infra: importedInfra(stack),
      serviceName: 'worker',
      image: PIPELINE_IMAGE,
      processingTime: Duration.seconds(2),
      minCapacity: 0,
      eventPattern: { source: ['shop.orders'] },
    });
    new RollingPipeline(stack, 'Pipeline', { service: worker, source: PipelineSource.s3() });
    new ServiceDashboard(stack, 'Dashboard', { workers: [worker] });
  }),
  'scheduled-task-rolling-pipeline': () => stackWith(stack => {
    const task = new ScheduledTask(stack, 'Nightly', {
      infra: importedInfra(stack),
      taskName: 'nightly',
      image: PIPELINE_IMAGE,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
    });
    new RollingPipeline(stack, 'Pipeline', { service: task, source: PipelineSource.s3() });
  }),
};
