import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Synth-time input checks. Every message names the prop, shows the bad value and says the fix;
 * values that are tokens are skipped because they are only known at deploy time.
 */

/** Throws with the construct path in front, so the user sees which construct the bad prop belongs to. */
export function fail(scope: IConstruct, message: string): never {
  throw new Error(`${scope.node.path}: ${message}`);
}

export function checkRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, hint = ''): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${prop} (${value}) must be a whole number from ${min} to ${max}${hint ? `: ${hint}` : ''}`);
  }
}

/**
 * A duration CloudFormation takes in whole seconds, in a range. A fraction of a second fails here
 * with the prop and the value, rather than in aws-cdk-lib's conversion without either.
 */
export function checkSeconds(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const seconds = value.toMilliseconds({ integral: false }) / 1000;
  if (!Number.isInteger(seconds)) {
    fail(scope, `${prop} (${seconds} s) must be a whole number of seconds`);
  }
  if (seconds < min || seconds > max) {
    fail(scope, `${prop} (${seconds} s) must be from ${min} to ${max} seconds`);
  }
}

/** A duration that must be a whole number of minutes in a range, as ECS and CodeDeploy schedules are. */
export function checkWholeMinutes(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    fail(scope, `${prop} (${minutes} min) must be a whole number of minutes from ${min} to ${max}`);
  }
}

/** A duration the value of which is passed on as whole seconds, so it must be known at synth. */
export function checkWholeSeconds(scope: IConstruct, prop: string, value: Duration, min: number, max: number, why = ''): void {
  if (value.isUnresolved()) {
    fail(scope, `${prop} must be known at synth: the script receives it as a number`);
  }
  const ms = value.toMilliseconds({ integral: false });
  if (ms % 1000 !== 0) {
    fail(scope, `${prop} (${ms} ms) must be a whole number of seconds${why ? `: ${why}` : ''}`);
  }
  checkSeconds(scope, prop, value, min, max);
}

export function checkPort(scope: IConstruct, prop: string, value: number | undefined): void {
  checkRange(scope, prop, value, 1, 65535, 'use a TCP port number');
}

/** A DNS label: what Cloud Map needs for `<name>.<namespace>` to resolve. */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    fail(scope, `${prop} ('${value}') must be a DNS label: 1-63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (for example 'orders-api')`);
  }
}

/** A private DNS namespace name such as `svc.internal`: dot-separated DNS labels. */
export function checkDnsName(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const labels = value.split('.');
  const ok = value.length <= 253 && labels.every(l => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
  if (!ok) {
    fail(scope, `${prop} ('${value}') must be a DNS name of dot-separated labels of lowercase letters, digits and hyphens (for example 'svc.internal')`);
  }
}

/** Elastic Load Balancing names for load balancers and target groups. */
export function checkElbName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(value) || value.toLowerCase().startsWith('internal-')) {
    fail(scope, `${prop} ('${value}') must be 1-32 letters, digits and hyphens, must not start or end with a hyphen nor start with 'internal-'; or leave it unset to let CloudFormation generate one`);
  }
}

/** Legal task-size combinations of AWS Fargate (Linux), in MiB by vCPU units. */
const FARGATE_MEMORY: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

function steps(from: number, to: number, by: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += by) {
    out.push(v);
  }
  return out;
}

export function checkFargateSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryMiB)) {
    return;
  }
  const legal = FARGATE_MEMORY[cpu];
  if (!legal) {
    fail(scope, `cpu (${cpu}) is not a Fargate task size: use one of ${Object.keys(FARGATE_MEMORY).join(', ')} (CPU units, 1024 = 1 vCPU)`);
  }
  if (!legal.includes(memoryMiB)) {
    fail(scope, `memoryLimitMiB (${memoryMiB}) is not allowed with cpu (${cpu}) on Fargate: use ${describe(legal)} MiB`);
  }
}

function describe(values: number[]): string {
  if (values.length <= 3) {
    return values.join(', ');
  }
  return `${values[0]} to ${values[values.length - 1]} in steps of ${values[1] - values[0]}`;
}

/**
 * A string another service parses later, checked by a grammar's `problem` function (which says
 * what is wrong, or undefined): fails with the prop, the value, the problem and the fix.
 */
export function checkGrammar(scope: IConstruct, prop: string, value: string | undefined,
  problem: (value: string) => string | undefined, fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const why = problem(value);
  if (why) {
    fail(scope, `${prop} ('${value}') ${why}: ${fix}`);
  }
}
