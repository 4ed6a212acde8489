import { Annotations, App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BaseInfra, IBaseInfra, LoadBalancerType, MicroService, ServiceImage } from '../../src';

/**
 * The sample system of seed 000: a shared base layer, a backend behind an internal load balancer
 * and a frontend behind a public one that calls the backend through its Cloud Map name.
 */
export interface SampleAppOptions {
  /** Region of every stack; ALB access logs need it at synth. */
  readonly region: string;
  /** Prefix of the stack names. */
  readonly prefix?: string;
}

class InfraStack extends Stack {
  public readonly infra: BaseInfra;
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    // One NAT gateway: the sample favours cost over egress surviving an AZ outage.
    this.infra = new BaseInfra(this, 'BaseInfra', { natGateways: 1 });
  }
}

interface ServiceStackProps extends StackProps {
  readonly infra: IBaseInfra;
}

class BackendStack extends Stack {
  public readonly service: MicroService;
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    this.service = new MicroService(this, 'Backend', {
      infra: props.infra,
      serviceName: 'backend',
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
      containerPort: 80,
      loadBalancerType: LoadBalancerType.INTERNAL,
      autoScaling: { minCapacity: 2, maxCapacity: 4, targetCpuUtilizationPercent: 60 },
    });
  }
}

interface FrontendStackProps extends ServiceStackProps {
  readonly backend: MicroService;
}

class FrontendStack extends Stack {
  public readonly service: MicroService;
  constructor(scope: Construct, id: string, props: FrontendStackProps) {
    super(scope, id, props);
    this.service = new MicroService(this, 'Frontend', {
      infra: props.infra,
      serviceName: 'frontend',
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
      containerPort: 80,
      loadBalancerType: LoadBalancerType.PUBLIC,
      environment: { BACKEND_URL: props.backend.serviceDiscoveryUrl },
    });
    // Opened from the caller's side, so the rule lives in this stack and the backend stack stays independent of it.
    this.service.connections.allowToDefaultPort(props.backend, 'Frontend calls the backend through Cloud Map');
    for (const sg of this.service.connections.securityGroups) {
      Annotations.of(sg).acknowledgeWarning('@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
        'Tasks may open any outbound connection (image pulls, AWS APIs), so the egress half of the rule is already covered.');
    }
    Annotations.of(this.service).acknowledgeWarning('cdk-ecs-devops:publicHttp',
      'The sample deploys into accounts without a domain or ACM certificate; pass certificate to serve HTTPS.');
  }
}

export function buildSampleApp(app: App, options: SampleAppOptions): void {
  const prefix = options.prefix ?? 'EcsDevops';
  const env = { region: options.region };
  const { infra } = new InfraStack(app, `${prefix}-Infra`, { env });
  const backend = new BackendStack(app, `${prefix}-Backend`, { env, infra });
  new FrontendStack(app, `${prefix}-Frontend`, { env, infra, backend: backend.service });
}
