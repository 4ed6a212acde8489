import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BlueGreenResources } from './blue-green';
import { addDomainRecords, domainCertificate, validateDomain } from './domain';
import { MicroServiceProps } from './props';
import { ResolvedLoadBalancer, ResolvedProps } from './resolve';
import { HTTP_CODES_FIX, httpCodesProblem } from '../private/http-codes';
import { secureBucket } from '../private/secure-bucket';
import { claimName, envKey } from '../private/unique-names';
import { checkElbName, checkGrammar, checkPort, checkRange, checkSeconds, fail } from '../private/validation';

/** What a MicroService with a load balancer gets. */
export interface LoadBalancing extends BlueGreenResources {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogsBucket?: s3.IBucket;
  readonly url: string;
}

/** How a listener of this service serves: protocol, certificate and TLS policy. */
export interface ListenerOptions {
  readonly protocol: elbv2.ApplicationProtocol;
  readonly certificates?: acm.ICertificate[];
  readonly sslPolicy?: elbv2.SslPolicy;
}

/** Props that only mean something with a load balancer. */
const LOAD_BALANCER_ONLY = ['loadBalancerName', 'protocol', 'certificate', 'sslPolicy', 'listenerPort', 'accessLogsBucket', 'targetHealthCheck', 'healthCheckGracePeriod'] as const;

/**
 * The Application Load Balancer in front of the service: access logs, target group, listener with
 * TLS, the strategy's blue/green resources, the HTTP redirect, ingress and the URL. Without a load
 * balancer (`LoadBalancerType.NONE`) it only checks that no load-balancer prop was set.
 */
export function addLoadBalancer(scope: Construct, r: ResolvedProps, service: ecs.BaseService): LoadBalancing | undefined {
  const lb = r.loadBalancer;
  validateDomain(scope, r);
  if (!lb) {
    checkNoLoadBalancerProps(scope, r.props);
    return undefined;
  }
  validateLoadBalancer(scope, r, lb);
  const { props, strategy } = r;
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc: props.infra.vpc,
    internetFacing: lb.internetFacing,
    loadBalancerName: props.loadBalancerName,
    vpcSubnets: { subnetType: lb.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
    dropInvalidHeaderFields: true,
    desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
  });
  const accessLogsBucket = lb.accessLogs ? props.accessLogsBucket ?? createAccessLogsBucket(scope, r) : undefined;
  if (accessLogsBucket) {
    loadBalancer.logAccessLogs(accessLogsBucket, props.serviceName);
  }

  const targetGroup = addTargetGroup(scope, 'TargetGroup', r, lb);
  if (!strategy._routesByListenerRules) {
    targetGroup.addTarget(service);
  }
  const certificate = domainCertificate(scope, r, lb);
  const listenerOptions: ListenerOptions = {
    protocol: lb.protocol,
    certificates: certificate ? [certificate] : undefined,
    sslPolicy: lb.sslPolicy,
  };
  const listener = loadBalancer.addListener('Listener', {
    port: lb.listenerPort,
    ...listenerOptions,
    // With ECS-native blue/green, ECS moves traffic by changing the weights of a listener rule, so the rule carries it all.
    defaultAction: strategy._routesByListenerRules ? elbv2.ListenerAction.fixedResponse(404) : undefined,
    defaultTargetGroups: strategy._routesByListenerRules ? undefined : [targetGroup],
    open: lb.internetFacing,
  });
  const blueGreen = strategy._attachTraffic(scope, r, { loadBalancer, blue: targetGroup, listener, listenerOptions, service });
  if (lb.redirect) {
    loadBalancer.addRedirect({ sourcePort: 80, targetPort: lb.listenerPort, open: lb.internetFacing });
  }
  allowIngress(scope, r, lb, loadBalancer);
  addDomainRecords(scope, r, loadBalancer);

  const defaultPort = lb.https ? 443 : 80;
  const host = props.domainName ?? loadBalancer.loadBalancerDnsName;
  const url = `${lb.https ? 'https' : 'http'}://${host}${lb.listenerPort === defaultPort ? '' : `:${lb.listenerPort}`}`;
  return { loadBalancer, listener, targetGroup, accessLogsBucket, url, ...blueGreen };
}

/** A target group of the service's tasks (by IP, as awsvpc tasks have their own). */
export function addTargetGroup(scope: Construct, id: string, r: ResolvedProps, lb: ResolvedLoadBalancer): elbv2.ApplicationTargetGroup {
  return new elbv2.ApplicationTargetGroup(scope, id, {
    vpc: r.props.infra.vpc,
    port: r.containerPort,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    healthCheck: lb.healthCheck,
    deregistrationDelay: r.deregistrationDelay,
  });
}

function allowIngress(scope: Construct, r: ResolvedProps, lb: ResolvedLoadBalancer, loadBalancer: elbv2.ApplicationLoadBalancer): void {
  if (lb.internetFacing) {
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'An internet-facing load balancer accepts traffic from any address on its listener ports only; the tasks behind it accept traffic from the load balancer only.',
    });
    if (!lb.https) {
      Annotations.of(scope).addWarningV2('cdk-ecs-devops:publicHttp',
        `the public load balancer of '${r.props.serviceName}' listens on plain HTTP: pass a certificate to serve HTTPS`);
    }
    return;
  }
  // An internal load balancer serves the whole VPC (other services, the load tester).
  const vpcPeer = ec2.Peer.ipv4(r.props.infra.vpc.vpcCidrBlock);
  loadBalancer.connections.allowFrom(vpcPeer, ec2.Port.tcp(lb.listenerPort), 'Listener, from the VPC');
  Validations.of(loadBalancer).acknowledge({
    id: 'AwsSolutions-EC23',
    reason: 'Ingress is from the VPC CIDR only; when the VPC comes from another stack the CIDR is an import cdk-nag cannot evaluate.',
  });
  if (lb.redirect) {
    loadBalancer.connections.allowFrom(vpcPeer, ec2.Port.tcp(80), 'HTTP redirect, from the VPC');
  }
}

function createAccessLogsBucket(scope: Construct, r: ResolvedProps): s3.IBucket {
  // ALB access logs support only SSE-S3; versioning keeps a log that was overwritten or deleted recoverable for 30 days.
  return secureBucket(scope, 'AccessLogs', {
    removalPolicy: r.removalPolicy,
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
    noAccessLogsReason: 'This bucket receives the load balancer\'s access logs; logging access to the log bucket itself would only log the log writes.',
  });
}

function checkNoLoadBalancerProps(scope: Construct, props: MicroServiceProps): void {
  for (const prop of LOAD_BALANCER_ONLY) {
    if (props[prop] !== undefined) {
      fail(scope, `${prop} is set but loadBalancerType is NONE: remove ${prop}, or choose LoadBalancerType.PUBLIC or INTERNAL`);
    }
  }
}

function validateLoadBalancer(scope: Construct, r: ResolvedProps, lb: ResolvedLoadBalancer): void {
  const props = r.props;
  checkPort(scope, 'listenerPort', lb.listenerPort);
  checkElbName(scope, 'loadBalancerName', props.loadBalancerName);
  if (props.loadBalancerName !== undefined) {
    const env = envKey(scope);
    claimName(scope, {
      kind: 'load balancer name',
      within: env.key,
      withinText: env.text,
      prop: 'loadBalancerName',
      value: props.loadBalancerName,
      fix: 'give each load balancer of an account and region its own name, or leave loadBalancerName unset to let CloudFormation generate one',
    });
  }
  if (lb.https && !props.certificate && props.domainName === undefined) {
    fail(scope, 'protocol is HTTPS but no certificate was given: pass an ACM certificate (certificate prop) or a domainName and hostedZone to create one, or use protocol HTTP');
  }
  if (!lb.https && props.certificate) {
    fail(scope, 'a certificate was given but protocol is HTTP: remove protocol to serve HTTPS with it, or remove the certificate');
  }
  if (!lb.https && props.sslPolicy !== undefined) {
    fail(scope, 'sslPolicy only applies to HTTPS listeners: pass a certificate, or remove sslPolicy');
  }
  if (lb.redirect && lb.listenerPort === 80) {
    fail(scope, 'listenerPort is 80 for HTTPS while redirectHttp needs port 80 for the redirect: use listenerPort 443, or set redirectHttp to false');
  }
  if (lb.accessLogs && Token.isUnresolved(Stack.of(scope).region)) {
    fail(scope, 'accessLogs needs the stack\'s region, because the log bucket\'s policy names the region\'s Elastic Load Balancing account: set env: { region } on the stack (no account needed), or set accessLogs to false');
  }
  if (!lb.accessLogs && props.accessLogsBucket) {
    fail(scope, 'accessLogsBucket is set but accessLogs is false: remove one of them');
  }
  if (props.accessLogsBucket) {
    checkAccessLogsEncryption(scope, props.accessLogsBucket);
  }
  checkTwoZones(scope, props.infra.vpc, lb);
  validateHealthCheck(scope, lb.healthCheck);
  checkSeconds(scope, 'longestRequest', props.longestRequest, 0, 3600);
  checkSeconds(scope, 'deregistrationDelay', r.deregistrationDelay, 0, 3600);
  checkSeconds(scope, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2147483647);
}

/**
 * "The only server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)"
 * ("Enable access logs for your Application Load Balancer", bucket requirements,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 * Known at synth for a bucket with a KMS key and for a bucket of this app; an imported bucket's
 * encryption is not.
 */
function checkAccessLogsEncryption(scope: Construct, bucket: s3.IBucket): void {
  const cfn = bucket.node.defaultChild;
  const encryption = cfn instanceof s3.CfnBucket ? Stack.of(cfn).resolve(cfn.bucketEncryption) : undefined;
  const algorithms: unknown[] = (encryption?.serverSideEncryptionConfiguration ?? [])
    .map((rule: any) => rule?.serverSideEncryptionByDefault?.sseAlgorithm);
  const kms = algorithms.find(a => typeof a === 'string' && a.startsWith('aws:kms')) ?? (bucket.encryptionKey ? 'aws:kms' : undefined);
  if (kms) {
    fail(scope, `accessLogsBucket (${bucket.node.path}) is encrypted with ${kms}, but Elastic Load Balancing writes access logs only to buckets encrypted with SSE-S3: use a bucket with encryption: s3.BucketEncryption.S3_MANAGED, or remove accessLogsBucket to let the service create one`);
  }
}

/**
 * An Application Load Balancer needs subnets in at least two Availability Zones ("Application
 * Load Balancers", Availability Zones,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html).
 * Zones that are tokens (a region-only stack) count by their distinct expressions.
 */
function checkTwoZones(scope: Construct, vpc: ec2.IVpc, lb: ResolvedLoadBalancer): void {
  const subnetType = lb.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS;
  const zones = new Set(vpc.selectSubnets({ subnetType }).subnets.map(s => s.availabilityZone));
  if (zones.size === 1) {
    fail(scope, `loadBalancerType ${lb.internetFacing ? 'PUBLIC' : 'INTERNAL'} puts an Application Load Balancer in the VPC's ${lb.internetFacing ? 'public' : 'private'} subnets, which span 1 Availability Zone, but it needs two: create the BaseInfra with maxAzs 2 or more, or use LoadBalancerType.NONE`);
  }
}

function validateHealthCheck(scope: Construct, hc: elbv2.HealthCheck): void {
  checkGrammar(scope, 'targetHealthCheck.healthyHttpCodes', hc.healthyHttpCodes, httpCodesProblem, HTTP_CODES_FIX);
  if (hc.path !== undefined && !Token.isUnresolved(hc.path) && (!hc.path.startsWith('/') || hc.path.length > 1024)) {
    fail(scope, `targetHealthCheck.path ('${hc.path}') must start with '/' and be at most 1024 characters, for example '/health'`);
  }
  checkSeconds(scope, 'targetHealthCheck.interval', hc.interval, 5, 300);
  checkSeconds(scope, 'targetHealthCheck.timeout', hc.timeout, 2, 120);
  checkRange(scope, 'targetHealthCheck.healthyThresholdCount', hc.healthyThresholdCount, 2, 10);
  checkRange(scope, 'targetHealthCheck.unhealthyThresholdCount', hc.unhealthyThresholdCount, 2, 10);
  if (hc.interval && hc.timeout && !hc.interval.isUnresolved() && !hc.timeout.isUnresolved()
    && hc.timeout.toSeconds() >= hc.interval.toSeconds()) {
    fail(scope, `targetHealthCheck.timeout (${hc.timeout.toSeconds()} s) must be shorter than targetHealthCheck.interval (${hc.interval.toSeconds()} s)`);
  }
}
