import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { build, create, IMAGE } from './builder';
import { ServiceImage } from '../../src';
import { newStack } from '../util';

describe('the task of a service with defaults', () => {
  const { template } = build();

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

  test('owns a retained ECR repository with scan on push, immutable tags and a lifecycle rule', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        LifecyclePolicy: {
          LifecyclePolicyText: Match.serializedJson(Match.objectLike({
            rules: [
              Match.objectLike({ selection: Match.objectLike({ tagPrefixList: ['deployed-'], countType: 'imageCountMoreThan', countNumber: 10 }) }),
              Match.objectLike({ selection: Match.objectLike({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }) }),
            ],
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

  test('leaves the image\'s USER in charge', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ User: Match.absent() })] });
  });
});

describe('images', () => {
  test('from an ECR repository and tag, with a pull grant to the execution role', () => {
    const stack = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shared/orders');
    const { template } = build({ image: ServiceImage.fromEcrRepository(repo, 'abc1234') }, stack);
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
      image: ServiceImage.fromAsset(path.join(__dirname, '..', 'fixtures', 'app'), { file: 'Dockerfile' }),
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
    const { service, template } = build({ image: IMAGE, repository }, stack);
    expect(service.repository).toBe(repository);
    template.resourceCountIs('AWS::ECR::Repository', 0);
  });
});

describe('container configuration', () => {
  test('environment and secrets from SSM and Secrets Manager', () => {
    const stack = newStack();
    const param = ssm.StringParameter.fromStringParameterName(stack, 'Param', '/orders/feature-flags');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders/db');
    const { template } = build({
      environment: { LOG_LEVEL: 'info' },
      secrets: { FLAGS: ecs.Secret.fromSsmParameter(param), DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') },
    }, stack);
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

  test('runs the container as the given user', () => {
    const { template } = build({ user: '1000:1000' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ User: '1000:1000' })] });
  });
});

describe('the task fails when', () => {
  test('the container port is outside 1-65535', () => {
    expect(() => create({ containerPort: 0 })).toThrow(/containerPort \(0\) must be a whole number from 1 to 65535: use a TCP port number/);
    expect(() => create({ containerPort: 70000 })).toThrow(/containerPort \(70000\)/);
  });

  test('the user is not a user, UID or user:group', () => {
    expect(() => create({ user: 'app user' })).toThrow(/user \('app user'\) must be a user or UID, optionally with a group or GID after a colon, such as 'node' or '1000:1000'/);
    expect(() => create({ user: '1000:1000:1000' })).toThrow(/user \('1000:1000:1000'\)/);
    expect(() => create({ user: ':1000' })).toThrow(/user \(':1000'\)/);
  });
});

describe('images fail when', () => {
  test('a registry image name is not an image reference', () => {
    expect(() => create({ image: ServiceImage.fromRegistry('public.ecr.aws/nginx/NGINX:1.27') }))
      .toThrow("Test/Orders: imageName ('public.ecr.aws/nginx/NGINX:1.27') has 'NGINX' in its repository, which must be lowercase letters and digits separated by '.', '_', '__' or '-': write it as [registry/]repository[:tag][@digest]");
    expect(() => create({ image: ServiceImage.fromRegistry('nginx:') })).toThrow(/imageName \('nginx:'\) has tag ''/);
  });

  test('an ECR tag is not an image tag, or a digest in its place is not one', () => {
    const stack = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'orders');
    expect(() => create({ image: ServiceImage.fromEcrRepository(repo, 'release/1.2') }, stack))
      .toThrow(/Test\/Orders: tag \('release\/1.2'\) is not an image tag: 1-128 letters, digits, '_', '.' and '-'.*: use 1-128 letters/);
    const other = newStack();
    const otherRepo = ecr.Repository.fromRepositoryName(other, 'Repo', 'orders');
    expect(() => create({ image: ServiceImage.fromEcrRepository(otherRepo, 'sha256:abc') }, other)).toThrow(/tag \('sha256:abc'\) has digest 'sha256:abc', which is not algorithm:hex/);
  });
});

describe('images accept', () => {
  test('a registry image with a port and a digest, and an ECR image by digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(() => build({ image: ServiceImage.fromRegistry(`registry.example.com:5000/team/orders:1.2@${digest}`) })).not.toThrow();
    const stack = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'orders');
    const { template } = build({ image: ServiceImage.fromEcrRepository(repo, digest) }, stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`orders@${digest}`)])] } })],
    });
  });
});

describe('the task accepts', () => {
  test('container ports 1 and 65535, the ends of the TCP range', () => {
    for (const containerPort of [1, 65535]) {
      const { template } = build({ containerPort });
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({ PortMappings: [Match.objectLike({ ContainerPort: containerPort })] })],
      });
    }
  });

  test('a user name, a UID, and user:group names', () => {
    for (const user of ['node', '1000', 'app:staff']) {
      const { template } = build({ user });
      template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ User: user })] });
    }
  });
});
