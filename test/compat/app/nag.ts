import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Synthesizes the app under cdk-nag 3's AwsSolutions pack, the way its README documents it: a validation
 * plugin, whose findings fail the synth. That needs aws-cdk-lib 2.258 or newer (the version that gives
 * plugins the construct tree); on older versions (NAG_ROUTE=validate-scope) the pack walks the tree itself.
 */
export function synthWithCdkNag(app: App): void {
  if (process.env.NAG_ROUTE !== 'validate-scope') {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    return;
  }
  app.synth();
  const report = new AwsSolutionsChecks().validateScope(app);
  if (report.violations.length > 0) {
    const lines = report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.resourceLogicalId).join(', ')}`);
    throw new Error(`cdk-nag AwsSolutions: ${report.violations.length} unacknowledged finding(s)\n${lines.join('\n')}`);
  }
}
