import { Annotations, Token, Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ListenerOptions } from './load-balancing';
import { addTargetGroup } from './load-balancing';
import { ResolvedLoadBalancer, ResolvedProps } from './resolve';
import type { DeploymentStrategy } from '../deployment-strategy';
import { checkPort, checkWholeMinutes, fail } from '../private/validation';

/** The resources of a blue/green strategy. All undefined for rolling updates. */
export interface BlueGreenResources {
  readonly greenTargetGroup?: elbv2.ApplicationTargetGroup;
  readonly testListener?: elbv2.ApplicationListener;
  readonly productionListenerRule?: elbv2.ApplicationListenerRule;
  readonly testListenerRule?: elbv2.ApplicationListenerRule;
  readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
}

/** The production side a blue/green strategy attaches to. */
export interface ProductionTraffic {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly blue: elbv2.ApplicationTargetGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly listenerOptions: ListenerOptions;
  readonly service: ecs.BaseService;
}

/**
 * The green target group and the test listener that reaches it, open to the VPC only.
 *
 * ECS and CodeDeploy shift traffic only on the load balancer (and Service Connect): a caller that
 * resolves the service's Cloud Map name reaches green tasks as soon as they start, before any test
 * or shift ("Required resources for Amazon ECS blue/green deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html).
 */
export function addGreenSide(scope: Construct, r: ResolvedProps, traffic: ProductionTraffic, testListenerDefault: elbv2.BaseApplicationListenerProps['defaultAction'] | 'green') {
  Annotations.of(scope).addWarningV2('cdk-ecs-devops:cloudMapBypassesShifting',
    `'${r.props.serviceName}' deploys with ${r.strategy._describe()}, which shifts traffic on its load balancer only; callers of its Cloud Map name (serviceDiscoveryUrl, LoadTestTarget.cloudMap) reach new tasks as soon as they start: call it through its load balancer (url)`);
  const green = addTargetGroup(scope, 'GreenTargetGroup', r, r.loadBalancer!);
  const testPort = r.strategy.testListenerPort!;
  const testListener = traffic.loadBalancer.addListener('TestListener', {
    port: testPort,
    ...traffic.listenerOptions,
    defaultAction: testListenerDefault === 'green' ? undefined : testListenerDefault,
    defaultTargetGroups: testListenerDefault === 'green' ? [green] : undefined,
    // Test traffic is for tests and hooks inside the VPC, even on a public load balancer.
    open: false,
  });
  traffic.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(r.props.infra.vpc.vpcCidrBlock), ec2.Port.tcp(testPort), 'Test listener, from the VPC');
  return { green, testListener };
}

/**
 * ECS-native blue/green, canary and linear: ECS moves the weights of a rule on each listener
 * between the blue and the green target group, with a role scoped to these resources.
 */
export function attachEcsBlueGreen(scope: Construct, r: ResolvedProps, traffic: ProductionTraffic): BlueGreenResources {
  const { green, testListener } = addGreenSide(scope, r, traffic, elbv2.ListenerAction.fixedResponse(404));
  const blue = traffic.blue;
  const weighted = (): elbv2.ListenerAction => elbv2.ListenerAction.weightedForward([
    { targetGroup: blue, weight: 100 },
    { targetGroup: green, weight: 0 },
  ]);
  const productionListenerRule = new elbv2.ApplicationListenerRule(scope, 'ProductionRule', {
    listener: traffic.listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: weighted(),
  });
  const testListenerRule = new elbv2.ApplicationListenerRule(scope, 'TestRule', {
    listener: testListener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: weighted(),
  });

  // What ECS needs to move tasks and weights, on these resources only (instead of the AWS managed
  // AmazonECSInfrastructureRolePolicyForLoadBalancers, which allows it on every load balancer).
  const role = new iam.Role(scope, 'LoadBalancerRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: 'Lets ECS move blue/green traffic between the target groups of this service',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
    resources: [blue.targetGroupArn, green.targetGroupArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: [traffic.listener.listenerArn, testListener.listenerArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyRule'],
    resources: [productionListenerRule.listenerRuleArn, testListenerRule.listenerRuleArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
    resources: ['*'],
  }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Elastic Load Balancing authorizes its Describe* actions on * only; every action that changes something is scoped to this service\'s target groups, listeners and rules.',
  });

  traffic.service.loadBalancerTarget({
    containerName: r.props.serviceName,
    containerPort: r.containerPort,
    alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: green,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionListenerRule),
      testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testListenerRule),
      role,
    }),
  }).attachToApplicationTargetGroup(blue);
  // The service names the role, not its policy: without this CloudFormation may create the service
  // (ECS checks the listeners with the role then) before the policy, and delete the policy first.
  traffic.service.node.addDependency(role);
  return { greenTargetGroup: green, testListener, productionListenerRule, testListenerRule };
}

/** What every blue/green strategy needs: a load balancer and a test port of its own. */
export function validateBlueGreen(scope: Construct, r: ResolvedProps, strategy: DeploymentStrategy): ResolvedLoadBalancer {
  const name = strategy._describe();
  if (!r.loadBalancer) {
    fail(scope, `deploymentStrategy ${name} moves traffic between two target groups of a load balancer, but loadBalancerType is NONE: choose LoadBalancerType.PUBLIC or INTERNAL, or DeploymentStrategy.rolling()`);
  }
  const testPort = strategy.testListenerPort!;
  checkPort(scope, 'deploymentStrategy testListenerPort', testPort);
  if (testPort === r.loadBalancer.listenerPort) {
    const free = [8080, 9000, 8443].filter(p => p !== testPort).slice(0, 2);
    fail(scope, `deploymentStrategy testListenerPort (${testPort}) is also the production listenerPort: choose another test port, such as ${free.join(' or ')}`);
  }
  if (r.loadBalancer.redirect && testPort === 80) {
    fail(scope, 'deploymentStrategy testListenerPort (80) is taken by the HTTP to HTTPS redirect: choose another test port, or set redirectHttp to false');
  }
  return r.loadBalancer;
}

/** ECS-native blue/green, canary and linear: bake time and step sizes ECS accepts. */
export function validateEcsBlueGreen(scope: Construct, r: ResolvedProps, strategy: DeploymentStrategy): void {
  validateBlueGreen(scope, r, strategy);
  checkWholeMinutes(scope, 'deploymentStrategy bakeTime', strategy.bakeTime, 0, 1440);
  if (strategy.stepPercent === undefined || Token.isUnresolved(strategy.stepPercent)) {
    return;
  }
  const linear = strategy._ecsStrategy === ecs.DeploymentStrategy.LINEAR;
  const [prop, min] = linear ? ['stepPercent', 3] : ['canaryPercent', 0.1];
  const p = strategy.stepPercent;
  if (p < min || p > 100 || Math.abs(p * 10 - Math.round(p * 10)) > 1e-9) {
    fail(scope, `deploymentStrategy ${prop} (${p}) must be from ${min} to 100 in steps of 0.1`);
  }
  checkWholeMinutes(scope, `deploymentStrategy ${linear ? 'stepInterval' : 'canaryInterval'}`, strategy.stepInterval, 0, 1440);
}
