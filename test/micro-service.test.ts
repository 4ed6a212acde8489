import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { LoadBalancerType, MicroService, MicroServiceProps, ServiceCapacity, ServiceImage, DeploymentStrategy } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function build(props: Partial<MicroServiceProps> = {}): { stack: Stack; service: MicroService; template: Template } {
  const stack = newStack();
  const service = new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, ...props });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('MicroService with defaults', () => {
  const { service, template } = build();

  test('runs a 0.25 vCPU / 512 MiB X86_64 Fargate task with a hard memory limit', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        Name: 'orders',
        Image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
        Memory: 512,
        Essential: true,
        ReadonlyRootFilesystem: false,
        PortMappings: [{ ContainerPort: 8080, Name: 'http', AppProtocol: 'http', Protocol: 'tcp' }],
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-stream-prefix': 'orders', 'mode': 'non-blocking', 'max-buffer-size': '26214400b' }),
        },
      })],
    });
  });

  test('runs two tasks on on-demand Fargate in the private subnets without public IPs', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'platform',
      DesiredCount: 2,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      NetworkConfiguration: {
        AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: ['subnet-priv1', 'subnet-priv2'] },
      },
      EnableECSManagedTags: true,
      PropagateTags: 'SERVICE',
    });
  });

  test('rolls back failed deployments and keeps full capacity while deploying', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      HealthCheckGracePeriodSeconds: 60,
    });
  });

  test('registers in Cloud Map with a short-TTL A record', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'orders',
      NamespaceId: 'ns-1234',
      DnsConfig: { DnsRecords: [{ TTL: 10, Type: 'A' }] },
    });
    expect(service.serviceDiscoveryUrl).toBe('http://orders.svc.internal:8080');
  });

  test('owns a retained ECR repository with scan on push, immutable tags and a lifecycle rule', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        LifecyclePolicy: {
          LifecyclePolicyText: Match.serializedJson(Match.objectLike({
            rules: [Match.objectLike({ selection: Match.objectLike({ countType: 'imageCountMoreThan', countNumber: 30 }) })],
          })),
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('keeps logs for a month in a retained log group', () => {
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  test('puts an internal ALB in front, open to the VPC only, with hardened HTTP parsing', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: ['subnet-priv1', 'subnet-priv2'],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'defensive' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'orders' },
      ]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'Listener, from the VPC' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('TargetGroup') } }],
    });
    expect(service.url).toMatch(/^http:\/\/\$\{Token/);
  });

  test('tunes the target group so a rolling batch completes within 60 seconds', () => {
    const tg = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0].Properties;
    expect(tg).toMatchObject({
      TargetType: 'ip',
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/',
      HealthCheckTimeoutSeconds: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-399' },
    });
    const delay = Number(tg.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
    const floor = tg.HealthCheckIntervalSeconds * tg.HealthyThresholdCount + delay;
    expect(floor).toBe(50);
    expect(floor).toBeLessThanOrEqual(60);
  });

  test('lets only the load balancer reach the tasks, on the container port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersLoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });

  test('writes access logs to an encrypted, SSL-only, versioned, retained bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('exposes every child as a property', () => {
    expect(service.service).toBeInstanceOf(ecs.FargateService);
    expect(service.taskDefinition).toBeInstanceOf(ecs.FargateTaskDefinition);
    expect(service.container.containerName).toBe('orders');
    expect(service.loadBalancer).toBeInstanceOf(elbv2.ApplicationLoadBalancer);
    expect(service.listener).toBeInstanceOf(elbv2.ApplicationListener);
    expect(service.targetGroup).toBeInstanceOf(elbv2.ApplicationTargetGroup);
    expect(service.repository).toBeInstanceOf(ecr.Repository);
    expect(service.logGroup).toBeDefined();
    expect(service.accessLogsBucket).toBeDefined();
    expect(service.scaling).toBeUndefined();
    expect(service.grantPrincipal).toBe(service.taskDefinition.taskRole);
  });
});

describe('images', () => {
  test('from an ECR repository and tag, with a pull grant to the execution role', () => {
    const stack = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shared/orders');
    new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: ServiceImage.fromEcrRepository(repo, 'abc1234') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('shared/orders:abc1234')])] } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        })]),
      },
    });
  });

  test('built from a local Dockerfile directory for the service architecture', () => {
    const { stack } = build({
      image: ServiceImage.fromAsset(path.join(__dirname, 'fixtures', 'app'), { file: 'Dockerfile' }),
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const images = Object.values(manifest.dockerImages) as any[];
    expect(images).toHaveLength(1);
    expect(images[0].source).toMatchObject({ dockerFile: 'Dockerfile', platform: 'linux/arm64' });
  });

  test('uses an existing repository instead of creating one', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'team/orders');
    const service = new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, repository });
    expect(service.repository).toBe(repository);
    Template.fromStack(stack).resourceCountIs('AWS::ECR::Repository', 0);
  });
});

describe('configuration', () => {
  test('environment and secrets from SSM and Secrets Manager', () => {
    const stack = newStack();
    const param = ssm.StringParameter.fromStringParameterName(stack, 'Param', '/orders/feature-flags');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders/db');
    new MicroService(stack, 'Orders', {
      infra: importedInfra(stack),
      serviceName: 'orders',
      image: IMAGE,
      environment: { LOG_LEVEL: 'info' },
      secrets: { FLAGS: ecs.Secret.fromSsmParameter(param), DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }],
        Secrets: Match.arrayWith([
          Match.objectLike({ Name: 'FLAGS' }),
          Match.objectLike({ Name: 'DB_PASSWORD', ValueFrom: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
        ]),
      })],
    });
    // The execution role (not the app) reads the secrets, scoped to them.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['ssm:DescribeParameters', 'ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory'], Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('ExecutionRole') }],
    });
  });

  test('container health check, read-only root filesystem and log retention', () => {
    const { template } = build({
      containerHealthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/health || exit 1'] },
      readonlyRootFilesystem: true,
      logRetention: 365,
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        HealthCheck: Match.objectLike({ Command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/health || exit 1'] }),
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('Fargate Spot keeps an on-demand base', () => {
    const { template } = build({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: 2 }) });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 2, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
    });
  });

  test('Fargate Spot with no on-demand base runs everything on Spot', () => {
    const { template } = build({ capacity: ServiceCapacity.fargateSpot({ onDemandBase: 0 }) });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
  });

  test('larger task sizes and ARM64', () => {
    const { template } = build({ cpu: 2048, memoryLimitMiB: 8192, cpuArchitecture: ecs.CpuArchitecture.ARM64, desiredCount: 3, containerPort: 3000 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '8192', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000 });
  });

  test('removal policy DESTROY applies to every stateful resource', () => {
    const { template } = build({ removalPolicy: 'destroy' as any });
    for (const type of ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket']) {
      template.hasResource(type, { DeletionPolicy: 'Delete' });
    }
  });

  test('a custom health check keeps defaults for unset fields', () => {
    const { template } = build({ targetHealthCheck: { path: '/health', interval: Duration.seconds(5) }, deregistrationDelay: Duration.seconds(10) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
  });
});

describe('load balancers', () => {
  test('public HTTPS with a modern TLS policy and an HTTP redirect', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    const service = new MicroService(stack, 'Web', {
      infra: importedInfra(stack), serviceName: 'web', image: IMAGE, loadBalancerType: LoadBalancerType.PUBLIC, certificate,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Subnets: ['subnet-pub1', 'subnet-pub2'] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 }),
      ]),
    });
    expect(service.url).toMatch(/^https:\/\//);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain HTTP'));
  });

  test('a public HTTP load balancer warns about missing TLS', () => {
    const { stack } = build({ loadBalancerType: LoadBalancerType.PUBLIC });
    Annotations.fromStack(stack).hasWarning('/Test/Orders', Match.stringLikeRegexp("the public load balancer of 'orders' listens on plain HTTP"));
  });

  test('an internal HTTPS load balancer on a custom port opens both ports to the VPC', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    const service = new MicroService(stack, 'Orders', {
      infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, certificate, listenerPort: 8443, sslPolicy: elbv2.SslPolicy.TLS13_RES,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 8443 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 }),
      ],
    });
    expect(service.url).toMatch(/:8443$/);
  });

  test('no load balancer: reachable only through Cloud Map', () => {
    const { service, template } = build({ loadBalancerType: LoadBalancerType.NONE });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::ServiceDiscovery::Service', 1);
    expect(service.url).toBeUndefined();
    expect(() => service.metricRequestCount()).toThrow(/metricRequestCount\(\) needs a load balancer, but loadBalancerType is NONE/);
    expect(Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.HealthCheckGracePeriodSeconds).toBeUndefined();
  });

  test('access logs can go to a shared bucket, or be turned off', () => {
    const stack = newStack();
    const infra = importedInfra(stack);
    const shared = new s3.Bucket(stack, 'Shared');
    const a = new MicroService(stack, 'A', { infra, serviceName: 'a', image: IMAGE, accessLogsBucket: shared });
    const b = new MicroService(stack, 'B', { infra, serviceName: 'b', image: IMAGE, accessLogs: false });
    expect(a.accessLogsBucket).toBe(shared);
    expect(b.accessLogsBucket).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('a load balancer name is passed through', () => {
    const { template } = build({ loadBalancerName: 'orders-internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'orders-internal' });
  });
});

describe('service discovery', () => {
  test('Service Connect publishes the service under its name', () => {
    const { template } = build({ serviceConnect: true });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
        Services: [{ PortName: 'http', DiscoveryName: 'orders-sc', ClientAliases: [{ DnsName: 'orders', Port: 8080 }] }],
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      },
      ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })],
    });
  });
});

describe('auto scaling', () => {
  test('target tracking on CPU, memory and requests per target', () => {
    const { service, template } = build({
      autoScaling: {
        minCapacity: 2,
        maxCapacity: 10,
        targetCpuUtilizationPercent: 60,
        targetMemoryUtilizationPercent: 75,
        targetRequestsPerTarget: 500,
      },
    });
    expect(service.scaling).toBeDefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount',
    });
    expect(Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DesiredCount).toBeUndefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60, ScaleInCooldown: 300, ScaleOutCooldown: 60,
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 75 }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 500,
      }),
    });
  });

  test('step scaling on CPU: +1 task above 70 %, -1 below 30 % (seed 004)', () => {
    const { template } = build({ autoScaling: { maxCapacity: 4, cpuStepScaling: {} } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: [Match.objectLike({ ScalingAdjustment: 1 })] }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      StepScalingPolicyConfiguration: Match.objectLike({ StepAdjustments: [Match.objectLike({ ScalingAdjustment: -1 })] }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Namespace: 'AWS/ECS', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 70, Period: 60,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 30,
    });
  });

  test('scheduled scaling', () => {
    const { template } = build({
      autoScaling: {
        maxCapacity: 6,
        schedules: [
          { name: 'BusinessHours', schedule: appscaling.Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' }), minCapacity: 4 },
          { name: 'Night', schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), minCapacity: 2, maxCapacity: 3 },
        ],
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [
        Match.objectLike({ ScheduledActionName: 'BusinessHours', Schedule: 'cron(0 8 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 4 } }),
        Match.objectLike({ ScheduledActionName: 'Night', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 3 } }),
      ],
    });
  });
});

describe('deployment safety', () => {
  test('rolling options are configurable', () => {
    const { template } = build({
      deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 50, maxHealthyPercent: 150, rollbackOnFailure: false }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 50, MaximumPercent: 150, DeploymentCircuitBreaker: { Enable: true, Rollback: false },
      }),
    });
  });

  test('deployment alarms roll back, given as props and added later', () => {
    const stack = newStack();
    const infra = importedInfra(stack);
    const first = new cloudwatch.Alarm(stack, 'First', { alarmName: 'orders-5xx', metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
    const service = new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, deploymentAlarms: [first] });
    const second = service.metricTargetResponseTime().createAlarm(stack, 'Latency', { alarmName: 'orders-latency', threshold: 1, evaluationPeriods: 2 });
    service.addDeploymentAlarms(second, first);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { Enable: true, Rollback: true, AlarmNames: ['orders-5xx', 'orders-latency'] } }),
    });
  });

  test('without deployment alarms the template has no alarm configuration', () => {
    const { template } = build();
    expect(Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration.Alarms).toBeUndefined();
  });
});

describe('grants, connections and metrics', () => {
  test('grants go to the task role', () => {
    const stack = newStack();
    const service = new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE });
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    table.grantReadWriteData(service);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:PutItem']), Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('Table'), 'Arn'] }]) })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('OrdersTaskDefTaskRole') }],
    });
  });

  test('connections open the container port between services and to databases', () => {
    const stack = newStack();
    const infra = importedInfra(stack);
    const backend = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image: IMAGE });
    const frontend = new MicroService(stack, 'Frontend', { infra, serviceName: 'frontend', image: IMAGE });
    backend.connections.allowDefaultPortFrom(frontend);
    const dbSg = new ec2.SecurityGroup(stack, 'Db', { vpc: infra.vpc });
    const db = new ec2.Connections({ securityGroups: [dbSg], defaultPort: ec2.Port.tcp(5432) });
    db.allowDefaultPortFrom(backend);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendService.*SecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FrontendService.*SecurityGroup'), 'GroupId'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Db'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendService.*SecurityGroup'), 'GroupId'] },
    });
  });

  test('metrics carry the load balancer, target group, cluster and service dimensions', () => {
    const { stack, service } = build();
    const r = (m: cloudwatch.IMetric) => stack.resolve(m.toMetricConfig().metricStat);
    expect(r(service.metricRequestCount())).toMatchObject({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum' });
    expect(Object.keys(r(service.metricRequestCount()).dimensions.reduce((a: any, d: any) => ({ ...a, [d.name]: 1 }), {}))).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(r(service.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT))).toMatchObject({ metricName: 'HTTPCode_Target_5XX_Count' });
    expect(r(service.metricHttpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT))).toMatchObject({ metricName: 'HTTPCode_ELB_5XX_Count' });
    expect(r(service.metricTargetResponseTime({ statistic: 'p99' }))).toMatchObject({ metricName: 'TargetResponseTime', statistic: 'p99' });
    expect(r(service.metricHealthyHostCount())).toMatchObject({ metricName: 'HealthyHostCount' });
    expect(r(service.metricUnhealthyHostCount())).toMatchObject({ metricName: 'UnHealthyHostCount' });
    expect(r(service.metricRequestCountPerTarget())).toMatchObject({ metricName: 'RequestCountPerTarget' });
    expect(r(service.metricCpuUtilization())).toMatchObject({ namespace: 'AWS/ECS', metricName: 'CPUUtilization' });
    expect(r(service.metricMemoryUtilization())).toMatchObject({ namespace: 'AWS/ECS', metricName: 'MemoryUtilization' });
    const running = r(service.metricRunningTaskCount());
    expect(running).toMatchObject({ namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', statistic: 'Average' });
    expect(running.dimensions.map((d: any) => d.name)).toEqual(['ClusterName', 'ServiceName']);
    expect(running.dimensions[0].value).toBe('platform');
    expect(r(service.metricDesiredTaskCount())).toMatchObject({ metricName: 'DesiredTaskCount' });
  });
});
