import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildSampleApp, buildSampleRelease } from '../integ/sample/app';
import { STAGES, stageConfigs } from '../integ/sample/config';
import { appSpec, imageBuildSpec, recordImageBuildSpec } from '../src/private/buildspec';

/**
 * CloudFormation substitutes `${Name}` only inside Fn::Sub; anywhere else the text is passed on as
 * it is, but template validators read it as a parameter reference that is missing its Fn::Sub
 * (cfn-lint rule E1029, which aws-cdk-lib's template validation applies with the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag of `cdk init`) and fail the synth. Shell
 * expansions in strings the library writes into templates (scripts, buildspecs) must therefore
 * not use braces, or travel encoded.
 */

interface Finding {
  readonly path: string;
  readonly found: string[];
}

/** Strings with `${` outside an Fn::Sub, with their JSON path. */
function embeddedParameters(value: unknown, at = ''): Finding[] {
  if (typeof value === 'string') {
    const found = value.match(/\$\{[^}]*\}?/g);
    return found ? [{ path: at, found: [...new Set(found)] }] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => embeddedParameters(item, `${at}/${i}`));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([key]) => key !== 'Fn::Sub')
      .flatMap(([key, item]) => embeddedParameters(item, `${at}/${key}`));
  }
  return [];
}

describe('the finder', () => {
  test('reports ${...} in plain strings, nested at any depth, with its path', () => {
    expect(embeddedParameters({ Resources: { Task: { Command: ['sh -c "echo ${LT_TIME_LIMIT}s"'] } } })).toEqual([
      { path: '/Resources/Task/Command/0', found: ['${LT_TIME_LIMIT}'] },
    ]);
  });

  test('accepts ${...} inside Fn::Sub, where CloudFormation substitutes it', () => {
    expect(embeddedParameters({ 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Name}', { Name: 'b' }] })).toEqual([]);
  });
});

describe.each(Object.keys(STAGES))('the sample app\'s %s stage', stage => {
  const app = new App();
  buildSampleApp(app, STAGES[stage], { region: 'us-east-1' });
  const assembly = app.synth();
  const stacks = app.node.children.filter(Stack.isStack);

  test.each(stacks.map(s => s.stackName))('%s has no ${...} outside Fn::Sub', stackName => {
    expect(embeddedParameters(assembly.getStackByName(stackName).template)).toEqual([]);
  });
});

describe('the sample app with every stage and the frontend\'s release', () => {
  const app = new App();
  buildSampleRelease(app, stageConfigs(undefined), { region: 'us-east-1' });
  const assembly = app.synth();
  const stacks = app.node.children.filter(Stack.isStack);

  test.each(stacks.map(s => s.stackName))('%s has no ${...} outside Fn::Sub', stackName => {
    expect(embeddedParameters(assembly.getStackByName(stackName).template)).toEqual([]);
  });
});

describe('the committed integ snapshots', () => {
  const dir = path.join(__dirname, '..', 'integ');
  const templates = fs.readdirSync(dir)
    .filter(d => d.endsWith('.snapshot'))
    .flatMap(d => fs.readdirSync(path.join(dir, d)).filter(f => f.endsWith('.template.json')).map(f => path.join(d, f)));

  test('are there to check', () => {
    expect(templates.length).toBeGreaterThan(9);
  });

  test.each(templates)('%s has no ${...} outside Fn::Sub', file => {
    expect(embeddedParameters(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))).toEqual([]);
  });
});

describe('the pipelines\' buildspecs, in every variant', () => {
  const variants = [true, false].flatMap(buildImage => [true, false].map(codeDeploy => ({ buildImage, codeDeploy, testCommands: ['npm test'] })));

  test.each(variants)('image build %o has no ${...}', options => {
    expect(embeddedParameters(JSON.stringify(imageBuildSpec(options)))).toEqual([]);
  });

  test('the record step and the AppSpec have no ${...}', () => {
    expect(embeddedParameters(JSON.stringify(recordImageBuildSpec()))).toEqual([]);
    expect(embeddedParameters(appSpec({ containerName: 'web', containerPort: 8080, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }))).toEqual([]);
  });
});
