import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { fail } from './validation';

/**
 * Gates 2 and 3 of a release as CodePipeline V2 stage conditions ("Configure conditions for a
 * stage", https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html): a
 * condition fails when one of its rules fails, and only then its result is engaged ("How do stage
 * conditions work?", https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works-conditions.html).
 */

/** At most 5 rules make up one condition (Condition, CodePipeline API Reference, https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_Condition.html). */
export const MAX_RULES_PER_CONDITION = 5;

/** A deployment window's cron expression and time zone, as the DeploymentWindow rule takes them. */
export interface WindowSpec {
  readonly cron: string;
  readonly timeZone?: string;
}

/**
 * The on-success condition of a stage that bakes: each alarm is watched for `bakeTime` after the
 * stage's actions succeeded, and the stage is rolled back if one is in ALARM. The CloudWatchAlarm
 * rule (https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html)
 * takes AlarmName, AlarmStates (the states that fail the rule) and WaitTime (minutes allowed for a
 * state change before the result is applied). The alarms are in the pipeline's account and region.
 */
export function bakeConditions(stageName: string, alarms: cloudwatch.IAlarm[], bakeTime: Duration): codepipeline.Conditions {
  return {
    conditions: [{
      result: codepipeline.Result.ROLLBACK,
      rules: alarms.map((alarm, i) => new codepipeline.Rule({
        name: `${stageName}-Bake-${i + 1}`,
        provider: 'CloudWatchAlarm',
        version: '1',
        configuration: {
          AlarmName: alarm.alarmName,
          AlarmStates: ['ALARM'],
          WaitTime: String(bakeTime.toMinutes()),
        },
      })),
    }],
  };
}

/**
 * The entry condition of a stage with a deployment window: the execution waits at the stage until
 * the time matches the cron expression in the time zone ("DeploymentWindow",
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html).
 */
export function windowConditions(stageName: string, window: WindowSpec): codepipeline.Conditions {
  return {
    conditions: [{
      result: codepipeline.Result.FAIL,
      rules: [new codepipeline.Rule({
        name: `${stageName}-Window`,
        provider: 'DeploymentWindow',
        version: '1',
        configuration: { Cron: window.cron, TimeZone: window.timeZone ?? 'UTC' },
      })],
    }],
  };
}

/**
 * What the pipeline's role needs to evaluate CloudWatchAlarm rules: the alarms' state (DescribeAlarms
 * authorizes the alarm resource type, "Actions, resources, and condition keys for Amazon CloudWatch",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
 */
export function grantReadAlarms(role: iam.IRole, alarms: cloudwatch.IAlarm[]): void {
  if (alarms.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map(a => a.alarmArn) }));
  }
}

/**
 * Fails unless the cron expression has the 6 required fields and at most the optional year, with
 * only the characters the DeploymentWindow rule allows. The fields' values are AWS's to check.
 */
export function checkWindow(scope: IConstruct, prop: string, window: WindowSpec): void {
  const { cron, timeZone } = window;
  if (!Token.isUnresolved(cron)) {
    const fields = cron.trim().split(/\s+/);
    if (fields.length < 6 || fields.length > 7 || !/^[0-9A-Za-z*?,\-/#]+$/.test(fields.join(''))) {
      fail(scope, `${prop}.cron ('${cron}') must be the DeploymentWindow rule's cron expression: 6 fields (seconds minutes hours day-of-month month day-of-week) and an optional year, such as '* * 9-16 ? * MON-FRI' for weekdays 9:00 to 17:00`);
    }
  }
  if (timeZone !== undefined && !Token.isUnresolved(timeZone) && !isTimeZone(timeZone)) {
    fail(scope, `${prop}.timeZone ('${timeZone}') is not an IANA time zone: use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'`);
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Fails unless `bakeTime` is a whole number of minutes (WaitTime is in minutes) and at least 0. */
export function checkBakeTime(scope: IConstruct, prop: string, bakeTime: Duration): void {
  if (bakeTime.isUnresolved()) {
    fail(scope, `${prop} must be known at synth: the CloudWatchAlarm rule takes it as a number of minutes`);
  }
  const minutes = bakeTime.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 0) {
    fail(scope, `${prop} (${minutes} min) must be a whole number of minutes (the CloudWatchAlarm rule's WaitTime is in minutes), or Duration.minutes(0) for no bake`);
  }
}

/** The account or region of a construct's stack, when known at synth. */
export function envOf(scope: IConstruct): { account?: string; region?: string } {
  const stack = Stack.of(scope);
  return {
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
  };
}
