import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One rule a validator reported, with the logical IDs it reported it on. */
export interface Finding {
  readonly rule: string;
  readonly resources: string[];
}

/**
 * cdk-nag AwsSolutions over a synthesized app. aws-cdk-lib 2.257 does not hand plugins the construct
 * tree, so the pack walks the tree itself (`validateScope`); acknowledgements are honoured.
 */
export function nagFindings(app: App): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.map(v => ({
    rule: v.ruleName,
    resources: v.violatingResources.map(r => (r as { constructPath?: string }).constructPath ?? r.resourceLogicalId ?? '?'),
  }));
}

/** cfn-guard with the Control Tower rules over every template of a synthesized app. */
export function guardFindings(app: App): Finding[] {
  const assembly = app.synth();
  const templatePaths = assembly.stacks.map(s => path.join(assembly.directory, s.templateFile));
  const report = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({ templatePaths });
  const byRule = new Map<string, string[]>();
  for (const v of report.violations) {
    const rule = v.description.match(/^\[([^\]]+)\]/)?.[1] ?? v.ruleName;
    byRule.set(rule, [...(byRule.get(rule) ?? []), ...v.violatingResources.map(r => r.resourceLogicalId)]);
  }
  return [...byRule.entries()].map(([rule, resources]) => ({ rule, resources })).sort((a, b) => a.rule.localeCompare(b.rule));
}

/** Every `Validations.of(x).acknowledge()` in the tree: construct path, rule and reason. */
export function acknowledgements(scope: IConstruct): Array<{ path: string; rule: string; reason: string }> {
  const out: Array<{ path: string; rule: string; reason: string }> = [];
  for (const c of scope.node.findAll()) {
    const entries = c.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    const last = entries[entries.length - 1]?.data as Record<string, string> | undefined;
    for (const [rule, reason] of Object.entries(last ?? {})) {
      out.push({ path: c.node.path, rule, reason });
    }
  }
  return out;
}
