import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { build, certificate, create, IMAGE, serviceProperties } from './builder';
import { BaseInfra, LoadBalancerType, MicroService } from '../../src';
import { importedInfra, newStack } from '../util';

describe('the load balancer of a service with defaults', () => {
  const { service, template } = build();

  test('puts an internal ALB in front, open to the VPC only, with hardened HTTP parsing', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: ['subnet-priv1', 'subnet-priv2'],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'defensive' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'orders' },
      ]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'Listener, from the VPC' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('TargetGroup') } }],
    });
    expect(service.url).toMatch(/^http:\/\/\$\{Token/);
  });

  test('tunes the target group so a rolling batch waits at most 30 seconds once its tasks run', () => {
    const tg = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0].Properties;
    expect(tg).toMatchObject({
      TargetType: 'ip',
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/',
      HealthCheckTimeoutSeconds: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-399' },
    });
    const delay = Number(tg.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
    // A newly registered target is healthy after one passing check (the threshold counts for recovering targets).
    const floor = tg.HealthCheckIntervalSeconds + delay;
    expect(floor).toBe(30);
  });

  test('lets only the load balancer reach the tasks, on the container port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersLoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });

  test('writes access logs to an encrypted, SSL-only, versioned, retained bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('load balancers', () => {
  test('public HTTPS with a modern TLS policy and an HTTP redirect', () => {
    const stack = newStack();
    const service = new MicroService(stack, 'Web', {
      infra: importedInfra(stack), serviceName: 'web', image: IMAGE, loadBalancerType: LoadBalancerType.PUBLIC, certificate: certificate(stack),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Subnets: ['subnet-pub1', 'subnet-pub2'] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 }),
      ]),
    });
    expect(service.url).toMatch(/^https:\/\//);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain HTTP'));
  });

  test('a public HTTP load balancer warns about missing TLS', () => {
    const { stack } = build({ loadBalancerType: LoadBalancerType.PUBLIC });
    Annotations.fromStack(stack).hasWarning('/Test/Orders', Match.stringLikeRegexp("the public load balancer of 'orders' listens on plain HTTP"));
  });

  test('an internal HTTPS load balancer on a custom port opens both ports to the VPC', () => {
    const stack = newStack();
    const { service, template } = build({ certificate: certificate(stack), listenerPort: 8443, sslPolicy: elbv2.SslPolicy.TLS13_RES }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 8443 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 }),
      ],
    });
    expect(service.url).toMatch(/:8443$/);
  });

  test('no load balancer: reachable only through Cloud Map', () => {
    const { service, template } = build({ loadBalancerType: LoadBalancerType.NONE });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::ServiceDiscovery::Service', 1);
    expect(service.url).toBeUndefined();
    expect(() => service.metricRequestCount()).toThrow(/metricRequestCount\(\) needs a load balancer, but loadBalancerType is NONE/);
    expect(serviceProperties(template).HealthCheckGracePeriodSeconds).toBeUndefined();
  });

  test('access logs can go to a shared bucket, or be turned off', () => {
    const stack = newStack();
    const infra = importedInfra(stack);
    const shared = new s3.Bucket(stack, 'Shared');
    const a = new MicroService(stack, 'A', { infra, serviceName: 'a', image: IMAGE, accessLogsBucket: shared });
    const b = new MicroService(stack, 'B', { infra, serviceName: 'b', image: IMAGE, accessLogs: false });
    expect(a.accessLogsBucket).toBe(shared);
    expect(b.accessLogsBucket).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('a load balancer name is passed through', () => {
    const { template } = build({ loadBalancerName: 'orders-internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'orders-internal' });
  });

  test('a custom health check keeps defaults for unset fields', () => {
    const { template } = build({ targetHealthCheck: { path: '/health', interval: Duration.seconds(5) }, deregistrationDelay: Duration.seconds(10) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
  });
});

describe('load balancing fails when', () => {
  test('the listener port is outside 1-65535', () => {
    expect(() => create({ listenerPort: 65536 })).toThrow(/listenerPort \(65536\) must be a whole number from 1 to 65535/);
  });

  test('HTTPS is asked for without a certificate', () => {
    expect(() => create({ protocol: elbv2.ApplicationProtocol.HTTPS }))
      .toThrow(/protocol is HTTPS but no certificate was given: pass an ACM certificate/);
  });

  test('a certificate is given with protocol HTTP', () => {
    const stack = newStack();
    expect(() => create({ protocol: elbv2.ApplicationProtocol.HTTP, certificate: certificate(stack) }, stack))
      .toThrow(/a certificate was given but protocol is HTTP/);
  });

  test('an SSL policy is given for an HTTP listener', () => {
    expect(() => create({ sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS })).toThrow(/sslPolicy only applies to HTTPS listeners/);
  });

  test('an HTTPS listener on port 80 collides with the HTTP redirect', () => {
    const stack = newStack();
    expect(() => create({ certificate: certificate(stack), listenerPort: 80 }, stack)).toThrow(/listenerPort is 80 for HTTPS while redirectHttp needs port 80/);
  });

  test('the health-check path has no leading slash', () => {
    expect(() => create({ targetHealthCheck: { path: 'health' } }))
      .toThrow(/targetHealthCheck.path \('health'\) must start with '\/'/);
  });

  test('the health-check interval, timeout or thresholds are out of range', () => {
    expect(() => create({ targetHealthCheck: { interval: Duration.seconds(400) } })).toThrow(/targetHealthCheck.interval \(400 s\) must be from 5 to 300 seconds/);
    expect(() => create({ targetHealthCheck: { timeout: Duration.seconds(1) } })).toThrow(/targetHealthCheck.timeout \(1 s\) must be from 2 to 120 seconds/);
    expect(() => create({ targetHealthCheck: { healthyThresholdCount: 1 } })).toThrow(/targetHealthCheck.healthyThresholdCount \(1\) must be a whole number from 2 to 10/);
    expect(() => create({ targetHealthCheck: { unhealthyThresholdCount: 11 } })).toThrow(/targetHealthCheck.unhealthyThresholdCount \(11\)/);
  });

  test('the health-check timeout is not shorter than the interval', () => {
    expect(() => create({ targetHealthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }))
      .toThrow(/targetHealthCheck.timeout \(10 s\) must be shorter than targetHealthCheck.interval \(10 s\)/);
  });

  test('the deregistration delay is out of range', () => {
    expect(() => create({ deregistrationDelay: Duration.hours(2) })).toThrow(/deregistrationDelay \(7200 s\) must be from 0 to 3600 seconds/);
  });

  test('the load balancer name breaks ELB naming rules', () => {
    expect(() => create({ loadBalancerName: 'orders-load-balancer-for-production' })).toThrow(/loadBalancerName \('orders-load-balancer-for-production'\) must be 1-32 letters, digits and hyphens/);
    expect(() => create({ loadBalancerName: 'internal-orders' })).toThrow(/nor start with 'internal-'/);
    expect(() => create({ loadBalancerName: 'orders_lb' })).toThrow(/loadBalancerName \('orders_lb'\)/);
  });

  test('load-balancer props are given without a load balancer', () => {
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, listenerPort: 8080 })).toThrow(/listenerPort is set but loadBalancerType is NONE/);
    expect(() => create({ loadBalancerType: LoadBalancerType.NONE, targetHealthCheck: { path: '/health' } })).toThrow(/targetHealthCheck is set but loadBalancerType is NONE/);
  });

  test('access logs are on but the stack has no region', () => {
    const stack = new Stack(new App(), 'NoRegion');
    expect(() => create({}, stack)).toThrow(/accessLogs needs the stack's region.*set env: \{ region \}/);
  });

  test('a shared access-log bucket is given with access logs off', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => create({ accessLogs: false, accessLogsBucket: bucket }, stack)).toThrow(/accessLogsBucket is set but accessLogs is false/);
  });
});

describe('load balancing fails when settings do not fit together', () => {
  test('the health-check success codes are not codes ALB reads', () => {
    expect(() => create({ targetHealthCheck: { healthyHttpCodes: '2xx' } }))
      .toThrow("Test/Orders: targetHealthCheck.healthyHttpCodes ('2xx') has '2xx', which is not a three-digit code or a range of them (ALB does not read patterns such as 2xx): use codes from 200 to 499, such as '200', '200,204' or '200-399'");
    expect(() => create({ targetHealthCheck: { healthyHttpCodes: '200,502' } })).toThrow(/healthyHttpCodes \('200,502'\) has '502', outside 200-499/);
  });

  test('the VPC has subnets in one Availability Zone', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'OneAz', {
      vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-pub'], privateSubnetIds: ['subnet-priv'],
    });
    const infra = BaseInfra.fromBaseInfraAttributes(stack, 'Platform', { vpc, clusterName: 'c', namespaceName: 'svc.internal', namespaceId: 'ns-1', namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1' });
    expect(() => create({ infra }, stack))
      .toThrow("Test/Orders: loadBalancerType INTERNAL puts an Application Load Balancer in the VPC's private subnets, which span 1 Availability Zone, but it needs two: create the BaseInfra with maxAzs 2 or more, or use LoadBalancerType.NONE");
  });

  test('a duration CloudFormation takes in whole seconds has a fraction, before aws-cdk-lib\'s conversion fails without the prop', () => {
    expect(() => create({ longestRequest: Duration.millis(1500) })).toThrow('Test/Orders: longestRequest (1.5 s) must be a whole number of seconds');
    expect(() => create({ deregistrationDelay: Duration.millis(20250) })).toThrow(/deregistrationDelay \(20.25 s\) must be a whole number of seconds/);
    expect(() => create({ healthCheckGracePeriod: Duration.millis(90500) })).toThrow(/healthCheckGracePeriod \(90.5 s\) must be a whole number of seconds/);
  });

  test('the access-log bucket is encrypted with KMS, which ELB cannot write to', () => {
    for (const encryption of [s3.BucketEncryption.KMS_MANAGED, s3.BucketEncryption.KMS, s3.BucketEncryption.DSSE_MANAGED]) {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Logs', { encryption });
      expect(() => create({ accessLogsBucket: bucket }, stack))
        .toThrow(/Test\/Orders: accessLogsBucket \(Test\/Logs\) is encrypted with aws:kms(:dsse)?, but Elastic Load Balancing writes access logs only to buckets encrypted with SSE-S3/);
    }
  });
});

describe('load balancing accepts', () => {
  test('success codes as a list, a range and both; an SSE-S3 access-log bucket; a one-AZ VPC without a load balancer', () => {
    const { template } = build({ targetHealthCheck: { healthyHttpCodes: '200-299,301' } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Matcher: { HttpCode: '200-299,301' } });
    const stack = newStack();
    expect(() => build({ accessLogsBucket: new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED }) }, stack)).not.toThrow();
    const one = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(one, 'OneAz', {
      vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-pub'], privateSubnetIds: ['subnet-priv'],
    });
    const infra = BaseInfra.fromBaseInfraAttributes(one, 'Platform', { vpc, clusterName: 'c', namespaceName: 'svc.internal', namespaceId: 'ns-1', namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-1' });
    expect(() => build({ infra, loadBalancerType: LoadBalancerType.NONE }, one)).not.toThrow();
  });

  test('listener ports 1 and 65535, the ends of the TCP range', () => {
    for (const listenerPort of [1, 65535]) {
      const { template } = build({ listenerPort });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: listenerPort, Protocol: 'HTTP' });
    }
  });

  test('protocol HTTP stated explicitly, without a certificate or an SSL policy', () => {
    const { template } = build({ protocol: elbv2.ApplicationProtocol.HTTP });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', SslPolicy: Match.absent() });
  });

  test('HTTPS on port 80 once the HTTP redirect is off', () => {
    const stack = newStack();
    const { template } = build({ certificate: certificate(stack), listenerPort: 80, redirectHttp: false }, stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTPS' });
  });

  test('health-check settings at the ends of their ranges', () => {
    const low = build({
      targetHealthCheck: { interval: Duration.seconds(5), timeout: Duration.seconds(2), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
    });
    low.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    });
    const high = build({
      targetHealthCheck: { interval: Duration.seconds(300), timeout: Duration.seconds(120), healthyThresholdCount: 10, unhealthyThresholdCount: 10 },
    });
    high.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckIntervalSeconds: 300, HealthCheckTimeoutSeconds: 120, HealthyThresholdCount: 10, UnhealthyThresholdCount: 10,
    });
  });

  test('a health-check timeout one second under the interval', () => {
    const { template } = build({ targetHealthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(9) } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 9 });
  });

  test('deregistration delays of 0 and 3600 seconds', () => {
    for (const seconds of [0, 3600]) {
      const { template } = build({ deregistrationDelay: Duration.seconds(seconds) });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: String(seconds) }]),
      });
    }
  });

  test('a 32-character load balancer name, and one with \'internal\' after its start', () => {
    for (const loadBalancerName of ['Orders-0123456789-abcdefghijklmn', 'orders-internal']) {
      expect(loadBalancerName.length).toBeLessThanOrEqual(32);
      const { template } = build({ loadBalancerName });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: loadBalancerName });
    }
  });

  test('a stack with no region once access logs are off', () => {
    const { service, template } = build({ accessLogs: false }, new Stack(new App(), 'NoRegion'));
    expect(service.accessLogsBucket).toBeUndefined();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
  });
});
