import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { MicroService } from '../micro-service';
import { NAME_PATTERN } from '../private/load-test-metrics';
import { fail } from '../private/validation';

/**
 * Options of a `LoadTestTarget`.
 */
export interface LoadTestTargetOptions {
  /**
   * The path requested, with an optional query string.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * The target's name: the value of the `Target` dimension of its metrics. Letters, digits, '.',
   * '_' and '-', unique within the load tester.
   *
   * @default - `<serviceName>-alb` for `loadBalancer()`, `<serviceName>-cloudmap` for `cloudMap()`
   */
  readonly name?: string;
}

/**
 * Where a LoadTester sends its requests: a MicroService, through its load balancer or its
 * Cloud Map name.
 */
export class LoadTestTarget {
  /**
   * The service's load balancer, at `service.url` + path. Needs a load balancer.
   */
  public static loadBalancer(service: MicroService, options: LoadTestTargetOptions = {}): LoadTestTarget {
    const listener = service.listener;
    const loadBalancer = service.loadBalancer;
    if (!listener || !loadBalancer || !service.url) {
      fail(service, 'LoadTestTarget.loadBalancer() needs a load balancer, but loadBalancerType is NONE: use LoadTestTarget.cloudMap(service)');
    }
    const internetFacing = (loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer).scheme === 'internet-facing';
    return new LoadTestTarget(service, options.name ?? `${service.serviceName}-alb`, service.url, options.path, tester => {
      if (internetFacing) {
        // The tasks reach a public load balancer through the NAT gateway, from its Elastic IP: no
        // security-group rule can name the tester there; the listener is open to the internet anyway.
        tester.connections.allowTo(ec2.Peer.anyIpv4(), listener.connections.defaultPort!, `Load tester to the public load balancer of ${service.serviceName}`);
      } else {
        // Rules are made from the tester's side so they live in its stack: the tester depends on
        // the service, never the other way round.
        tester.connections.allowToDefaultPort(listener, `Load tester to the load balancer of ${service.serviceName}`);
      }
    });
  }

  /**
   * The service's tasks directly, through Cloud Map: `service.serviceDiscoveryUrl` + path.
   */
  public static cloudMap(service: MicroService, options: LoadTestTargetOptions = {}): LoadTestTarget {
    return new LoadTestTarget(service, options.name ?? `${service.serviceName}-cloudmap`, service.serviceDiscoveryUrl, options.path, tester => {
      tester.connections.allowToDefaultPort(service, `Load tester to the tasks of ${service.serviceName}`);
    });
  }

  /** The service the requests go to. */
  public readonly service: MicroService;
  /** The value of the `Target` dimension of this target's metrics. */
  public readonly name: string;
  /** The URL requested. */
  public readonly url: string;

  private readonly allow: (tester: ec2.IConnectable) => void;

  private constructor(service: MicroService, name: string, baseUrl: string, path: string | undefined, allow: (tester: ec2.IConnectable) => void) {
    const p = path ?? '/';
    if (!Token.isUnresolved(name) && !NAME_PATTERN.test(name)) {
      fail(service, `load test target name ('${name}') must be 1-128 letters, digits, '.', '_' and '-', starting with a letter or digit`);
    }
    if (!Token.isUnresolved(p) && (!p.startsWith('/') || /\s/.test(p) || p.length > 2048)) {
      fail(service, `load test target path ('${p}') must start with '/', contain no whitespace and have at most 2048 characters, for example '/items'`);
    }
    this.service = service;
    this.name = name;
    this.url = `${baseUrl}${p}`;
    this.allow = allow;
  }

  /**
   * Opens the network path from the tester to this target. Called by LoadTester.
   *
   * @internal
   */
  public _allowFrom(tester: ec2.IConnectable): void {
    this.allow(tester);
  }
}
