import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { build, create, IMAGE } from './builder';
import { MicroService } from '../../src';
import { importedInfra, newStack } from '../util';

describe('a MicroService with defaults', () => {
  const { stack, service } = build();

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

  test('metrics carry the load balancer, target group, cluster and service dimensions', () => {
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

describe('a MicroService', () => {
  test('removal policy DESTROY applies to every stateful resource', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    for (const type of ['AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket']) {
      template.hasResource(type, { DeletionPolicy: 'Delete' });
    }
  });

  test('grants go to the task role', () => {
    const stack = newStack();
    const service = create({}, stack);
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
});
