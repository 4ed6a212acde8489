import { Lazy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * ECS rolls a deployment back when one of these alarms fires. aws-cdk-lib's `deploymentAlarms`
 * takes its names once, at construction; the L1 override lets `addDeploymentAlarms()` add more later.
 */
export function enableDeploymentAlarms(service: ecs.BaseService, alarmNames: string[]): void {
  (service.node.defaultChild as ecs.CfnService).addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
    produce: () => alarmNames.length === 0 ? undefined : { Enable: true, Rollback: true, AlarmNames: alarmNames },
  }));
}
