import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './validation';

/**
 * The schedule expressions of EventBridge rules and Application Auto Scaling scheduled actions:
 * `rate(value unit)`, `cron(Minutes Hours Day-of-month Month Day-of-week Year)` and, for Application
 * Auto Scaling only, `at(yyyy-mm-ddThh:mm:ss)`.
 *
 * Both services use the same six-field cron grammar ("Cron expressions reference",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html; Application
 * Auto Scaling refers to it from "Schedule recurring scaling actions using Application Auto Scaling",
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html).
 * EventBridge wants a singular unit for a rate of 1 and a plural one otherwise ("rate(1 hours) and
 * rate(5 hour) are not valid"); Application Auto Scaling lists `minute | minutes | hour | hours |
 * day | days` without that rule (PutScheduledAction, Schedule), so it is not enforced there.
 */

/** Which service reads the expression. */
export type ScheduleGrammar = 'eventbridge' | 'application-auto-scaling';

/** What a valid expression says. */
export interface ParsedSchedule {
  readonly kind: 'rate' | 'cron' | 'at';
  /** The interval of a `rate(...)` expression, in seconds. Undefined for cron and at. */
  readonly rateSeconds?: number;
}

/** Anything with an expression: `events.Schedule`, `appscaling.Schedule`, or the string itself. */
export type ScheduleLike = string | { readonly expressionString: string };

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for 1, 2, … (months, weekdays). */
  readonly names?: string[];
  /** Day-of-month and day-of-week: `?`, `L` and their own wildcards. */
  readonly day?: 'month' | 'week';
}

const CRON_FIELDS: CronField[] = [
  { name: 'Minutes', min: 0, max: 59 },
  { name: 'Hours', min: 0, max: 23 },
  { name: 'Day-of-month', min: 1, max: 31, day: 'month' },
  { name: 'Month', min: 1, max: 12, names: MONTHS },
  { name: 'Day-of-week', min: 1, max: 7, names: WEEKDAYS, day: 'week' },
  { name: 'Year', min: 1970, max: 2199 },
];

/** A sentence saying what the expression should look like, for the fix part of messages. */
export function scheduleHint(grammar: ScheduleGrammar): string {
  const at = grammar === 'application-auto-scaling' ? ', at(yyyy-mm-ddThh:mm:ss)' : '';
  return `use rate(5 minutes), rate(1 hour)${at} or cron(Minutes Hours Day-of-month Month Day-of-week Year) with '?' in one of the day fields, for example cron(0 8 ? * MON-FRI *)`;
}

/**
 * Parses an expression, throwing an Error whose message says what is wrong (lowercase, no fix).
 */
export function parseSchedule(expression: string, grammar: ScheduleGrammar): ParsedSchedule {
  const call = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
  if (!call) {
    throw new Error(`is not rate(...), cron(...)${grammar === 'application-auto-scaling' ? ' or at(...)' : ''}`);
  }
  const [, kind, body] = call;
  switch (kind) {
    case 'rate': return { kind: 'rate', rateSeconds: parseRate(body, grammar) };
    case 'cron': parseCron(body); return { kind: 'cron' };
    default:
      if (grammar !== 'application-auto-scaling') {
        throw new Error('is a one-time at(...) schedule, which EventBridge rules do not run');
      }
      parseAt(body);
      return { kind: 'at' };
  }
}

/**
 * Fails with the construct path, the prop and the expression when the expression is not valid for
 * the service that reads it. Tokens (known at deploy time only) are skipped.
 */
export function checkSchedule(scope: IConstruct, prop: string, schedule: ScheduleLike, grammar: ScheduleGrammar): ParsedSchedule | undefined {
  const expression = typeof schedule === 'string' ? schedule : schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    return undefined;
  }
  try {
    return parseSchedule(expression, grammar);
  } catch (e) {
    fail(scope, `${prop} ('${expression}') ${(e as Error).message}: ${scheduleHint(grammar)}`);
  }
}

function parseRate(body: string, grammar: ScheduleGrammar): number {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) {
    throw new Error('must be rate(value unit) with a whole number and one of minute, minutes, hour, hours, day, days');
  }
  const value = Number(match[1]);
  const unit = match[2];
  if (value < 1) {
    throw new Error('must have a rate of at least 1');
  }
  const plural = unit.endsWith('s');
  if (grammar === 'eventbridge' && plural !== (value > 1)) {
    throw new Error(`must use the ${value === 1 ? 'singular' : 'plural'} unit for a rate of ${value}, as EventBridge requires`);
  }
  return value * UNIT_SECONDS[plural ? unit.slice(0, -1) : unit];
}

function parseCron(body: string): void {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`has ${fields.length} fields, but AWS cron has 6 (Minutes Hours Day-of-month Month Day-of-week Year; a Unix cron has no Year and no '?')`);
  }
  fields.forEach((value, i) => parseCronField(CRON_FIELDS[i], value));
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new Error(`has Day-of-month '${dayOfMonth}' and Day-of-week '${dayOfWeek}', but exactly one of them must be '?'`);
  }
}

function parseCronField(field: CronField, value: string): void {
  if (value === '?') {
    if (!field.day) {
      throw new Error(`has '?' in ${field.name}, which only Day-of-month and Day-of-week accept`);
    }
    return;
  }
  for (const item of value.split(',')) {
    parseCronItem(field, item, value);
  }
}

function parseCronItem(field: CronField, item: string, whole: string): void {
  const bad = (why: string): never => {
    throw new Error(`has ${field.name} '${whole}'${why ? `: ${why}` : ''}, but ${field.name} takes ${describeField(field)}`);
  };
  if (field.day === 'month' && /^(L|LW|L-\d+|\d+W)$/.test(item)) {
    const n = Number(/\d+/.exec(item)?.[0] ?? 1);
    const max = item.startsWith('L') ? 30 : 31;
    if (n < 1 || n > max) {
      bad(`${n} is out of range`);
    }
    return;
  }
  if (field.day === 'week') {
    const nth = /^([A-Za-z0-9]+)#(\d+)$/.exec(item);
    if (nth) {
      cronValue(field, nth[1], bad);
      if (Number(nth[2]) < 1 || Number(nth[2]) > 5) {
        bad(`the week ${nth[2]} after '#' must be 1 to 5`);
      }
      return;
    }
    if (item === 'L') {
      return;
    }
    const last = /^([A-Za-z0-9]+)L$/.exec(item);
    if (last) {
      cronValue(field, last[1], bad);
      return;
    }
  }
  const [range, step, ...more] = item.split('/');
  if (more.length > 0 || step === '') {
    bad('');
  }
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
    bad(`the increment '${step}' must be a whole number of at least 1`);
  }
  if (range === '*') {
    return;
  }
  const bounds = range.split('-');
  if (bounds.length > 2 || bounds.some(b => b === '')) {
    bad('');
  }
  bounds.forEach(b => cronValue(field, b, bad));
}

function cronValue(field: CronField, text: string, bad: (why: string) => never): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) {
    return named + 1;
  }
  if (!/^\d+$/.test(text)) {
    return bad(`'${text}' is not a number${field.names ? ' or a name' : ''}`);
  }
  const n = Number(text);
  if (n < field.min || n > field.max) {
    bad(`${n} is outside ${field.min}-${field.max}`);
  }
  return n;
}

function describeField(field: CronField): string {
  const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
  const extra = field.day === 'month' ? ", '?', L and W" : field.day === 'week' ? ", '?', L and #" : '';
  return `${field.min}-${field.max}${names}, with '*', ',', '-' and '/'${extra}`;
}

function parseAt(body: string): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) {
    throw new Error('must be at(yyyy-mm-ddThh:mm:ss)');
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new Error('is not a date and time that exists');
  }
}
