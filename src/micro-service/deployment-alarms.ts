import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { grantDescribeAlarm } from './code-deploy';
import { fail } from '../private/validation';

/**
 * Adds an alarm that rolls a deployment back: to the CodeDeploy deployment group when there is
 * one, otherwise to the names ECS watches (which must be literal, see `MicroServiceProps.deploymentAlarms`).
 */
export function addDeploymentAlarm(scope: Construct, alarm: cloudwatch.IAlarm, ecsAlarmNames: string[],
  deploymentGroup: codedeploy.EcsDeploymentGroup | undefined): void {
  const name = physicalAlarmName(alarm);
  if (deploymentGroup) {
    // CodeDeploy watches the alarms from its deployment group. An alarm of another stack is
    // referenced by its literal name: a Ref would make this stack depend on the alarm's stack,
    // which already depends on this one for the service's metrics.
    const crossStack = Stack.of(alarm) !== Stack.of(scope) && !Token.isUnresolved(name);
    const watched = crossStack ? cloudwatch.Alarm.fromAlarmName(scope, `DeploymentAlarm${scope.node.children.length}`, name) : alarm;
    deploymentGroup.addAlarm(watched);
    grantDescribeAlarm(scope, watched.alarmArn);
    return;
  }
  if (Token.isUnresolved(name)) {
    fail(scope, `deployment alarm '${alarm.node.path}' has no alarmName known at synth: set alarmName, otherwise the alarm (which watches this service) and the service would depend on each other`);
  }
  if (!ecsAlarmNames.includes(name)) {
    ecsAlarmNames.push(name);
  }
}

/** The alarm's name as written in the template: an Alarm's `alarmName` is a Ref, its physical name sits on its L1. */
function physicalAlarmName(alarm: cloudwatch.IAlarm): string {
  const physical = (alarm.node.defaultChild as { alarmName?: unknown } | undefined)?.alarmName;
  return typeof physical === 'string' ? physical : alarm.alarmName;
}
