import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { DeploymentStrategy, LoadBalancerType, MicroService, MicroServiceProps, ServiceCapacity, ServiceImage } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function create(props: Partial<MicroServiceProps>, stack: Stack = newStack()): MicroService {
  return new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, ...props });
}

function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
}

describe('MicroService fails when', () => {
  test('the CPU is not a Fargate task size', () => {
    expect(() => create({ cpu: 300 })).toThrow(/cpu \(300\) is not a Fargate task size: use one of 256, 512, 1024, 2048, 4096, 8192, 16384/);
  });

  test('the memory is not allowed with the CPU', () => {
    expect(() => create({ cpu: 256, memoryLimitMiB: 4096 })).toThrow(/memoryLimitMiB \(4096\) is not allowed with cpu \(256\) on Fargate: use 512, 1024, 2048 MiB/);
    expect(() => create({ cpu: 4096, memoryLimitMiB: 8000 })).toThrow(/use 8192 to 30720 in steps of 1024 MiB/);
    expect(() => create({ cpu: 16384, memoryLimitMiB: 36864 })).toThrow(/use 32768 to 122880 in steps of 8192 MiB/);
  });

  test('autoScaling.minCapacity exceeds maxCapacity', () => {
    expect(() => create({ autoScaling: { minCapacity: 4, maxCapacity: 2, targetCpuUtilizationPercent: 50 } }))
      .toThrow(/autoScaling.minCapacity \(4\) must not exceed autoScaling.maxCapacity \(2\)/);
  });

  test('the container port is outside 1-65535', () => {
    expect(() => create({ containerPort: 0 })).toThrow(/containerPort \(0\) must be a whole number from 1 to 65535: use a TCP port number/);
    expect(() => create({ containerPort: 70000 })).toThrow(/containerPort \(70000\)/);
  });

  test('the listener port is outside 1-65535', () => {
    expect(() => create({ listenerPort: 65536 })).toThrow(/listenerPort \(65536\) must be a whole number from 1 to 65535/);
  });

  test('HTTPS is asked for without a certificate', () => {
    expect(() => create({ protocol: elbv2.ApplicationProtocol.HTTPS }))
      .toThrow(/protocol is HTTPS but no certificate was given: pass an ACM certificate/);
  });

  test('a certificate is given with protocol HTTP', () => {
    const stack = newStack();
    expect(() => create({ protocol: elbv2.ApplicationProtocol.HTTP, certificate: certificate(stack) }, stack))
      .toThrow(/a certificate was given but protocol is HTTP/);
  });

  test('an SSL policy is given for an HTTP listener', () => {
    expect(() => create({ sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS })).toThrow(/sslPolicy only applies to HTTPS listeners/);
  });

  test('an HTTPS listener on port 80 collides with the HTTP redirect', () => {
    const stack = newStack();
    expect(() => create({ certificate: certificate(stack), listenerPort: 80 }, stack)).toThrow(/listenerPort is 80 for HTTPS while redirectHttp needs port 80/);
  });

  test('the health-check path has no leading slash', () => {
    expect(() => create({ targetHealthCheck: { path: 'health' } }))
      .toThrow(/targetHealthCheck.path \('health'\) must start with '\/'/);
  });

  test('the health-check interval, timeout or thresholds are out of range', () => {
    expect(() => create({ targetHealthCheck: { interval: Duration.seconds(400) } })).toThrow(/targetHealthCheck.interval \(400 s\) must be from 5 to 300 seconds/);
    expect(() => create({ targetHealthCheck: { timeout: Duration.seconds(1) } })).toThrow(/targetHealthCheck.timeout \(1 s\) must be from 2 to 120 seconds/);
    expect(() => create({ targetHealthCheck: { healthyThresholdCount: 1 } })).toThrow(/targetHealthCheck.healthyThresholdCount \(1\) must be a whole number from 2 to 10/);
    expect(() => create({ targetHealthCheck: { unhealthyThresholdCount: 11 } })).toThrow(/targetHealthCheck.unhealthyThresholdCount \(11\)/);
  });

  test('the health-check timeout is not shorter than the interval', () => {
    expect(() => create({ targetHealthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }))
      .toThrow(/targetHealthCheck.timeout \(10 s\) must be shorter than targetHealthCheck.interval \(10 s\)/);
  });

  test('the deregistration delay is out of range', () => {
    expect(() => create({ deregistrationDelay: Duration.hours(2) })).toThrow(/deregistrationDelay \(7200 s\) must be from 0 to 3600 seconds/);
  });

  test('the service name is not a DNS label (Cloud Map)', () => {
    expect(() => create({ serviceName: 'Orders_API' })).toThrow(/serviceName \('Orders_API'\) must be a DNS label/);
    expect(() => create({ serviceName: 'orders-' })).toThrow(/serviceName \('orders-'\) must be a DNS label/);
    expect(() => create({ serviceName: 'a'.repeat(64) })).toThrow(/must be a DNS label/);
  });

  test('the load balancer name breaks ELB naming rules', () => {
    expect(() => create({ loadBalancerName: 'orders-load-balancer-for-production' })).toThrow(/loadBalancerName \('orders-load-balancer-for-production'\) must be 1-32 letters, digits and hyphens/);
    expect(() => create({ loadBalancerName: 'internal-orders' })).toThrow(/nor start with 'internal-'/);
    expect(() => create({ loadBalancerName: 'orders_lb' })).toThrow(/loadBalancerName \('orders_lb'\)/);
  });

  test('Fargate Spot is combined with ARM64', () => {
    expect(() => create({ capacity: ServiceCapacity.fargateSpot(), cpuArchitecture: ecs.CpuArchitecture.ARM64 }))
      .toThrow(/capacity is Fargate Spot but cpuArchitecture is ARM64/);
  });

  test('the on-demand base of Fargate Spot is negative', () => {
    expect(() => create({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: -1 }) })).toThrow(/capacity.onDemandBase \(-1\)/);
  });

  test('a variable is both in environment and in secrets', () => {
    const stack = newStack();
    const secret = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', '/x'));
    expect(() => create({ environment: { TOKEN: 'x' }, secrets: { TOKEN: secret } }, stack)).toThrow(/'TOKEN' is both in environment and in secrets/);
  });

  test('load-balancer props are given without a load balancer', () => {
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, listenerPort: 8080 })).toThrow(/listenerPort is set but loadBalancerType is NONE/);
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, targetHealthCheck: { path: '/health' } })).toThrow(/targetHealthCheck is set but loadBalancerType is NONE/);
  });

  test('request-count scaling is asked for without a load balancer', () => {
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, autoScaling: { maxCapacity: 4, targetRequestsPerTarget: 100 } }))
      .toThrow(/autoScaling.targetRequestsPerTarget needs a load balancer/);
  });

  test('access logs are on but the stack has no region', () => {
    const stack = new Stack(new App(), 'NoRegion');
    expect(() => create({}, stack)).toThrow(/accessLogs needs the stack's region.*set env: \{ region \}/);
  });

  test('a shared access-log bucket is given with access logs off', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => create({ accessLogs: false, accessLogsBucket: bucket }, stack)).toThrow(/accessLogsBucket is set but accessLogs is false/);
  });

  test('desiredCount is combined with autoScaling', () => {
    expect(() => create({ desiredCount: 3, autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 50 } }))
      .toThrow(/desiredCount \(3\) and autoScaling are both set: autoScaling.minCapacity sets the starting task count/);
  });

  test('desiredCount is negative', () => {
    expect(() => create({ desiredCount: -1 })).toThrow(/desiredCount \(-1\)/);
  });

  test('autoScaling has no policy', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4 } })).toThrow(/autoScaling has no policy/);
  });

  test('a target utilization is out of range', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 120 } })).toThrow(/autoScaling.targetCpuUtilizationPercent \(120\)/);
    expect(() => create({ autoScaling: { maxCapacity: 4, targetMemoryUtilizationPercent: 0 } })).toThrow(/autoScaling.targetMemoryUtilizationPercent \(0\)/);
  });

  test('CPU target tracking and CPU step scaling are combined', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 50, cpuStepScaling: {} } }))
      .toThrow(/both targetCpuUtilizationPercent and cpuStepScaling/);
  });

  test('the step-scaling thresholds overlap', () => {
    expect(() => create({ autoScaling: { maxCapacity: 4, cpuStepScaling: { scaleOutAbove: 50, scaleInBelow: 60 } } }))
      .toThrow(/autoScaling.cpuStepScaling.scaleInBelow \(60\) must be lower than scaleOutAbove \(50\)/);
  });

  test('two schedules share a name, or a schedule changes nothing or inverts min and max', () => {
    const schedule = appscaling.Schedule.cron({ hour: '8', minute: '0' });
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule, minCapacity: 1 }, { name: 'a', schedule, minCapacity: 2 }] } }))
      .toThrow(/two schedules named 'a'/);
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule }] } })).toThrow(/schedules 'a' changes nothing/);
    expect(() => create({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'a', schedule, minCapacity: 3, maxCapacity: 2 }] } }))
      .toThrow(/schedules 'a' has minCapacity \(3\) above maxCapacity \(2\)/);
  });

  test('rolling percentages are out of range', () => {
    expect(() => create({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 150 }) })).toThrow(/minHealthyPercent \(150\)/);
    expect(() => create({ deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 90 }) })).toThrow(/maxHealthyPercent \(90\)/);
  });

  test('a deployment alarm has no name known at synth', () => {
    const stack = newStack();
    const service = create({}, stack);
    const alarm = service.metricCpuUtilization().createAlarm(stack, 'Cpu', { threshold: 90, evaluationPeriods: 1 });
    expect(() => service.addDeploymentAlarms(alarm)).toThrow(/deployment alarm 'Test\/Cpu' has no alarmName known at synth: set alarmName/);
  });
});
