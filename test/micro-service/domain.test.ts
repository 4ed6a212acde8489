import { App, PropertyInjectors, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { build, certificate, create } from './builder';
import { LoadBalancerType } from '../../src';
import { newStack } from '../util';
import { nagFindings } from '../validators';

function zone(stack: Stack, zoneName = 'example.com'): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName });
}

describe('MicroService with a custom domain', () => {
  const stack = newStack();
  const { service, template } = build({ loadBalancerType: LoadBalancerType.PUBLIC, domainName: 'orders.example.com', hostedZone: zone(stack) }, stack);

  test('creates an alias A record for the load balancer in the zone, and no AAAA for an IPv4 load balancer', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'orders.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: { DNSName: Match.anyValue(), HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersLoadBalancer'), 'CanonicalHostedZoneID'] } },
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 0);
  });

  test('creates a certificate for the name, validated by DNS in the zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'orders.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'orders.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
  });

  test('serves HTTPS on 443 with the certificate and redirects HTTP', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('OrdersCertificate') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
  });

  test('has https://<domainName> as its url', () => {
    expect(service.url).toBe('https://orders.example.com');
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack.node.root as App)).toEqual([]);
  });
});

describe('MicroService with a custom domain and', () => {
  test('a certificate of its own uses it and creates none', () => {
    const stack = newStack();
    const { template } = build({ domainName: 'orders.example.com', hostedZone: zone(stack), certificate: certificate(stack) }, stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }],
    });
  });

  test('protocol HTTP serves the name over HTTP without a certificate', () => {
    const stack = newStack();
    const { service, template } = build({ domainName: 'orders.example.com', hostedZone: zone(stack), protocol: elbv2.ApplicationProtocol.HTTP }, stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(service.url).toBe('http://orders.example.com');
  });

  test('a listener port other than 443 keeps the port in the url', () => {
    const stack = newStack();
    const { service } = build({ domainName: 'orders.example.com', hostedZone: zone(stack), listenerPort: 8443 }, stack);
    expect(service.url).toBe('https://orders.example.com:8443');
  });
});

describe('MicroService without a custom domain', () => {
  test('creates no record and no certificate, and its url is the load balancer\'s name', () => {
    const { service, template } = build();
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(service.url).toMatch(/^http:\/\/\$\{Token/);
  });
});

describe('MicroService custom domain fails when', () => {
  test('domainName is given without hostedZone', () => {
    expect(() => create({ domainName: 'orders.example.com' }))
      .toThrow('Test/Orders: domainName is set but hostedZone is not: give both (the name and the Route 53 zone it is created in, for example route53.HostedZone.fromHostedZoneAttributes()), or neither');
  });

  test('hostedZone is given without domainName', () => {
    const stack = newStack();
    expect(() => create({ hostedZone: zone(stack) }, stack)).toThrow(/Test\/Orders: hostedZone is set but domainName is not/);
  });

  test('domainName is not inside the zone', () => {
    const stack = newStack();
    expect(() => create({ domainName: 'orders.example.org', hostedZone: zone(stack) }, stack))
      .toThrow("Test/Orders: domainName ('orders.example.org') is not inside hostedZone 'example.com': use a name that ends with '.example.com' (or the zone's name itself), or the zone that contains it");
    const other = newStack();
    expect(() => create({ domainName: 'badexample.com', hostedZone: zone(other) }, other)).toThrow(/is not inside hostedZone 'example.com'/);
  });

  test('the service has no load balancer', () => {
    const stack = newStack();
    expect(() => create({ domainName: 'orders.example.com', hostedZone: zone(stack), loadBalancerType: LoadBalancerType.NONE }, stack))
      .toThrow("Test/Orders: domainName ('orders.example.com') names the load balancer, but loadBalancerType is NONE: remove domainName and hostedZone, or choose LoadBalancerType.PUBLIC or INTERNAL");
  });

  test('domainName is not a DNS name', () => {
    for (const name of ['Orders.example.com', 'orders_api.example.com', 'orders..example.com', '-orders.example.com']) {
      const stack = newStack();
      expect(() => create({ domainName: name, hostedZone: zone(stack) }, stack)).toThrow(/domainName \('.*'\) must be a DNS name/);
    }
  });

  test('the zone was imported by ID alone, without its name', () => {
    const stack = newStack();
    const byId = route53.HostedZone.fromHostedZoneId(stack, 'ById', 'Z0123456789ABCDEFGHIJ');
    expect(() => create({ domainName: 'orders.example.com', hostedZone: byId }, stack))
      .toThrow('Test/Orders: hostedZone (Test/ById) has no zone name (imported with HostedZone.fromHostedZoneId()), which the records and the domainName check need: import it with route53.HostedZone.fromHostedZoneAttributes({ hostedZoneId, zoneName })');
  });

  test('a private zone would have to validate the created certificate', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'ZoneVpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'] });
    const privateZone = new route53.PrivateHostedZone(stack, 'Private', { zoneName: 'corp.internal', vpc });
    expect(() => create({ domainName: 'orders.corp.internal', hostedZone: privateZone }, stack))
      .toThrow(/hostedZone 'corp.internal' is private, and ACM validates certificates only through public DNS: pass a certificate/);
  });
});

describe('MicroService custom domain accepts', () => {
  test('a private zone with an INTERNAL load balancer and a certificate of its own', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'ZoneVpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'] });
    const privateZone = new route53.PrivateHostedZone(stack, 'Private', { zoneName: 'corp.internal', vpc });
    const { service, template } = build({
      loadBalancerType: LoadBalancerType.INTERNAL, domainName: 'orders.corp.internal', hostedZone: privateZone, certificate: certificate(stack),
    }, stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'orders.corp.internal.', Type: 'A', HostedZoneId: { Ref: Match.stringLikeRegexp('Private') } });
    expect(service.url).toBe('https://orders.corp.internal');
  });

  test('a dualstack load balancer (set by a property injector) gets an AAAA alias as well', () => {
    const stack = newStack();
    PropertyInjectors.of(stack).add({
      constructUniqueId: elbv2.ApplicationLoadBalancer.PROPERTY_INJECTION_ID,
      inject: (props: elbv2.ApplicationLoadBalancerProps) => ({ ...props, ipAddressType: elbv2.IpAddressType.DUAL_STACK }),
    });
    const { template } = build({ loadBalancerType: LoadBalancerType.PUBLIC, domainName: 'orders.example.com', hostedZone: zone(stack) }, stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'orders.example.com.', Type: 'AAAA', AliasTarget: Match.anyValue() });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'orders.example.com.', Type: 'A' });
  });

  test('the zone\'s own name, and a zone name with a trailing dot', () => {
    const stack = newStack();
    expect(() => create({ domainName: 'example.com', hostedZone: zone(stack, 'example.com.') }, stack)).not.toThrow();
  });
});
