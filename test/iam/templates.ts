import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { TemplateContext } from './cfn-arns';
import { buildSampleApp } from '../../integ/sample/app';
import { STAGES } from '../../integ/sample/config';

const INTEG_DIR = path.join(__dirname, '..', '..', 'integ');

/** The templates of one app, each able to resolve the others' exports. */
function appTemplates(entries: Array<Omit<TemplateContext, 'siblings'>>): TemplateContext[] {
  const all: TemplateContext[] = entries.map(e => ({ ...e, siblings: () => all }));
  return all;
}

/** Every stack of the sample app, for every stage, synthesized here as `cdk synth` would. */
export function sampleTemplates(): TemplateContext[] {
  return Object.entries(STAGES).flatMap(([stage, config]) => {
    const app = new App();
    buildSampleApp(app, config, { region: 'us-east-1' });
    const assembly = app.synth();
    return appTemplates(assembly.stacks.map(s => ({
      source: `sample(${stage}):${s.stackName}`,
      stackName: s.stackName,
      region: s.environment.region,
      template: s.template,
    })));
  });
}

/** Every template of the committed integ snapshots (`integ/*.snapshot/*.template.json`). */
export function snapshotTemplates(): TemplateContext[] {
  return fs.readdirSync(INTEG_DIR)
    .filter(d => /^integ\..*\.snapshot$/.test(d))
    .flatMap(dir => {
      const manifest = JSON.parse(fs.readFileSync(path.join(INTEG_DIR, dir, 'manifest.json'), 'utf8'));
      const stacks = Object.values<any>(manifest.artifacts).filter(a => a.type === 'aws:cloudformation:stack');
      return appTemplates(stacks.map(s => ({
        source: `integ/${dir}/${s.properties.templateFile}`,
        stackName: s.properties.stackName ?? s.displayName,
        // integ-runner synthesizes without an account; the region comes from the stack's environment.
        region: /aws:\/\/[^/]+\/([a-z0-9-]+)/.exec(s.environment)?.[1] ?? 'us-east-1',
        template: JSON.parse(fs.readFileSync(path.join(INTEG_DIR, dir, s.properties.templateFile), 'utf8')),
      })));
    });
}

/**
 * Resources of `@aws-cdk/integ-tests-alpha` itself in an integ app's `…Assertions` (DeployAssert)
 * stack: the AssertionsProvider function's role (`SingletonFunction<hash>Role`) and the waiter state
 * machines' roles (`AwsApiCall…WaitForRole`, `HttpApiCall…WaitForRole`). They grant the SDK calls the
 * assertions make, on `*`, are written by integ-tests-alpha and never deployed by a user of this
 * library; everything else in those stacks is checked.
 */
export function isIntegTestsAlphaResource(ctx: TemplateContext, logicalId: string): boolean {
  return /Assertions\.template\.json$/.test(ctx.source)
    && /^(SingletonFunction[0-9a-f]{32}Role[0-9A-F]{8}|(AwsApiCall|HttpApiCall)\w*WaitForRole[0-9A-F]{8})$/.test(logicalId);
}
