import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BlueGreenPipeline, DeploymentStrategy, MicroService, PipelineSource, RollingPipeline, ServiceImage,
} from '../../src';
import { appSpec, imageBuildSpec, READ_ONLY_TASK_DEFINITION_FIELDS, recordImageBuildSpec } from '../../src/private/buildspec';
import { importedInfra } from '../util';
import { BuildRun, DESCRIBED_TASK_DEFINITION, ECR_SOURCE_IMAGE_DETAIL, parseYaml, runBuildSpec } from './buildspec-runner';

/**
 * Runs each buildspec the pipelines synthesize, as CodeBuild would (bash, stub docker and aws), and
 * checks the files the deploy stage reads.
 */

const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const COMMIT = '0f9a1c2d3e4b5a6978899aabbccddeeff0011223';
const INITIAL = 'public.ecr.aws/nginx/nginx:1.27-alpine';

const app = new App();
const stack = new Stack(app, 'T', { env: { region: 'eu-west-1' } });
const infra = importedInfra(stack);
const orders = new MicroService(stack, 'Orders', { infra, serviceName: 'orders', image: ServiceImage.fromPipeline({ initialImage: INITIAL }) });
new RollingPipeline(stack, 'OrdersPipeline', {
  service: orders,
  source: PipelineSource.s3(),
  imageBuild: { appPath: 'services/orders', testCommands: ['sh ./run-tests.sh'] },
});
const api = new MicroService(stack, 'Api', {
  infra,
  serviceName: 'api',
  image: ServiceImage.fromPipeline({ initialImage: INITIAL }),
  cpuArchitecture: ecs.CpuArchitecture.ARM64,
  deploymentStrategy: DeploymentStrategy.codeDeploy(),
});
new BlueGreenPipeline(stack, 'ApiPipeline', {
  service: api,
  source: PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab', repository: 'my-org/api' }),
});
const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromPipeline({ initialImage: INITIAL }),
  deploymentStrategy: DeploymentStrategy.canary(),
});
new BlueGreenPipeline(stack, 'WebPipeline', {
  service: web,
  source: PipelineSource.ecrImage({ repository: ecr.Repository.fromRepositoryName(stack, 'Shared', 'shared/api') }),
});
const template = Template.fromStack(stack);

/** A project's buildspec and environment, with the deploy-time values CloudFormation would fill in. */
function project(logicalIdPrefix: string, deployTime: Record<string, string>): { buildSpec: any; env: Record<string, string> } {
  const [, resource] = Object.entries(template.findResources('AWS::CodeBuild::Project'))
    .find(([id]) => id.startsWith(logicalIdPrefix))!;
  const env: Record<string, string> = {};
  for (const v of resource.Properties.Environment.EnvironmentVariables) {
    if (typeof v.Value === 'string') {
      env[v.Name] = v.Value;
    } else if (deployTime[v.Name] !== undefined) {
      env[v.Name] = deployTime[v.Name];
    } else {
      throw new Error(`${v.Name} is only known at deploy time: pass a value`);
    }
  }
  return { buildSpec: JSON.parse(resource.Properties.Source.BuildSpec), env };
}

function calls(run: BuildRun, cmd: 'aws' | 'docker', ...prefix: string[]): string[][] {
  return run.calls.filter(c => c.cmd === cmd && prefix.every((p, i) => c.args[i] === p)).map(c => c.args);
}

describe('the build of a rolling pipeline', () => {
  const repositoryUri = `${REGISTRY}/t-ordersrepository-abc123`;
  const { buildSpec, env } = project('OrdersPipelineBuild', { REPOSITORY_URI: repositoryUri });
  const imageUri = `${repositoryUri}:${COMMIT}`;
  const passingTests = { 'services/orders/run-tests.sh': 'touch tests-ran\n' };
  const build = (sourceRevision: string, options: Parameters<typeof runBuildSpec>[2] = {}) =>
    runBuildSpec(buildSpec, { ...env, SOURCE_REVISION: sourceRevision }, { appDir: 'services/orders', sourceFiles: passingTests, ...options });

  test('is exactly what the renderer produces', () => {
    expect(buildSpec).toEqual(imageBuildSpec({ buildImage: true, testCommands: ['sh ./run-tests.sh'], codeDeploy: false }));
    expect(env).toMatchObject({ CONTAINER_NAME: 'orders', APP_PATH: 'services/orders', DOCKERFILE: 'Dockerfile', DOCKER_PLATFORM: 'linux/amd64' });
  });

  describe('of a new revision', () => {
    const run = build(COMMIT);

    test('succeeds and exports the image for the approval message', () => {
      expect(run.stderr).not.toMatch(/failed/);
      expect(run.exitCode).toBe(0);
      expect(run.exported).toEqual({ IMAGE_URI: imageUri });
    });

    test('logs in with get-login-password (AWS CLI v2), the password on stdin', () => {
      expect(calls(run, 'aws', 'ecr', 'get-login-password')).toEqual([['ecr', 'get-login-password', '--region', 'eu-west-1']]);
      const login = run.calls.find(c => c.cmd === 'docker' && c.args[0] === 'login')!;
      expect(login.args).toEqual(['login', '--username', 'AWS', '--password-stdin', REGISTRY]);
      expect(login.stdin.trim()).toBe('eyJwYXlsb2FkIjoic3R1Yi1lY3ItdG9rZW4ifQ==');
      expect(calls(run, 'aws', 'ecr', 'get-login')).toEqual([]);
    });

    test('runs the test commands in the app path before building', () => {
      expect(run.read('services/orders/tests-ran')).toBe('');
    });

    test('builds the app path for the service architecture and pushes the commit tag only', () => {
      expect(calls(run, 'aws', 'ecr', 'describe-images')).toEqual([
        ['ecr', 'describe-images', '--repository-name', 't-ordersrepository-abc123', '--image-ids', `imageTag=${COMMIT}`],
      ]);
      expect(calls(run, 'docker', 'build')).toEqual([[
        'build', '--platform', 'linux/amd64', '--build-arg', `COMMIT_HASH=${COMMIT}`,
        '--file', `${run.srcDir}/services/orders/Dockerfile`, '--tag', imageUri, `${run.srcDir}/services/orders`,
      ]]);
      expect(calls(run, 'docker', 'push')).toEqual([['push', imageUri]]);
      expect(JSON.stringify(run.calls)).not.toMatch(/:latest/);
    });

    test('writes imagedefinitions.json and imageDetail.json', () => {
      expect(JSON.parse(run.read('imagedefinitions.json'))).toEqual([{ name: 'orders', imageUri }]);
      expect(JSON.parse(run.read('imageDetail.json'))).toEqual({ ImageURI: imageUri });
    });
  });

  test('reuses the image when the revision was built before (immutable tags)', () => {
    const run = build(COMMIT, { appDir: 'services/orders', sourceFiles: passingTests, stub: { imageExists: true } });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`${imageUri} exists already: reusing it`);
    expect(calls(run, 'docker', 'build')).toEqual([]);
    expect(calls(run, 'docker', 'push')).toEqual([]);
    expect(JSON.parse(run.read('imagedefinitions.json'))).toEqual([{ name: 'orders', imageUri }]);
  });

  test('tags an S3 source with its ETag, without the quotes', () => {
    const run = build('"9b2cf535f27731c974343645a3985328-2"');
    expect(run.exitCode).toBe(0);
    expect(run.exported.IMAGE_URI).toBe(`${repositoryUri}:9b2cf535f27731c974343645a3985328-2`);
  });

  test('stops when ECR fails for another reason than a missing image', () => {
    const run = build(COMMIT, { appDir: 'services/orders', sourceFiles: passingTests, stub: { describeImagesError: 'AccessDeniedException' } });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/AccessDeniedException/);
    expect(calls(run, 'docker', 'build')).toEqual([]);
    expect(() => run.read('imagedefinitions.json')).toThrow();
  });

  test('builds and deploys nothing when a test command fails', () => {
    const run = build(COMMIT, { appDir: 'services/orders', sourceFiles: { 'services/orders/run-tests.sh': 'echo "1 test failed" >&2; exit 3\n' } });
    expect(run.exitCode).toBe(3);
    expect(calls(run, 'docker', 'build')).toEqual([]);
    expect(() => run.read('imagedefinitions.json')).toThrow();
  });

  test('fails without a source revision to tag with', () => {
    const run = build('');
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/SOURCE_REVISION is empty/);
    expect(run.calls).toEqual([]);
  });

  describe('the record step', () => {
    const record = project('OrdersPipelineRecord', { REPOSITORY_NAME: 't-ordersrepository-abc123' });
    const recordRun = (uri: string, stub = {}) =>
      runBuildSpec(record.buildSpec, record.env, { sourceFiles: { 'imageDetail.json': JSON.stringify({ ImageURI: uri }) }, stub });

    test('writes the deployed image into the service\'s image parameter, then tags the image as deployed', () => {
      expect(record.env.IMAGE_PARAMETER).toMatch(/^\/cdk-ecs-devops\/T\/TOrders[0-9A-F]{8}\/image$/);
      expect(record.buildSpec).toEqual(recordImageBuildSpec());
      const run = recordRun(imageUri);
      expect(run.exitCode).toBe(0);
      expect(run.calls.map(c => c.args.slice(0, 2).join(' '))).toEqual(['ssm put-parameter', 'ecr batch-get-image', 'ecr put-image']);
      expect(run.calls[0].args).toEqual(['ssm', 'put-parameter', '--name', record.env.IMAGE_PARAMETER, '--value', imageUri, '--type', 'String', '--overwrite']);
      expect(run.calls[1].args).toEqual(['ecr', 'batch-get-image', '--repository-name', 't-ordersrepository-abc123', '--image-ids', `imageTag=${COMMIT}`, '--output', 'json']);
      expect(run.calls[2].args).toEqual([
        'ecr', 'put-image', '--repository-name', 't-ordersrepository-abc123', '--image-tag', `deployed-${COMMIT}`,
        '--image-manifest', 'file://manifest.json', '--image-manifest-media-type', 'application/vnd.docker.distribution.manifest.v2+json',
      ]);
    });

    test('an image deployed by digest (ECR image source) is looked up and tagged by its digest', () => {
      const digest = `sha256:${'ef'.repeat(32)}`;
      const run = recordRun(`${REGISTRY}/t-ordersrepository-abc123@${digest}`);
      expect(run.exitCode).toBe(0);
      expect(run.calls[1].args).toContain(`imageDigest=${digest}`);
      expect(run.calls[2].args).toContain(`deployed-${'ef'.repeat(32)}`);
    });

    test('a redeploy of the same image finds its deployed tag there already, and succeeds', () => {
      expect(recordRun(imageUri, { deployedTagExists: true }).exitCode).toBe(0);
    });

    test('fails on any other error while tagging, so the image is never silently left unprotected', () => {
      const run = recordRun(imageUri, { putImageError: 'AccessDeniedException' });
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toMatch(/AccessDeniedException/);
    });
  });
});

describe('the build of a CodeDeploy pipeline', () => {
  const repositoryUri = `${REGISTRY}/t-apirepository-abc123`;
  const { buildSpec, env } = project('ApiPipelineBuild', { REPOSITORY_URI: repositoryUri });
  const run = runBuildSpec(buildSpec, { ...env, SOURCE_REVISION: COMMIT });
  const imageUri = `${repositoryUri}:${COMMIT}`;

  test('is exactly what the renderer produces, with the service\'s AppSpec', () => {
    expect(buildSpec).toEqual(imageBuildSpec({ buildImage: true, testCommands: [], codeDeploy: true }));
    expect(env.TASK_DEFINITION_FAMILY).toBe(stack.resolve(api.taskDefinition.family));
    expect(env.APPSPEC_YAML).toBe(appSpec({ containerName: 'api', containerPort: 8080, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }));
  });

  test('succeeds, building for ARM64', () => {
    expect(run.exitCode).toBe(0);
    expect(calls(run, 'docker', 'build')[0]).toEqual(expect.arrayContaining(['--platform', 'linux/arm64', '--tag', imageUri]));
  });

  test('starts taskdef.json from the newest revision of the service\'s family', () => {
    expect(calls(run, 'aws', 'ecs', 'describe-task-definition')).toEqual([
      ['ecs', 'describe-task-definition', '--task-definition', DESCRIBED_TASK_DEFINITION.taskDefinition.family, '--output', 'json'],
    ]);
  });

  test('writes a taskdef.json RegisterTaskDefinition accepts, with the image placeholder', () => {
    const taskdef = JSON.parse(run.read('taskdef.json'));
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy']) {
      expect(READ_ONLY_TASK_DEFINITION_FIELDS).toContain(field);
      expect(taskdef).not.toHaveProperty(field);
    }
    const { containerDefinitions, ...rest } = DESCRIBED_TASK_DEFINITION.taskDefinition;
    expect(taskdef.containerDefinitions).toEqual([{ ...containerDefinitions[0], image: '<IMAGE1_NAME>' }]);
    for (const field of ['family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'cpu', 'memory', 'runtimePlatform', 'requiresCompatibilities', 'volumes', 'placementConstraints']) {
      expect(taskdef[field]).toEqual(rest[field]);
    }
    expect(() => run.read('current-taskdef.json')).toThrow();
  });

  test('writes an appspec.yaml with the task definition placeholder, container name and port', () => {
    expect(parseYaml(run.read('appspec.yaml'))).toEqual({
      version: 0.0,
      Resources: [{
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: '<TASK_DEFINITION>',
            LoadBalancerInfo: { ContainerName: 'api', ContainerPort: 8080 },
            CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 0, Weight: 1 }],
          },
        },
      }],
    });
  });

  test('writes the imageDetail.json CodeDeploy\'s action fills the placeholder from', () => {
    expect(JSON.parse(run.read('imageDetail.json'))).toEqual({ ImageURI: imageUri });
    for (const file of buildSpec.artifacts.files) {
      expect(() => run.read(file)).not.toThrow();
    }
  });

  test('fails when the service\'s container is not in the task definition', () => {
    const wrong = runBuildSpec(buildSpec, { ...env, SOURCE_REVISION: COMMIT, CONTAINER_NAME: 'other' });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/has no container named other/);
  });
});

describe('the build of an ECR image source', () => {
  const { buildSpec, env } = project('WebPipelineBuild', {});
  const run = runBuildSpec(buildSpec, env, { sourceFiles: { 'imageDetail.json': ECR_SOURCE_IMAGE_DETAIL } });
  const digestUri = JSON.parse(ECR_SOURCE_IMAGE_DETAIL).ImageURI;

  test('builds nothing and needs no privileges', () => {
    expect(buildSpec).toEqual(imageBuildSpec({ buildImage: false, testCommands: [], codeDeploy: false }));
    expect(run.exitCode).toBe(0);
    expect(run.calls).toEqual([]);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: 'Builds the image of web and the files its deploy stage reads',
      Environment: { PrivilegedMode: false },
    });
  });

  test('deploys the pushed image by digest', () => {
    expect(JSON.parse(run.read('imagedefinitions.json'))).toEqual([{ name: 'web', imageUri: digestUri }]);
    expect(run.exported).toEqual({ IMAGE_URI: digestUri });
  });
});
