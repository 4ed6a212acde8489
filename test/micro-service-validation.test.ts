import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BaseInfra, DeploymentStrategy, LoadBalancerType, MicroService, MicroServiceProps, ServiceCapacity, ServiceImage } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function create(props: Partial<MicroServiceProps>, stack: Stack = newStack()): MicroService {
  return new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, ...props });
}

/** A service on the EC2 capacity of a BaseInfra (in the imported test VPC) of the given instance type. */
function createOnEc2(props: Partial<MicroServiceProps>, instanceType?: ec2.InstanceType): MicroService {
  const stack = newStack();
  const infra = new BaseInfra(stack, 'Platform', { vpc: importedInfra(stack).vpc, ec2Capacity: { instanceType } });
  return new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, capacity: ServiceCapacity.ec2(), ...props });
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

describe('MicroService on EC2 capacity fails when', () => {
  const graviton = ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);

  test('the infra has no EC2 capacity provider and none is given', () => {
    expect(() => create({ capacity: ServiceCapacity.ec2() }))
      .toThrow(/capacity is ServiceCapacity.ec2\(\) but the infra has no EC2 capacity provider: create the BaseInfra with ec2Capacity, or pass ServiceCapacity.ec2\(\{ capacityProvider \}\)/);
  });

  test('the CPU is outside what ECS runs on EC2', () => {
    expect(() => createOnEc2({ cpu: 64 })).toThrow(/cpu \(64\) must be a whole number from 128 to 196608: ECS runs EC2 tasks of 128 to 196608 CPU units/);
  });

  test('the memory is below what Docker gives a container', () => {
    expect(() => createOnEc2({ memoryLimitMiB: 4 })).toThrow(/memoryLimitMiB \(4\) must be a whole number of at least 6: Docker gives a container at least 6 MiB/);
  });

  test('the task needs more CPU than the instance type has', () => {
    expect(() => createOnEc2({ cpu: 4096, memoryLimitMiB: 1024 }))
      .toThrow(/cpu \(4096\) is more than one m7i.large instance has \(2 vCPUs = 2048 CPU units\), so no instance could run the task: use at most 2048, or a larger instance type/);
  });

  test('the task needs more memory than the instance type can hold next to the agent and the OS', () => {
    expect(() => createOnEc2({ cpu: 1024, memoryLimitMiB: 8192 }))
      .toThrow(/memoryLimitMiB \(8192\) does not fit on one m7i.large instance: of its 8192 MiB, tasks can use 7782 MiB \(the rest stays with the ECS agent and the OS\): use at most 7782/);
    expect(() => createOnEc2({ memoryLimitMiB: 1024 }, ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO)))
      .toThrow(/memoryLimitMiB \(1024\) does not fit on one t3.micro instance: of its 1024 MiB, tasks can use 768 MiB/);
  });

  test('the task\'s CPU architecture is not the instance type\'s', () => {
    expect(() => createOnEc2({}, graviton))
      .toThrow(/cpuArchitecture \(X86_64\) does not match the EC2 capacity's instance type m7g.large, which is ARM64 \(Graviton\): set cpuArchitecture to ecs.CpuArchitecture.ARM64/);
    expect(() => createOnEc2({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }))
      .toThrow(/cpuArchitecture \(ARM64\) does not match the EC2 capacity's instance type m7i.large, which is X86_64: set cpuArchitecture to ecs.CpuArchitecture.X86_64/);
  });

  test('the deployment strategy is CodeDeploy, which EC2 capacity does not support here', () => {
    expect(() => createOnEc2({ deploymentStrategy: DeploymentStrategy.codeDeploy() }))
      .toThrow(/deploymentStrategy codeDeploy is not supported on EC2 capacity: CodeDeploy deploys ECS task sets, which take no placement strategies or constraints; use the ECS-native DeploymentStrategy.blueGreen\(\), canary\(\) or linear\(\), which keep them, or rolling\(\)/);
  });
});

describe('MicroService refuses credentials in plain environment: fails when', () => {
  test('a variable named like a credential has a literal value', () => {
    for (const name of ['SECRET_KEY', 'DB_PASSWORD', 'db_passwd', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'TLS_PRIVATE_KEY', 'AWS_CREDENTIALS']) {
      expect(() => create({ environment: { [name]: 'hunter2' } }))
        .toThrow(new RegExp(`environment variable '${name}' looks like a credential and has a literal value.*pass it through secrets, for example secrets: \\{ ${name}: ecs.Secret.fromSecretsManager\\(secret, 'password'\\) \\}`));
    }
  });

  test('a URL carries a password, literal or from a token', () => {
    expect(() => create({ environment: { DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/app' } }))
      .toThrow(/environment variable 'DATABASE_URL' has a password in a URL \(scheme:\/\/user:password@host\).*secrets: \{ DATABASE_PASSWORD: ecs.Secret.fromSecretsManager\(secret, 'password'\) \}/);
    expect(() => create({ environment: { JDBC: 'jdbc:postgresql://app:hunter2@db/app' } })).toThrow(/'JDBC' has a password in a URL/);
    expect(() => create({ environment: { CACHE: 'redis://:hunter2@cache:6379' } })).toThrow(/'CACHE' has a password in a URL/);
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => create({ environment: { DATABASE_URL: `postgres://app:${table.tableName}@db/app` } }, stack)).toThrow(/'DATABASE_URL' has a password in a URL/);
  });

  test('the user is not a user, UID or user:group', () => {
    expect(() => create({ user: 'app user' })).toThrow(/user \('app user'\) must be a user or UID, optionally with a group or GID after a colon, such as 'node' or '1000:1000'/);
    expect(() => create({ user: '1000:1000:1000' })).toThrow(/user \('1000:1000:1000'\)/);
    expect(() => create({ user: ':1000' })).toThrow(/user \(':1000'\)/);
  });
});

describe('MicroService accepts configuration that only looks like credentials', () => {
  test('tokens, references to secrets, empty values and URLs without a password', () => {
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    create({
      environment: {
        TABLE_NAME: table.tableName,
        SECRET_TABLE: table.tableArn,
        DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf',
        API_KEY_NAME: 'orders/api-key',
        TOKEN_ID: 'orders',
        PASSWORD_FILE: '/run/secrets/db',
        SESSION_SECRET: '',
        BACKEND_URL: 'http://backend.svc.internal:8080',
        DOCS_URL: 'https://user@example.com/docs',
      },
    }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'DB_SECRET_ARN', Value: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf' },
          { Name: 'PASSWORD_FILE', Value: '/run/secrets/db' },
          { Name: 'DOCS_URL', Value: 'https://user@example.com/docs' },
        ]),
      })],
    });
  });
});
