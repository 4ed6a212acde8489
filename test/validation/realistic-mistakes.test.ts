import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BaseInfra, DeploymentStrategy, LoadBalancerType, LoadTester, LoadTestTarget, LoadTestTrigger, MicroService, MicroServiceProps,
  PipelineSource, RollingPipeline, RollingPipelineProps, ServiceCapacity, ServiceDashboard, ServiceImage,
} from '../../src';

/**
 * Mistakes a platform engineer makes when typing an app with this library, each a small app. Every
 * one must fail at synth (the constructor or `app.synth()`) with a message naming the prop and
 * showing the value; none may reach CloudFormation or run time. The list measures how much of what
 * goes wrong between constructs, in strings AWS parses later and in settings that don't fit together
 * the library catches.
 */

const ENV = { region: 'eu-west-1' };
const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');
const PIPELINE_IMAGE = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

/** A platform stack with BaseInfra and one service stack per entry of `services`, as teams share a platform. */
function platform(app: App, ...services: Array<Partial<MicroServiceProps> & { stack?: string }>): MicroService[] {
  const infraStack = new Stack(app, 'Platform', { env: ENV });
  const infra = new BaseInfra(infraStack, 'Infra');
  return services.map((s, i) => {
    const { stack: stackName, ...props } = s;
    const stack = new Stack(app, stackName ?? `Service${i}`, { env: ENV });
    return new MicroService(stack, 'Service', { infra, serviceName: 'orders', image: IMAGE, ...props });
  });
}

/** One stack, one service on the platform's BaseInfra. */
function service(props: Partial<MicroServiceProps> = {}, infraProps: ConstructorParameters<typeof BaseInfra>[2] = {}): App {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: ENV });
  const infra = new BaseInfra(stack, 'Infra', infraProps);
  new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, ...props });
  return app;
}

function pipeline(props: Partial<RollingPipelineProps>, source: (stack: Stack) => PipelineSource = () => PipelineSource.s3()): App {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: ENV });
  const infra = new BaseInfra(stack, 'Infra');
  const orders = new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: PIPELINE_IMAGE });
  new RollingPipeline(stack, 'Pipeline', { service: orders, source: source(stack), ...props });
  return app;
}

interface Mistake {
  /** What the engineer typed, in words. */
  readonly name: string;
  /** The prop the message must name. */
  readonly prop: string;
  /** The value the message must show. */
  readonly value: string;
  readonly app: () => App;
}

const MISTAKES: Mistake[] = [
  // Names unique across the app
  {
    name: 'two teams give their services the same serviceName in one namespace, in two stacks',
    prop: 'serviceName',
    value: 'orders',
    app: () => { const app = new App(); platform(app, {}, {}); return app; },
  },
  {
    name: 'two services in two stacks of one account and region get the same loadBalancerName',
    prop: 'loadBalancerName',
    value: 'shop-alb',
    app: () => {
      const app = new App();
      platform(app, { serviceName: 'orders', loadBalancerName: 'shop-alb' }, { serviceName: 'payments', loadBalancerName: 'shop-alb' });
      return app;
    },
  },
  {
    name: 'two dashboards in two stacks reuse one alarmNamePrefix',
    prop: 'alarmNamePrefix',
    value: 'shop',
    app: () => {
      const app = new App();
      const [orders, payments] = platform(app, { serviceName: 'orders' }, { serviceName: 'payments' });
      new ServiceDashboard(Stack.of(orders), 'Dashboard').addService(orders, { alarmNamePrefix: 'shop' });
      new ServiceDashboard(Stack.of(payments), 'Dashboard').addService(payments, { alarmNamePrefix: 'shop' });
      return app;
    },
  },
  {
    name: 'two dashboards in two stacks get the same dashboardName',
    prop: 'dashboardName',
    value: 'shop',
    app: () => {
      const app = new App();
      const [orders, payments] = platform(app, { serviceName: 'orders' }, { serviceName: 'payments' });
      new ServiceDashboard(Stack.of(orders), 'Dashboard', { dashboardName: 'shop', services: [orders] });
      new ServiceDashboard(Stack.of(payments), 'Dashboard', { dashboardName: 'shop', services: [payments] });
      return app;
    },
  },
  {
    name: 'a dashboard gets two services of one serviceName (staging and production)',
    prop: 'serviceName',
    value: 'orders',
    app: () => {
      const app = new App();
      const staging = platform(app, { stack: 'Staging' })[0];
      const prodStack = new Stack(app, 'Prod', { env: ENV });
      const prod = new MicroService(prodStack, 'Service', { infra: new BaseInfra(prodStack, 'Infra'), serviceName: 'orders', image: IMAGE });
      new ServiceDashboard(prodStack, 'Dashboard', { services: [staging, prod] });
      return app;
    },
  },

  // Strings AWS parses later
  {
    name: 'a scheduled scale-out at hour 25',
    prop: 'autoScaling.schedules',
    value: 'cron(0 25 * * ? *)',
    app: () => service({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'morning', schedule: appscaling.Schedule.expression('cron(0 25 * * ? *)'), minCapacity: 3 }] } }),
  },
  {
    name: 'a scheduled scaling with a Unix 5-field cron',
    prop: 'autoScaling.schedules',
    value: 'cron(0 8 * * MON-FRI)',
    app: () => service({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'morning', schedule: appscaling.Schedule.expression('cron(0 8 * * MON-FRI)'), minCapacity: 3 }] } }),
  },
  {
    name: 'a scheduled scaling that names both day of month and day of week',
    prop: 'autoScaling.schedules',
    value: 'cron(0 8 * * MON-FRI *)',
    app: () => service({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'morning', schedule: appscaling.Schedule.expression('cron(0 8 * * MON-FRI *)'), minCapacity: 3 }] } }),
  },
  {
    name: 'a scheduled scaling named with a colon',
    prop: 'autoScaling.schedules',
    value: 'scale:morning',
    app: () => service({ autoScaling: { maxCapacity: 4, schedules: [{ name: 'scale:morning', schedule: appscaling.Schedule.cron({ minute: '0', hour: '8' }), minCapacity: 3 }] } }),
  },
  {
    name: 'a load test every "1 minutes"',
    prop: 'trigger',
    value: 'rate(1 minutes)',
    app: () => {
      const app = new App();
      const [orders] = platform(app, {});
      new LoadTester(Stack.of(orders), 'Load', { infra: orders.infra, targets: [LoadTestTarget.cloudMap(orders)], trigger: LoadTestTrigger.onSchedule(events.Schedule.expression('rate(1 minutes)')) });
      return app;
    },
  },
  {
    name: 'a load test at minute 60',
    prop: 'trigger',
    value: 'cron(60 * * * ? *)',
    app: () => {
      const app = new App();
      const [orders] = platform(app, {});
      new LoadTester(Stack.of(orders), 'Load', { infra: orders.infra, targets: [LoadTestTarget.cloudMap(orders)], trigger: LoadTestTrigger.onSchedule(events.Schedule.cron({ minute: '60' })) });
      return app;
    },
  },
  {
    name: 'an empty branch on a connection source',
    prop: 'branch',
    value: "''",
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my-org/orders', branch: '' })),
  },
  {
    name: 'a branch with a space',
    prop: 'branch',
    value: 'release 1.2',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my-org/orders', branch: 'release 1.2' })),
  },
  {
    name: 'a branch as a full ref',
    prop: 'branch',
    value: 'refs/heads/main',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my-org/orders', branch: 'refs/heads/main' })),
  },
  {
    name: 'an empty CodeCommit branch',
    prop: 'branch',
    value: "''",
    app: () => pipeline({}, () => PipelineSource.codeCommit({ repositoryName: 'orders', branch: '' })),
  },
  {
    name: 'a clone URL as the repository',
    prop: 'repository',
    value: 'https://github.com/my-org/orders.git',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: CONNECTION, repository: 'https://github.com/my-org/orders.git' })),
  },
  {
    name: 'a repository with a space in the owner',
    prop: 'repository',
    value: 'my org/orders',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: CONNECTION, repository: 'my org/orders' })),
  },
  {
    name: 'a connection ARN without its id',
    prop: 'connectionArn',
    value: 'arn:aws:codeconnections:eu-west-1:111111111111:connection',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection', repository: 'my-org/orders' })),
  },
  {
    name: 'a connection ARN with an 11-digit account',
    prop: 'connectionArn',
    value: 'arn:aws:codestar-connections:eu-west-1:11111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab',
    app: () => pipeline({}, () => PipelineSource.connection({ connectionArn: 'arn:aws:codestar-connections:eu-west-1:11111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab', repository: 'my-org/orders' })),
  },
  {
    name: 'a CodeCommit repository name with a space',
    prop: 'repositoryName',
    value: 'orders service',
    app: () => pipeline({}, () => PipelineSource.codeCommit({ repositoryName: 'orders service' })),
  },
  {
    name: 'a CodeCommit repository name ending in .git',
    prop: 'repositoryName',
    value: 'orders.git',
    app: () => pipeline({}, () => PipelineSource.codeCommit({ repositoryName: 'orders.git' })),
  },
  {
    name: 'a pipeline notification email without a domain',
    prop: 'notificationEmails',
    value: 'team@example',
    app: () => pipeline({ notificationEmails: ['team@example'] }),
  },
  {
    name: 'a dashboard alarm email with a comma-separated list in one string',
    prop: 'alarmEmails',
    value: 'a@example.com,b@example.com',
    app: () => {
      const app = new App();
      const [orders] = platform(app, {});
      new ServiceDashboard(Stack.of(orders), 'Dashboard', { services: [orders], alarmEmails: ['a@example.com,b@example.com'] });
      return app;
    },
  },
  {
    name: 'a pipeline name with a space',
    prop: 'pipelineName',
    value: 'orders pipeline',
    app: () => pipeline({ pipelineName: 'orders pipeline' }),
  },
  {
    name: 'an environment variable name with a space',
    prop: 'environment',
    value: 'LOG LEVEL',
    app: () => service({ environment: { 'LOG LEVEL': 'debug' } }),
  },
  {
    name: 'an environment variable name with an equals sign',
    prop: 'environment',
    value: 'LOG_LEVEL=debug',
    app: () => service({ environment: { 'LOG_LEVEL=debug': 'debug' } }),
  },
  {
    name: 'a secret variable with an empty name',
    prop: 'secrets',
    value: "''",
    app: () => {
      const app = new App();
      const stack = new Stack(app, 'Shop', { env: ENV });
      const infra = new BaseInfra(stack, 'Infra');
      const param = ssm.StringParameter.fromStringParameterName(stack, 'Db', 'db-password');
      new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: IMAGE, secrets: { '': ecs.Secret.fromSsmParameter(param) } });
      return app;
    },
  },
  {
    name: 'a startup time of one and a half seconds',
    prop: 'startupTime',
    value: '1.5 s',
    app: () => service({ startupTime: Duration.millis(1500) }),
  },
  {
    name: 'health-check codes written as 2xx',
    prop: 'targetHealthCheck.healthyHttpCodes',
    value: '2xx',
    app: () => service({ targetHealthCheck: { healthyHttpCodes: '2xx' } }),
  },
  {
    name: 'health-check codes with a code ALB never accepts',
    prop: 'targetHealthCheck.healthyHttpCodes',
    value: '200,502',
    app: () => service({ targetHealthCheck: { healthyHttpCodes: '200,502' } }),
  },
  {
    name: 'an image name with upper-case letters',
    prop: 'imageName',
    value: 'public.ecr.aws/nginx/NGINX:1.27',
    app: () => service({ image: ServiceImage.fromRegistry('public.ecr.aws/nginx/NGINX:1.27') }),
  },
  {
    name: 'an image with an empty tag',
    prop: 'imageName',
    value: 'nginx:',
    app: () => service({ image: ServiceImage.fromRegistry('nginx:') }),
  },
  {
    name: 'an initial pipeline image with a space before the tag',
    prop: 'initialImage',
    value: 'nginx :1.27',
    app: () => service({ image: ServiceImage.fromPipeline({ initialImage: 'nginx :1.27' }) }),
  },
  {
    name: 'an ECR tag with a slash',
    prop: 'tag',
    value: 'release/1.2',
    app: () => {
      const app = new App();
      const stack = new Stack(app, 'Shop', { env: ENV });
      const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'orders');
      new MicroService(stack, 'Orders', { infra: new BaseInfra(stack, 'Infra'), serviceName: 'orders', image: ServiceImage.fromEcrRepository(repo, 'release/1.2') });
      return app;
    },
  },
  {
    name: 'an ECR source tag with a space',
    prop: 'tag',
    value: 'v1 .2',
    app: () => pipeline({}, stack => PipelineSource.ecrImage({ repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'orders'), tag: 'v1 .2' })),
  },

  // Settings that don't fit together
  {
    name: 'a one-AZ VPC under a load-balanced service',
    prop: 'maxAzs',
    value: '1',
    app: () => service({}, { maxAzs: 1 }),
  },
  {
    name: 'three AZs asked for in a stack with a region and no account',
    prop: 'maxAzs',
    value: '3',
    app: () => service({}, { maxAzs: 3 }),
  },
  {
    name: 'a rolling update that may neither stop nor start a task (100/100)',
    prop: 'maxHealthyPercent',
    value: '100',
    app: () => service({ deploymentStrategy: DeploymentStrategy.rolling({ minHealthyPercent: 100, maxHealthyPercent: 100 }) }),
  },
  {
    name: 'one task, rolling with a max of 150 % that rounds down to one task',
    prop: 'maxHealthyPercent',
    value: '150',
    app: () => service({ desiredCount: 1, deploymentStrategy: DeploymentStrategy.rolling({ maxHealthyPercent: 150 }) }),
  },
  {
    name: 'a scheduled minimum above the scaling maximum',
    prop: 'minCapacity',
    value: '10',
    app: () => service({ autoScaling: { maxCapacity: 4, targetCpuUtilizationPercent: 60, schedules: [{ name: 'morning', schedule: appscaling.Schedule.cron({ minute: '0', hour: '8' }), minCapacity: 10 }] } }),
  },
  {
    name: 'an access-log bucket encrypted with KMS',
    prop: 'accessLogsBucket',
    value: 'aws:kms',
    app: () => {
      const app = new App();
      const stack = new Stack(app, 'Shop', { env: ENV });
      const bucket = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS_MANAGED });
      new MicroService(stack, 'Orders', { infra: new BaseInfra(stack, 'Infra'), serviceName: 'orders', image: IMAGE, accessLogsBucket: bucket });
      return app;
    },
  },
  {
    name: 'an EC2 instance type the size table does not know',
    prop: 'instanceType',
    value: 'x2gd.large',
    app: () => service({ capacity: ServiceCapacity.ec2(), cpuArchitecture: ecs.CpuArchitecture.ARM64 },
      { ec2Capacity: { instanceType: new ec2.InstanceType('x2gd.large') } }),
  },
  {
    name: 'an EC2 instance size that does not exist',
    prop: 'instanceType',
    value: 'm7i.huge',
    app: () => service({ capacity: ServiceCapacity.ec2() }, { ec2Capacity: { instanceType: new ec2.InstanceType('m7i.huge') } }),
  },

  // Errors aws-cdk-lib would raise through our props, without path or fix
  {
    name: 'a CodeCommit source on an existing repository with an empty branch',
    prop: 'branch',
    value: "''",
    app: () => {
      const app = new App();
      const stack = new Stack(app, 'Shop', { env: ENV });
      const orders = new MicroService(stack, 'Orders', { infra: new BaseInfra(stack, 'Infra'), serviceName: 'orders', image: PIPELINE_IMAGE });
      const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'orders');
      new RollingPipeline(stack, 'Pipeline', { service: orders, source: PipelineSource.codeCommit({ repository, branch: '' }) });
      return app;
    },
  },
  {
    name: 'the longest request as 1.5 seconds, which CloudFormation takes in whole seconds',
    prop: 'longestRequest',
    value: '1.5 s',
    app: () => service({ longestRequest: Duration.millis(1500) }),
  },
  {
    name: 'a pipeline name longer than 100 characters',
    prop: 'pipelineName',
    value: 'x'.repeat(101),
    app: () => pipeline({ pipelineName: 'x'.repeat(101) }),
  },

  // Wrong refusals: the message must at least be right where a refusal is right
  {
    name: 'a test listener on the production port 8080 (the fix must not suggest 8080)',
    prop: 'testListenerPort',
    value: '8080',
    app: () => service({ listenerPort: 8080, deploymentStrategy: DeploymentStrategy.blueGreen() }),
  },
];

/** Runs a mistake's app to the end of synth and returns the error message, or undefined if it synthesized. */
function synthError(m: Mistake): string | undefined {
  try {
    m.app().synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('realistic mistakes fail at synth with the prop and the value', () => {
  test.each(MISTAKES.map(m => [m.name, m] as const))('%s', (_name, m) => {
    const message = synthError(m);
    expect(message).toBeDefined();
    expect(message).toContain(m.prop);
    expect(message).toContain(m.value);
    // The library's own message, with the construct path, not aws-cdk-lib's.
    expect(message).toMatch(/^\S+\/\S*: |\[\S+\] /m);
    if (m.name.includes('must not suggest 8080')) {
      expect(message).not.toMatch(/such as 8080/);
    }
  });
});

describe('the nearest valid inputs synthesize', () => {
  test('two services of one name in two namespaces, and two stages of one app reusing every name', () => {
    const app = new App();
    for (const stageName of ['Staging', 'Prod']) {
      const stage = new Stage(app, stageName, { env: ENV });
      const infraStack = new Stack(stage, 'Platform');
      const infra = new BaseInfra(infraStack, 'Infra');
      const stack = new Stack(stage, 'Orders');
      const orders = new MicroService(stack, 'Service', { infra, serviceName: 'orders', image: IMAGE, loadBalancerName: 'orders-alb' });
      new ServiceDashboard(stack, 'Dashboard', { dashboardName: 'orders', services: [orders] });
      stage.synth();
    }
    expect(() => app.synth()).not.toThrow();
  });

  test('Fargate Spot with ARM64', () => {
    expect(() => service({ capacity: ServiceCapacity.fargateSpot(), cpuArchitecture: ecs.CpuArchitecture.ARM64 }).synth()).not.toThrow();
  });

  test('natGateways 1 with maxAzs 2, a rolling update with one task and 200 %', () => {
    const deploymentStrategy = DeploymentStrategy.rolling({ maxHealthyPercent: 200 });
    expect(() => service({ desiredCount: 1, deploymentStrategy }, { natGateways: 1 }).synth()).not.toThrow();
  });

  test('a scheduled load test every minute, at minute 59', () => {
    const app = new App();
    const [orders] = platform(app, {});
    new LoadTester(Stack.of(orders), 'Load', { infra: orders.infra, targets: [LoadTestTarget.cloudMap(orders)], trigger: LoadTestTrigger.onSchedule(events.Schedule.rate(Duration.minutes(2))) });
    new LoadTester(Stack.of(orders), 'Load2', { infra: orders.infra, targets: [LoadTestTarget.cloudMap(orders)], loadTesterName: 'second', trigger: LoadTestTrigger.onSchedule(events.Schedule.cron({ minute: '59' })) });
    expect(() => app.synth()).not.toThrow();
  });

  test('a private service without a load balancer in a one-AZ VPC', () => {
    expect(() => service({ loadBalancerType: LoadBalancerType.NONE }, { maxAzs: 1, natGateways: 1 }).synth()).not.toThrow();
  });
});
