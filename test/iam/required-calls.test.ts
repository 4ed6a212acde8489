import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, resolve, TemplateContext } from './cfn-arns';
import { RequiredCall, ROLE_KINDS } from './required-calls';
import { loadTestGateTemplates, releaseTemplates, sampleTemplates, sidecarTemplates, snapshotTemplates } from './templates';

/**
 * Every call AWS makes with a role the library writes (test/iam/required-calls.ts) is simulated
 * against that role's synthesized policies, with concrete ARNs, and must be allowed.
 */

const templates = [...sampleTemplates(), ...snapshotTemplates(), ...loadTestGateTemplates(), ...sidecarTemplates(), ...releaseTemplates()];

/** The identity policies of a role: its inline policies and every AWS::IAM::Policy attached to it. */
function policiesOf(t: TemplateContext, roleId: string): Array<{ name: string; policy: any }> {
  const role = t.template.Resources[roleId];
  if (role.Properties.ManagedPolicyArns) throw new Error(`${t.source} ${roleId}: managed policies are not simulated; the library writes its own`);
  const inline = ((role.Properties.Policies ?? []) as any[]).map(p => ({ name: p.PolicyName, policy: resolve(p.PolicyDocument, t) }));
  const attached = Object.entries<any>(t.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as unknown[]).some(x => (x as { Ref?: string }).Ref === roleId))
    .map(([id, r]) => ({ name: id, policy: resolve(r.Properties.PolicyDocument, t) }));
  return [...inline, ...attached];
}

interface Outcome { readonly where: string; readonly call: RequiredCall; readonly result: string }

async function simulate(t: TemplateContext, roleId: string, call: RequiredCall): Promise<string> {
  const response = await runSimulation({
    request: {
      principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
      action: call.action,
      resource: { resource: call.resource, accountId: ACCOUNT },
      contextVariables: call.context ?? {},
    },
    identityPolicies: policiesOf(t, roleId),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  return response.resultType === 'error' ? `error: ${response.errors.message} ${JSON.stringify(response.errors)}` : response.overallResult;
}

test('every call AWS makes with a role the library writes is allowed by that role\'s policies', async () => {
  const outcomes: Outcome[] = [];
  const rolesByKind = new Map<string, number>();
  for (const t of templates) {
    for (const kind of ROLE_KINDS) {
      for (const { roleId, calls } of kind.find(t)) {
        rolesByKind.set(kind.role, (rolesByKind.get(kind.role) ?? 0) + 1);
        for (const call of calls) {
          outcomes.push({ where: `${t.source} ${roleId}`, call, result: await simulate(t, roleId, call) });
        }
      }
    }
  }
  const roles = [...rolesByKind.values()].reduce((a, b) => a + b, 0);
  // eslint-disable-next-line no-console
  console.log(`required calls: ${outcomes.length} simulated over ${roles} roles in ${templates.length} templates; `
    + [...rolesByKind.entries()].map(([k, n]) => `${n} × ${k}`).join('; '));

  const denied = outcomes.filter(o => o.result !== 'Allowed').map(o => `${o.where}: ${o.call.action} on ${o.call.resource} → ${o.result}`);
  expect(denied).toEqual([]);
  // Every kind of role is found somewhere, so a renamed or dropped role cannot pass by being absent.
  expect(ROLE_KINDS.filter(k => !rolesByKind.has(k.role)).map(k => k.role)).toEqual([]);
});
