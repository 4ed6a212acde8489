import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TemplateContext } from '../iam/cfn-arns';
import { checkStatement, statementsOf } from '../iam/iam-model';

/** The container definitions of the stack's one task definition, by name. */
export function containers(template: Template): Record<string, any> {
  const taskDefinitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as any[];
  expect(taskDefinitions).toHaveLength(1);
  return Object.fromEntries(taskDefinitions[0].Properties.ContainerDefinitions.map((c: any) => [c.Name, c]));
}

/** The statements of the task role's policy whose role's logical ID starts with `rolePrefix`. */
export function roleStatements(template: Template, rolePrefix: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The IAM model's findings over every policy statement of the stack (test/iam/iam-model.ts). */
export async function iamFindings(stack: Stack): Promise<string[]> {
  const ctx: TemplateContext = { source: 'sidecars', stackName: stack.stackName, region: stack.region, template: Template.fromStack(stack).toJSON(), siblings: () => [ctx] };
  const statements = statementsOf(ctx);
  expect(statements.length).toBeGreaterThanOrEqual(3);
  const findings = (await Promise.all(statements.map(checkStatement))).flat();
  return findings.map(f => `${f.logicalId} ${f.action}: ${f.why}`);
}
