import { Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { ResolvedLoadBalancer, ResolvedProps } from './resolve';
import { checkDnsName, fail } from '../private/validation';

/**
 * The rules of `domainName` and `hostedZone`: given together, a DNS name inside the zone. Runs
 * with or without a load balancer, so a domain on a service without one fails with the pair's
 * own message.
 */
export function validateDomain(scope: Construct, r: ResolvedProps): void {
  const { domainName, hostedZone } = r.props;
  if (domainName === undefined && hostedZone === undefined) {
    return;
  }
  if (domainName === undefined || hostedZone === undefined) {
    const [given, missing] = domainName === undefined ? ['hostedZone', 'domainName'] : ['domainName', 'hostedZone'];
    fail(scope, `${given} is set but ${missing} is not: give both (the name and the Route 53 zone it is created in, for example route53.HostedZone.fromHostedZoneAttributes()), or neither`);
  }
  if (!r.loadBalancer) {
    fail(scope, `domainName ('${domainName}') names the load balancer, but loadBalancerType is NONE: remove domainName and hostedZone, or choose LoadBalancerType.PUBLIC or INTERNAL`);
  }
  checkDnsName(scope, 'domainName', domainName);
  const zoneName = zoneNameOf(scope, hostedZone).replace(/\.$/, '');
  if (!Token.isUnresolved(domainName) && !Token.isUnresolved(zoneName)
    && domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    fail(scope, `domainName ('${domainName}') is not inside hostedZone '${zoneName}': use a name that ends with '.${zoneName}' (or the zone's name itself), or the zone that contains it`);
  }
}

/**
 * The certificate of the service's domain: `certificate` when given, otherwise one ACM validates
 * by DNS in `hostedZone` ("DNS validation", https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
 * ACM resolves the validation record publicly, so a private zone needs `certificate`.
 */
export function domainCertificate(scope: Construct, r: ResolvedProps, lb: ResolvedLoadBalancer): acm.ICertificate | undefined {
  const { domainName, hostedZone, certificate } = r.props;
  if (certificate || !lb.https || domainName === undefined || hostedZone === undefined) {
    return certificate;
  }
  if (hostedZone instanceof route53.PrivateHostedZone) {
    fail(scope, `hostedZone '${hostedZone.zoneName}' is private, and ACM validates certificates only through public DNS: pass a certificate for '${domainName}' (for example from AWS Private CA), or protocol HTTP`);
  }
  return new acm.Certificate(scope, 'Certificate', {
    domainName,
    validation: acm.CertificateValidation.fromDns(hostedZone),
  });
}

/**
 * Alias records for the load balancer in `hostedZone`: A, and AAAA when the load balancer is dualstack
 * ("Routing traffic to an ELB load balancer", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html).
 */
export function addDomainRecords(scope: Construct, r: ResolvedProps, loadBalancer: elbv2.ApplicationLoadBalancer): void {
  const { domainName, hostedZone } = r.props;
  if (domainName === undefined || hostedZone === undefined) {
    return;
  }
  const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(loadBalancer));
  new route53.ARecord(scope, 'DnsRecord', { zone: hostedZone, recordName: domainName, target });
  const ipv6 = [elbv2.IpAddressType.DUAL_STACK, elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4];
  if (loadBalancer.ipAddressType !== undefined && ipv6.includes(loadBalancer.ipAddressType)) {
    new route53.AaaaRecord(scope, 'DnsRecordIpv6', { zone: hostedZone, recordName: domainName, target });
  }
}

/** A zone imported by ID alone has no name, and aws-cdk-lib throws on reading it: say which prop and the fix. */
function zoneNameOf(scope: Construct, zone: route53.IHostedZone): string {
  try {
    return zone.zoneName;
  } catch {
    fail(scope, `hostedZone (${zone.node.path}) has no zone name (imported with HostedZone.fromHostedZoneId()), which the records and the domainName check need: import it with route53.HostedZone.fromHostedZoneAttributes({ hostedZoneId, zoneName })`);
  }
}
