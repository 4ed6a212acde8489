import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag AwsSolutions-IAM5 findings one by one (`AwsSolutions-IAM5[Resource::…]`),
 * so a wildcard nobody reviewed still fails. A finding is the wildcard action, or the resource as
 * cdk-nag flattens it (`<Logical.Arn>/*`); acknowledgement IDs may hold '::' only once, so a
 * resource ARN with pseudo parameters (`arn:<AWS::Partition>:…`) cannot be acknowledged and must
 * not be granted with a wildcard.
 */
export function acknowledgeWildcards(scope: IConstruct, findings: string[], reason: string): void {
  // A finding with '::' more than once (an imported bucket's `arn:<AWS::Partition>:s3:::…`) stays
  // visible: Validations cannot hold it, and whoever passed the resource has to review it.
  for (const finding of findings.filter(f => f.split('::').length === 2)) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}

/** The finding for `resource` (an ARN, possibly a token) as cdk-nag reports it. */
export function resourceFinding(scope: IConstruct, resource: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(resource))}`;
}

/** cdk-nag's flattening of a CloudFormation reference (utils/flatten-cfn-reference). */
function flatten(node: unknown): string {
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const o = node as Record<string, any>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (o.Ref) {
    return `<${flatten(o.Ref)}>`;
  }
  if (o['Fn::ImportValue']) {
    return flatten(o['Fn::ImportValue']);
  }
  return JSON.stringify(node);
}
