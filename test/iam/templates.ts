import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { TemplateContext } from './cfn-arns';
import { buildSampleApp, buildSampleRelease } from '../../integ/sample/app';
import { STAGES, stageConfigs } from '../../integ/sample/config';
import {
  BaseInfra, DeploymentStrategy, LoadBalancerType, LoadTestGate, MicroService, PipelineSource, ReleasePipeline, ScheduledTask, ServiceImage, Sidecar,
  WorkerService,
} from '../../src';

const INTEG_DIR = path.join(__dirname, '..', '..', 'integ');

/** The templates of one app, each able to resolve the others' exports. */
function appTemplates(entries: Array<Omit<TemplateContext, 'siblings'>>): TemplateContext[] {
  const all: TemplateContext[] = entries.map(e => ({ ...e, siblings: () => all }));
  return all;
}

/** Every stack of the sample app, for every stage, synthesized here as `cdk synth` would. */
export function sampleTemplates(): TemplateContext[] {
  const single = Object.entries(STAGES).map(([stage, config]) => {
    const app = new App();
    buildSampleApp(app, config, { region: 'us-east-1' });
    return { name: stage, app };
  });
  // The default: every stage, with the frontend released through them.
  const release = new App();
  buildSampleRelease(release, stageConfigs(undefined), { region: 'us-east-1' });
  return [...single, { name: 'release', app: release }].flatMap(({ name, app }) => {
    const assembly = app.synth();
    return appTemplates(assembly.stacks.map(s => ({
      source: `sample(${name}):${s.stackName}`,
      stackName: s.stackName,
      region: s.environment.region,
      template: s.template,
    })));
  });
}

/** Every template of the committed integ snapshots (`integ/*.snapshot/*.template.json`). */
export function snapshotTemplates(): TemplateContext[] {
  return fs.readdirSync(INTEG_DIR)
    .filter(d => /^integ\..*\.snapshot$/.test(d))
    .flatMap(dir => {
      const manifest = JSON.parse(fs.readFileSync(path.join(INTEG_DIR, dir, 'manifest.json'), 'utf8'));
      const stacks = Object.values<any>(manifest.artifacts).filter(a => a.type === 'aws:cloudformation:stack');
      return appTemplates(stacks.map(s => ({
        source: `integ/${dir}/${s.properties.templateFile}`,
        stackName: s.properties.stackName ?? s.displayName,
        // integ-runner synthesizes without an account; the region comes from the stack's environment.
        region: /aws:\/\/[^/]+\/([a-z0-9-]+)/.exec(s.environment)?.[1] ?? 'us-east-1',
        template: JSON.parse(fs.readFileSync(path.join(INTEG_DIR, dir, s.properties.templateFile), 'utf8')),
      })));
    });
}

/**
 * A LoadTestGate on each engine it supports: an ECS-native canary behind an internet-facing load
 * balancer, and CodeDeploy behind an internal one (until an integ app deploys a gate).
 */
export function loadTestGateTemplates(): TemplateContext[] {
  const app = new App();
  const entries = (['canary', 'codeDeploy'] as const).map(kind => {
    const stack = new Stack(app, `Gate-${kind}`, { env: { region: 'us-east-1' } });
    const infra = new BaseInfra(stack, 'Infra', {});
    const service = new MicroService(stack, 'Web', {
      infra,
      serviceName: 'web',
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
      loadBalancerType: kind === 'canary' ? LoadBalancerType.PUBLIC : LoadBalancerType.INTERNAL,
      deploymentStrategy: kind === 'canary' ? DeploymentStrategy.canary() : DeploymentStrategy.codeDeploy(),
    });
    new LoadTestGate(stack, 'Gate', { service, path: '/health' });
    return stack;
  });
  const assembly = app.synth();
  return appTemplates(entries.map(s => ({ source: `gate:${s.stackName}`, stackName: s.stackName, region: 'us-east-1', template: assembly.getStackByName(s.stackName).template })));
}

/**
 * Configurations the sample app and the integ snapshots do not have, synthesized here: a
 * MicroService with both built-in sidecars, FireLens to CloudWatch Logs and a KMS-encrypted S3
 * bucket, and the OpenTelemetry collector.
 */
export function sidecarTemplates(): TemplateContext[] {
  const app = new App();
  const stack = new Stack(app, 'Sidecars', { env: { region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'] });
  const infra = BaseInfra.fromBaseInfraAttributes(stack, 'Infra', {
    vpc, clusterName: 'platform', namespaceName: 'svc.internal', namespaceId: 'ns-1234', namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
  });
  const bucket = new s3.Bucket(stack, 'Archive', { encryptionKey: new kms.Key(stack, 'ArchiveKey', { enableKeyRotation: true }), enforceSSL: true });
  new MicroService(stack, 'Orders', {
    infra,
    serviceName: 'orders',
    image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
    memoryLimitMiB: 1024,
    sidecars: [Sidecar.fireLens({ s3: { bucket, keyPrefix: 'logs/orders/' } }), Sidecar.openTelemetry()],
  });
  return appTemplates([{ source: 'sidecars:Sidecars', stackName: stack.stackName, region: 'eu-west-1', template: app.synth().getStackByName(stack.stackName).template }]);
}

/**
 * A ReleasePipeline with a stage in another account: the pipeline, the build, a CodeDeploy and an
 * ECS stage in the tools account, and a ScheduledTask stage whose deploy and record projects and
 * action roles are in the prod account's stack.
 */
export function releaseTemplates(): TemplateContext[] {
  const app = new App();
  const tools = new Stack(app, 'ReleaseTools', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prod = new Stack(app, 'ReleaseProd', { env: { account: '222222222222', region: 'eu-west-1' } });
  const infra = (stack: Stack) => BaseInfra.fromBaseInfraAttributes(stack, 'Infra', {
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'] }),
    clusterName: 'platform',
    namespaceName: 'svc.internal',
    namespaceId: 'ns-1234',
    namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
  });
  const image = () => ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
  const repository = new ecr.Repository(tools, 'Images', { repositoryName: 'orders' });
  const toolsInfra = infra(tools);
  const web = new MicroService(tools, 'Web', { infra: toolsInfra, serviceName: 'web', image: image(), repository, deploymentStrategy: DeploymentStrategy.canary() });
  const api = new MicroService(tools, 'Api', { infra: toolsInfra, serviceName: 'api', image: image(), repository, deploymentStrategy: DeploymentStrategy.codeDeploy() });
  const prodInfra = infra(prod);
  const buildRepository = ecr.Repository.fromRepositoryArn(prod, 'BuildRepository', 'arn:aws:ecr:eu-west-1:111111111111:repository/orders');
  const job = new ScheduledTask(prod, 'Nightly', {
    infra: prodInfra,
    taskName: 'nightly',
    image: image(),
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    repository: buildRepository,
  });
  // Services in the other account: ECS deploy actions whose roles aws-cdk-lib creates in that stack.
  const prodWeb = new MicroService(prod, 'Web', { infra: prodInfra, serviceName: 'prod-web', image: image(), repository: buildRepository, deploymentStrategy: DeploymentStrategy.canary() });
  const prodWorker = new WorkerService(prod, 'Worker', { infra: prodInfra, serviceName: 'prod-worker', image: image(), repository: buildRepository, processingTime: Duration.seconds(1) });
  new ReleasePipeline(tools, 'Release', {
    source: PipelineSource.s3(),
    stages: [
      { stageName: 'web', target: web }, { stageName: 'api', target: api }, { stageName: 'prod', target: job, manualApproval: true },
      { stageName: 'prod-web', target: prodWeb, bakeTime: Duration.minutes(0) }, { stageName: 'prod-worker', target: prodWorker },
    ],
  });
  const assembly = app.synth();
  return appTemplates([tools, prod].map(s => ({ source: `release:${s.stackName}`, stackName: s.stackName, region: 'eu-west-1', template: assembly.getStackByName(s.stackName).template })));
}

/**
 * Resources of `@aws-cdk/integ-tests-alpha` itself in an integ app's `…Assertions` (DeployAssert)
 * stack: the AssertionsProvider function's role (`SingletonFunction<hash>Role`) and the waiter state
 * machines' roles (`AwsApiCall…WaitForRole`, `HttpApiCall…WaitForRole`). They grant the SDK calls the
 * assertions make, on `*`, are written by integ-tests-alpha and never deployed by a user of this
 * library; everything else in those stacks is checked.
 */
export function isIntegTestsAlphaResource(ctx: TemplateContext, logicalId: string): boolean {
  return /Assertions\.template\.json$/.test(ctx.source)
    && /^(SingletonFunction[0-9a-f]{32}Role[0-9A-F]{8}|(AwsApiCall|HttpApiCall)\w*WaitForRole[0-9A-F]{8})$/.test(logicalId);
}
