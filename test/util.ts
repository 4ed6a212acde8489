import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BaseInfra, IBaseInfra } from '../src';

/** A stack with a region (ALB access logs need one) and no account, as users synthesize without credentials. */
export function newStack(id = 'Test'): Stack {
  return new Stack(new App(), id, { env: { region: 'eu-west-1' } });
}

/** Imported base infrastructure: keeps service tests fast and their templates free of VPC resources. */
export function importedInfra(stack: Stack): IBaseInfra {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1234',
    vpcCidrBlock: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
    privateSubnetIds: ['subnet-priv1', 'subnet-priv2'],
  });
  return BaseInfra.fromBaseInfraAttributes(stack, 'Infra', {
    vpc,
    clusterName: 'platform',
    namespaceName: 'svc.internal',
    namespaceId: 'ns-1234',
    namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1234',
  });
}
