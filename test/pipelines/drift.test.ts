import { App, Stack } from 'aws-cdk-lib';
import { MicroService, PipelineSource, RollingPipeline, ServiceImage } from '../../src';
import { importedInfra } from '../util';
import { runBuildSpec } from './buildspec-runner';

/**
 * After the pipeline has deployed image X, a later `cdk deploy` of the same app must not put the
 * service back on an older image (seed 000 asks its users to flip a flag by hand for this).
 *
 * The design: the task definition's image is a dynamic reference to an SSM parameter the service
 * owns; the pipeline's record step writes every image it deployed there; the service runs the
 * newest revision of its task definition family. These tests prove each link, then play the
 * sequence through: pipeline run → parameter → the revision CloudFormation registers next.
 */

const INITIAL = 'public.ecr.aws/nginx/nginx:1.27-alpine';

function synth(environment?: Record<string, string>, initialImage = INITIAL): { template: any; service: MicroService; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: { region: 'eu-west-1' } });
  const service = new MicroService(stack, 'Orders', {
    infra: importedInfra(stack),
    serviceName: 'orders',
    image: ServiceImage.fromPipeline({ initialImage }),
    environment,
  });
  new RollingPipeline(stack, 'OrdersPipeline', { service, source: PipelineSource.s3() });
  return { template: app.synth().getStackByName('Shop').template, service, stack };
}

function only(template: any, type: string): [string, any] {
  const found = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
  expect(found).toHaveLength(1);
  return found[0];
}

/**
 * What CloudFormation puts into the container's image when it registers the task definition: the
 * dynamic reference `{{resolve:ssm:<name>}}` resolved against the parameter store.
 */
function registeredImage(template: any, parameterStore: Record<string, string>): string {
  const [, taskDef] = only(template, 'AWS::ECS::TaskDefinition');
  const name = /^\{\{resolve:ssm:([^}]+)\}\}$/.exec(taskDef.Properties.ContainerDefinitions[0].Image)![1];
  return parameterStore[name];
}

/** The SDK calls the AwsCustomResource provider makes on create, update and delete of the parameter. */
function providerCalls(parameter: any): { Create?: any; Update?: any; Delete?: any } {
  const calls = (key: string) => parameter.Properties[key] === undefined ? undefined : JSON.parse(parameter.Properties[key]);
  return { Create: calls('Create'), Update: calls('Update'), Delete: calls('Delete') };
}

describe('no drift between the pipeline and cdk deploy', () => {
  const { template, service } = synth();
  const [parameterId, parameter] = only(template, 'Custom::PipelineImageParameter');
  const parameterName = service.imageParameter!.parameterName;
  const [taskDefId, taskDef] = only(template, 'AWS::ECS::TaskDefinition');
  const [, ecsService] = only(template, 'AWS::ECS::Service');

  test('the task definition takes its image from the service\'s parameter: the template pins no image and no tag', () => {
    expect(taskDef.Properties.ContainerDefinitions[0].Image).toBe(`{{resolve:ssm:${parameterName}}}`);
    // Named after the stack and the service's unique path, so two stages in one account never share one.
    expect(parameterName).toMatch(/^\/cdk-ecs-devops\/Shop\/ShopOrders[0-9A-F]{8}\/image$/);
    // CloudFormation resolves the reference only after the parameter exists.
    expect(taskDef.DependsOn).toContain(parameterId);
    // The repository's URI appears once in the whole template: where the build tags images (commit ids, at build time).
    const uris = JSON.stringify(template).match(/\.dkr\.ecr\./g) ?? [];
    expect(uris).toHaveLength(1);
    const [, build] = Object.entries<any>(template.Resources).find(([id]) => id.startsWith('OrdersPipelineBuild') && template.Resources[id].Type === 'AWS::CodeBuild::Project')!;
    const repositoryUri = build.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'REPOSITORY_URI').Value;
    expect(JSON.stringify(repositoryUri)).toMatch(/\.dkr\.ecr\./);
    expect(repositoryUri['Fn::Join'][1].slice(-1)[0]).toEqual({ Ref: expect.stringMatching(/^OrdersRepository/) });
  });

  test('the parameter starts with the initial image, written once when it is created and never on an update', () => {
    const calls = providerCalls(parameter);
    expect(calls.Create).toMatchObject({ service: 'SSM', action: 'PutParameter', parameters: { Name: parameterName, Value: INITIAL, Type: 'String' } });
    // AwsCustomResource makes no call on an update without onUpdate (aws-cdk-lib custom-resources,
    // AwsCustomResourceProps.onUpdate "@default - no call"): a changed initialImage, a new tag or a
    // library change to the resource cannot write over what the pipeline recorded.
    expect(calls.Update).toBeUndefined();
    expect(calls.Delete).toMatchObject({ service: 'SSM', action: 'DeleteParameter', parameters: { Name: parameterName } });
    expect(parameter.Properties).not.toHaveProperty('Value');
  });

  test('the service runs the newest revision of its family, and a revision CloudFormation registers starts a deployment', () => {
    expect(ecsService.Properties.TaskDefinition).toBe(taskDef.Properties.Family);
    expect(typeof ecsService.Properties.TaskDefinition).toBe('string');
    expect(ecsService.Properties.ForceNewDeployment).toEqual({
      EnableForceNewDeployment: true,
      ForceNewDeploymentNonce: { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: taskDefId }] }] },
    });
    expect(ecsService.DependsOn).toContain(taskDefId);
  });

  test('a later cdk deploy of the same app finds nothing to change: the template is the same, byte for byte', () => {
    expect(JSON.stringify(synth().template)).toBe(JSON.stringify(template));
  });

  test('the record step writes the image only after the deploy action succeeded, and a failed deploy stage rolls back', () => {
    const [, pipeline] = only(template, 'AWS::CodePipeline::Pipeline');
    const deploy = pipeline.Properties.Stages.find((s: any) => s.Name === 'Deploy');
    expect(deploy.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['Deploy', 1], ['Record', 2]]);
    expect(deploy.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('played through: after the pipeline deployed X, the next revision CloudFormation registers runs X, not the initial image', () => {
    // Right after the first cdk deploy, the parameter holds the initial image.
    const parameterStore: Record<string, string> = { [parameterName]: INITIAL };
    expect(registeredImage(template, parameterStore)).toBe(INITIAL);

    // The pipeline deploys X; its record step (the synthesized buildspec, run with stub aws) writes X.
    const x = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop-ordersrepository-abc:0f9a1c2d3e4b5a6978899aabbccddeeff0011223';
    const [, record] = Object.entries<any>(template.Resources).find(([id, r]) => id.startsWith('OrdersPipelineRecord') && r.Type === 'AWS::CodeBuild::Project')!;
    const run = runBuildSpec(JSON.parse(record.Properties.Source.BuildSpec), { IMAGE_PARAMETER: parameterName }, {
      sourceFiles: { 'imageDetail.json': JSON.stringify({ ImageURI: x }) },
    });
    expect(run.exitCode).toBe(0);
    for (const call of run.calls.filter(c => c.args[1] === 'put-parameter')) {
      parameterStore[call.args[call.args.indexOf('--name') + 1]] = call.args[call.args.indexOf('--value') + 1];
    }
    expect(parameterStore[parameterName]).toBe(x);

    // A later cdk deploy that changes the task definition and even the initial image registers a
    // revision with X: its image reference is the same, and an update of the parameter resource
    // makes no call, so nothing writes the initial image back.
    const changed = synth({ FEATURE_FLAG: 'on' }, 'public.ecr.aws/nginx/nginx:1.28-alpine').template;
    expect(changed.Resources[taskDefId].Properties.ContainerDefinitions[0].Environment).toEqual([{ Name: 'FEATURE_FLAG', Value: 'on' }]);
    expect(providerCalls(changed.Resources[parameterId]).Update).toBeUndefined();
    expect(registeredImage(changed, parameterStore)).toBe(x);
  });
});
