import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import {
  BaseInfra, BlueGreenPipeline, DeploymentStrategy, LoadBalancerType, MicroService, PipelineSource, RollingPipeline, ServiceImage,
} from '../../src';
import { acknowledgements, nagFindings } from '../validators';

/**
 * cdk-nag AwsSolutions over an app with every pipeline and source kind, and the inventory of IAM
 * statements that remain on `Resource: "*"`: each must be an action AWS only authorizes on `*`,
 * or be narrowed by a condition.
 */

const app = new App();
const stack = new Stack(app, 'Pipelines', { env: { region: 'eu-west-1' } });
const infra = new BaseInfra(stack, 'Infra', { natGateways: 1 });
const image = ServiceImage.fromPipeline({ initialImage: 'public.ecr.aws/nginx/nginx:1.27-alpine' });
const rolling = new MicroService(stack, 'Backend', { infra, serviceName: 'backend', image });
const canary = new MicroService(stack, 'Frontend', {
  infra, serviceName: 'frontend', image, loadBalancerType: LoadBalancerType.PUBLIC, deploymentStrategy: DeploymentStrategy.canary(),
});
const codeDeploy = new MicroService(stack, 'Api', { infra, serviceName: 'api', image, deploymentStrategy: DeploymentStrategy.codeDeploy() });
const worker = new MicroService(stack, 'Worker', { infra, serviceName: 'worker', image });
new RollingPipeline(stack, 'BackendPipeline', { service: rolling, source: PipelineSource.s3(), manualApproval: true, notificationEmails: ['team@example.com'] });
new BlueGreenPipeline(stack, 'FrontendPipeline', {
  service: canary,
  source: PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab', repository: 'my-org/frontend' }),
});
new BlueGreenPipeline(stack, 'ApiPipeline', { service: codeDeploy, source: PipelineSource.codeCommit({ repositoryName: 'api' }) });
new RollingPipeline(stack, 'WorkerPipeline', { service: worker, source: PipelineSource.ecrImage({ repository: ecr.Repository.fromRepositoryName(stack, 'Shared', 'shared/worker') }) });
app.synth();
const template = app.synth().getStackByName('Pipelines').template;

/** Every Allow statement on `*`: policy logical ID, actions, condition keys. */
function starStatements(): Array<{ policy: string; actions: string[]; condition: string[] }> {
  const out: Array<{ policy: string; actions: string[]; condition: string[] }> = [];
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') {
      continue;
    }
    for (const s of r.Properties.PolicyDocument.Statement) {
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      if (s.Effect === 'Allow' && resources.includes('*')) {
        out.push({
          policy: id,
          actions: [s.Action].flat(),
          condition: Object.values<any>(s.Condition ?? {}).flatMap(c => Object.keys(c)),
        });
      }
    }
  }
  return out;
}

describe('cdk-nag over every pipeline', () => {
  test('AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  test('every acknowledgement of these constructs has a reason', () => {
    const ours = acknowledgements(stack).filter(a => /Pipeline|CodeDeployRole|LoadBalancerRole|ExecutionRole/.test(a.path));
    expect(ours.length).toBeGreaterThan(0);
    for (const a of ours) {
      expect(a.reason.length).toBeGreaterThan(40);
    }
  });

  test('what remains on Resource "*" is only authorized on * by AWS, or narrowed by a condition', () => {
    const onlyOnStar = new Set([
      'ecr:GetAuthorizationToken',
      'ecs:DescribeTaskDefinition',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
    const narrowed: Record<string, string> = {
      'ecs:DescribeTasks': 'ecs:cluster',
      'ecs:ListTasks': 'ecs:cluster',
      'ecs:TagResource': 'ecs:CreateAction',
      'ecs:CreateTaskSet': 'ecs:service',
      'ecs:DeleteTaskSet': 'ecs:service',
    };
    const star = starStatements();
    for (const s of star) {
      for (const action of s.actions) {
        if (!onlyOnStar.has(action)) {
          expect({ policy: s.policy, action, condition: s.condition }).toEqual({ policy: s.policy, action, condition: [narrowed[action]] });
        }
      }
    }
    // The inventory, by kind of role (reported in the pull request).
    const byRole = (pattern: RegExp) => [...new Set(star.filter(s => pattern.test(s.policy)).flatMap(s => s.actions))].sort();
    expect(byRole(/PipelineBuildRole/)).toEqual(['ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition']);
    expect(byRole(/Deploy.*CodePipelineActionRole/)).toEqual([
      'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:TagResource',
    ]);
    expect(byRole(/CodeDeployRole/)).toEqual([
      'ecs:CreateTaskSet', 'ecs:DeleteTaskSet', 'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
    ]);
    expect(byRole(/LoadBalancerRole/)).toEqual([
      'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
    ]);
    expect(byRole(/TaskDefExecutionRole/)).toEqual(['ecr:GetAuthorizationToken']);
    expect(byRole(/RecordRole|PipelineRole|SourceCodePipelineActionRole|ApproveReview|EventsRole/)).toEqual([]);
  });

  test('no managed policies on the roles the pipelines and blue/green services create', () => {
    const managed = Object.entries<any>(template.Resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.ManagedPolicyArns && /Pipeline|CodeDeploy|LoadBalancerRole/.test(id));
    expect(managed).toEqual([]);
  });
});
