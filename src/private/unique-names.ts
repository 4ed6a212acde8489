import { Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './validation';

/**
 * Names AWS keeps unique beyond one stack: Cloud Map service names per namespace, load balancer
 * names per account and region, dashboard names per account. Two stacks of one app that reuse one
 * deploy fine until the second stack's create fails (Cloud Map's ServiceAlreadyExists, ELB's
 * DuplicateLoadBalancerName) or silently takes the first one's resource over; a per-app registry
 * finds them at synth.
 *
 * Claims are kept per Stage (an App is the outermost one): two stages, like two apps, deploy on
 * their own and may reuse every name. Names that are tokens are only known at deploy time and are
 * not claimed.
 */

/** One name a construct takes, and where AWS keeps it unique. */
export interface NameClaim {
  /** What kind of name, for the message, such as 'Cloud Map service name'. */
  readonly kind: string;
  /** Where the name must be unique, as a key: a namespace, an account and region. */
  readonly within: string;
  /** The same, for the message, such as "in namespace 'svc.internal'". */
  readonly withinText: string;
  /** The prop that set the name. */
  readonly prop: string;
  readonly value: string;
  /** How to make the names differ. */
  readonly fix: string;
}

const CLAIMS = new WeakMap<IConstruct, Map<string, string>>();

/** Records the name for `scope`, and fails when another construct of the same stage holds it. */
export function claimName(scope: IConstruct, claim: NameClaim): void {
  if (Token.isUnresolved(claim.value)) {
    return;
  }
  const stage: IConstruct = Stage.of(scope) ?? scope.node.root;
  let claims = CLAIMS.get(stage);
  if (!claims) {
    claims = new Map();
    CLAIMS.set(stage, claims);
  }
  const key = JSON.stringify([claim.kind, claim.within, claim.value]);
  const holder = claims.get(key);
  if (holder !== undefined && holder !== scope.node.path) {
    fail(scope, `${claim.prop} ('${claim.value}') is already the ${claim.kind} of ${holder} ${claim.withinText}, and AWS keeps one per name: ${claim.fix}`);
  }
  claims.set(key, scope.node.path);
}

/**
 * The account and region a construct's stack deploys to, as a key. A part that is a token
 * (an environment-agnostic stack) is '?', so stacks that leave it open are taken to share it.
 */
export function envKey(scope: IConstruct, parts: 'account' | 'account and region' = 'account and region'): { key: string; text: string } {
  const stack = Stack.of(scope);
  const account = Token.isUnresolved(stack.account) ? '?' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '?' : stack.region;
  if (parts === 'account') {
    return { key: account, text: account === '?' ? 'in the same account' : `in account ${account}` };
  }
  const where = [account === '?' ? undefined : `account ${account}`, region === '?' ? undefined : `region ${region}`].filter(Boolean).join(', ');
  return { key: `${account}/${region}`, text: where ? `in ${where}` : 'in the same account and region' };
}
