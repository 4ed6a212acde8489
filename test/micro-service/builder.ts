import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BaseInfra, MicroService, MicroServiceProps, ServiceCapacity, ServiceImage } from '../../src';
import { importedInfra, newStack } from '../util';

/** The image every test service runs unless a test is about images. */
export const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine');

/** A synthesized service: the stack, the construct and its template. */
export interface Built {
  readonly stack: Stack;
  readonly service: MicroService;
  readonly template: Template;
}

/** The 'orders' service on imported infra; throws what the constructor throws, so "fails when" tests call it in `expect(() => …)`. */
export function create(props: Partial<MicroServiceProps> = {}, stack: Stack = newStack()): MicroService {
  return new MicroService(stack, 'Orders', { infra: importedInfra(stack), serviceName: 'orders', image: IMAGE, ...props });
}

/** `create` and synthesize. */
export function build(props: Partial<MicroServiceProps> = {}, stack: Stack = newStack()): Built {
  const service = create(props, stack);
  return { stack, service, template: Template.fromStack(stack) };
}

/** An ACM certificate imported by ARN. */
export function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
}

/** BaseInfra with EC2 capacity (m7i.large unless given) in the imported test VPC: the cluster and the Auto Scaling group, no VPC resources. */
export function ec2Infra(stack: Stack, instanceType?: ec2.InstanceType): BaseInfra {
  return new BaseInfra(stack, 'Platform', { vpc: importedInfra(stack).vpc, ec2Capacity: { instanceType } });
}

/** The 'web' service on the EC2 capacity of `ec2Infra`; throws what the constructor throws. */
export function createOnEc2(props: Partial<MicroServiceProps> = {}, instanceType?: ec2.InstanceType, stack: Stack = newStack()): MicroService {
  return new MicroService(stack, 'Web', { infra: ec2Infra(stack, instanceType), serviceName: 'web', image: IMAGE, capacity: ServiceCapacity.ec2(), ...props });
}

/** `createOnEc2` and synthesize. */
export function buildOnEc2(props: Partial<MicroServiceProps> = {}, instanceType?: ec2.InstanceType): Built {
  const stack = newStack();
  const service = createOnEc2(props, instanceType, stack);
  return { stack, service, template: Template.fromStack(stack) };
}

/** The properties of the template's only ECS service. */
export function serviceProperties(template: Template): Record<string, any> {
  return Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
}
