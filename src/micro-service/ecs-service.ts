import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { ResolvedProps } from './resolve';
import { ServiceTask } from './task';
import { enableDeploymentAlarms } from '../private/deployment-alarm-override';
import { claimName } from '../private/unique-names';
import { checkDnsLabel, checkRange, checkSeconds } from '../private/validation';

/**
 * The ECS service on the resolved capacity, registered in Cloud Map, with the deployment strategy's
 * settings, deployment alarms (names added later) and, if asked, Service Connect.
 */
export function addService(scope: Construct, r: ResolvedProps, task: ServiceTask, logGroup: logs.ILogGroup, alarmNames: string[]): ecs.BaseService {
  const { props, strategy } = r;
  checkDnsLabel(scope, 'serviceName', props.serviceName);
  // Identical for every reference to one namespace: a token of the created namespace, or the imported ID.
  const namespaceId = props.infra.namespace.namespaceId;
  claimName(scope, {
    kind: 'Cloud Map service name',
    within: namespaceId,
    withinText: `in namespace '${props.infra.namespace.namespaceName}'`,
    prop: 'serviceName',
    value: props.serviceName,
    fix: 'give each service of a namespace its own serviceName, or run the second one on another BaseInfra (namespaceName)',
  });
  checkRange(scope, 'desiredCount', props.desiredCount, 0, 5000);
  checkSeconds(scope, 'startupTime', props.startupTime, 0, 3600);
  strategy._validate(scope, r);

  const service = r.capacity._createService(scope, 'Service', {
    cluster: props.infra.cluster,
    taskDefinition: task.taskDefinition,
    desiredCount: r.desiredCount,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    assignPublicIp: false,
    ...strategy._serviceOptions(task.imageParameter !== undefined),
    healthCheckGracePeriod: r.loadBalancer?.healthCheckGracePeriod,
    cloudMapOptions: {
      name: props.serviceName,
      cloudMapNamespace: props.infra.namespace,
      dnsRecordType: servicediscovery.DnsRecordType.A,
      // Short TTL: clients notice replaced tasks within seconds of a deployment.
      dnsTtl: Duration.seconds(10),
    },
    enableECSManagedTags: true,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
  });
  strategy._configureService(service, task);
  enableDeploymentAlarms(service, alarmNames);
  if (props.serviceConnect) {
    enableServiceConnect(service, r, logGroup);
  }
  return service;
}

function enableServiceConnect(service: ecs.BaseService, r: ResolvedProps, logGroup: logs.ILogGroup): void {
  const { serviceName, infra } = r.props;
  service.enableServiceConnect({
    namespace: infra.namespace.namespaceArn,
    services: [{
      portMappingName: 'http',
      // Cloud Map already has `<serviceName>` for DNS discovery; Service Connect needs its own entry.
      discoveryName: `${serviceName}-sc`,
      dnsName: serviceName,
      port: r.containerPort,
    }],
    logDriver: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: `${serviceName}-proxy` }),
  });
}
