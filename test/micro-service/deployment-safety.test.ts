import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DeploymentStrategy, MicroService, MicroServiceProps, ServiceImage } from '../../src';
import { importedInfra, newStack } from '../util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

function build(props: Partial<MicroServiceProps> = {}) {
  const stack = newStack();
  const service = new MicroService(stack, 'Web', { infra: importedInfra(stack), serviceName: 'web', image: IMAGE, ...props });
  return { stack, service, template: Template.fromStack(stack) };
}

function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter(id => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('ECS-native blue/green', () => {
  const { stack, template } = build({ deploymentStrategy: DeploymentStrategy.canary() });

  test('creates the load-balancer role\'s policy before the service, and deletes it after', () => {
    const policy = logicalId(template, 'AWS::IAM::Policy', 'WebLoadBalancerRoleDefaultPolicy');
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.DependsOn).toEqual(expect.arrayContaining([policy, logicalId(template, 'AWS::IAM::Role', 'WebLoadBalancerRole')]));
  });

  test('warns that callers of the Cloud Map name bypass traffic shifting', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp(
      "'web' deploys with canary \\(10 % for 5 min\\), which shifts traffic on its load balancer only; callers of its Cloud Map name .* call it through its load balancer"));
  });
});

describe('CodeDeploy blue/green', () => {
  const { stack } = build({ deploymentStrategy: DeploymentStrategy.codeDeploy() });

  test('warns that callers of the Cloud Map name bypass traffic shifting', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp("'web' deploys with codeDeploy .* Cloud Map name"));
  });
});

describe('rolling updates', () => {
  const { stack } = build();

  test('need no warning about Cloud Map: every caller sees the same tasks', () => {
    Annotations.fromStack(stack).hasNoWarning('/Test/Web', Match.stringLikeRegexp('Cloud Map name'));
  });
});
