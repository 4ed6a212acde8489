import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as events from 'aws-cdk-lib/aws-events';
import { checkSchedule, parseSchedule } from '../../src/private/schedule-expression';

const EB = 'eventbridge';
const AAS = 'application-auto-scaling';

describe('schedule expressions', () => {
  test.each([
    ['rate(1 minute)', 60],
    ['rate(5 minutes)', 300],
    ['rate(1 hour)', 3600],
    ['rate(2 days)', 172_800],
  ])('accepts %s as a rate of %d s', (expression, seconds) => {
    expect(parseSchedule(expression, EB)).toEqual({ kind: 'rate', rateSeconds: seconds });
    expect(parseSchedule(expression, AAS)).toEqual({ kind: 'rate', rateSeconds: seconds });
  });

  test.each([
    'cron(0 8 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(*/5 * * * ? *)',
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? 2030)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 L-3 * ? *)',
    'cron(0 9 15W * ? *)',
    'cron(0 9 31W * ? *)',
    'cron(0 9 ? * 6L *)',
    'cron(0 9 ? * FRIL *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 9 ? * MON#3 *)',
    'cron(0,30 8-17 ? JAN-DEC SUN,SAT 1970-2199)',
    'cron(59 23 31 12 ? 2199)',
  ])('accepts %s in both grammars', expression => {
    expect(parseSchedule(expression, EB)).toEqual({ kind: 'cron' });
    expect(parseSchedule(expression, AAS)).toEqual({ kind: 'cron' });
  });

  test('accepts what aws-cdk-lib\'s Schedule factories write', () => {
    for (const s of [events.Schedule.rate(Duration.minutes(1)), events.Schedule.rate(Duration.days(3)), events.Schedule.cron({ minute: '0', hour: '4' })]) {
      expect(() => parseSchedule(s.expressionString, EB)).not.toThrow();
    }
    for (const s of [appscaling.Schedule.rate(Duration.hours(1)), appscaling.Schedule.cron({ hour: '8', minute: '0' }), appscaling.Schedule.at(new Date(Date.UTC(2030, 0, 31, 8)))]) {
      expect(() => parseSchedule(s.expressionString, AAS)).not.toThrow();
    }
  });

  test('accepts at() for Application Auto Scaling only', () => {
    expect(parseSchedule('at(2030-02-28T08:00:00)', AAS)).toEqual({ kind: 'at' });
    expect(() => parseSchedule('at(2030-02-28T08:00:00)', EB)).toThrow(/one-time at\(\.\.\.\) schedule, which EventBridge rules do not run/);
  });

  test('fails when at() names a day that does not exist', () => {
    expect(() => parseSchedule('at(2030-02-30T08:00:00)', AAS)).toThrow(/not a date and time that exists/);
    expect(() => parseSchedule('at(2030-02-28 08:00)', AAS)).toThrow(/must be at\(yyyy-mm-ddThh:mm:ss\)/);
  });

  test.each([
    ['rate(1 minutes)', /singular unit for a rate of 1/],
    ['rate(5 minute)', /plural unit for a rate of 5/],
  ])('fails when %s mixes number and unit, for EventBridge only', (expression, message) => {
    expect(() => parseSchedule(expression, EB)).toThrow(message);
    expect(() => parseSchedule(expression, AAS)).not.toThrow();
  });

  test.each([
    ['rate(0 minutes)', /at least 1/],
    ['rate(5 seconds)', /one of minute, minutes/],
    ['rate(1.5 hours)', /whole number/],
    ['rate(5minutes)', /rate\(value unit\)/],
    ['every 5 minutes', /is not rate\(\.\.\.\), cron\(\.\.\.\)/],
    ['cron(0 25 * * ? *)', /Hours '25': 25 is outside 0-23/],
    ['cron(60 * * * ? *)', /Minutes '60': 60 is outside 0-59/],
    ['cron(0 8 * * MON-FRI)', /has 5 fields, but AWS cron has 6/],
    ['cron(0 0 8 * * MON-FRI *)', /has 7 fields/],
    ['cron(0 8 * * MON-FRI *)', /exactly one of them must be '\?'/],
    ['cron(0 8 ? * ? *)', /exactly one of them must be '\?'/],
    ['cron(0 8 32 * ? *)', /Day-of-month '32': 32 is outside 1-31/],
    ['cron(0 8 0 * ? *)', /Day-of-month '0'/],
    ['cron(0 8 ? 13 MON *)', /Month '13'/],
    ['cron(0 8 ? * 8 *)', /Day-of-week '8'/],
    ['cron(0 8 ? * MON-FRY *)', /'FRY' is not a number or a name/],
    ['cron(0 8 ? * MON#6 *)', /the week 6 after '#' must be 1 to 5/],
    ['cron(0 8 1 * ? 1969)', /Year '1969'/],
    ['cron(0 ? 1 * ? *)', /'\?' in Hours/],
    ['cron(0/0 * * * ? *)', /increment '0'/],
    ['cron(0 8-? * * ? *)', /Hours '8-\?'/],
    ['cron(0 8 L-31 * ? *)', /31 is out of range/],
    ['cron(0 8 32W * ? *)', /32 is out of range/],
  ])('fails when the expression is %s', (expression, message) => {
    expect(() => parseSchedule(expression, EB)).toThrow(message);
    expect(() => parseSchedule(expression, AAS)).toThrow(message);
  });

  test('checkSchedule fails with the construct path, the prop, the expression and the fix', () => {
    const stack = new Stack(undefined, 'Shop');
    expect(() => checkSchedule(stack, 'trigger', events.Schedule.expression('cron(0 25 * * ? *)'), EB))
      .toThrow("Shop: trigger ('cron(0 25 * * ? *)') has Hours '25': 25 is outside 0-23, but Hours takes 0-23, with '*', ',', '-' and '/': use rate(5 minutes), rate(1 hour) or cron(Minutes Hours Day-of-month Month Day-of-week Year) with '?' in one of the day fields, for example cron(0 8 ? * MON-FRI *)");
  });

  test('checkSchedule accepts strings and skips expressions known at deploy time only', () => {
    const stack = new Stack(undefined, 'Shop');
    expect(checkSchedule(stack, 'trigger', 'rate(2 hours)', EB)).toEqual({ kind: 'rate', rateSeconds: 7200 });
    expect(checkSchedule(stack, 'trigger', Lazy.string({ produce: () => 'nonsense' }), EB)).toBeUndefined();
  });
});
