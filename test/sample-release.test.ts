import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { nagFindings } from './validators';
import { buildSampleRelease } from '../integ/sample/app';
import { STAGES, stageConfigs } from '../integ/sample/config';

/** The sample app as `cdk synth` builds it by default: dev and prod, the frontend released from dev to prod. */
const app = new App();
const built = buildSampleRelease(app, stageConfigs(undefined), { region: 'us-east-1' });
const stacks = app.node.children.filter(Stack.isStack);
const template = (name: string) => Template.fromStack(stacks.find(s => s.stackName === name)!);
const pipelineStages = () => {
  const pipelines = Object.values(template('EcsDevops-Release').findResources('AWS::CodePipeline::Pipeline')) as any[];
  expect(pipelines).toHaveLength(1);
  return pipelines[0].Properties.Stages as any[];
};

test('both stages, an images stack and a release stack', () => {
  expect(stacks.map(s => s.stackName)).toEqual([
    'EcsDevops-Images',
    'EcsDevops-Dev-Infra', 'EcsDevops-Dev-Backend', 'EcsDevops-Dev-Frontend', 'EcsDevops-Dev-LoadTest',
    'EcsDevops-Prod-Infra', 'EcsDevops-Prod-Backend', 'EcsDevops-Prod-Frontend', 'EcsDevops-Prod-LoadTest',
    'EcsDevops-Release',
  ]);
});

test('the frontends have no pipeline of their own; the backends keep theirs', () => {
  for (const stage of built.stages) {
    expect(stage.frontend.pipeline).toBeUndefined();
    expect(stage.backend.pipeline).toBeDefined();
    Template.fromStack(stage.frontend).resourceCountIs('AWS::CodePipeline::Pipeline', 0);
  }
});

test('every stage\'s frontend takes its image from the one build repository, retained outside the stages', () => {
  template('EcsDevops-Images').hasResource('AWS::ECR::Repository', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({ ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } }),
  });
  for (const stage of built.stages) {
    expect(stage.frontend.service.repository).toBe(built.images!.frontendRepository);
  }
});

test('the release: source, one build, dev, then prod behind an approval and its deployment window', () => {
  expect(pipelineStages().map(s => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
    ['Source', ['Source']],
    ['Build', ['Build']],
    ['dev', ['Deploy', 'Record']],
    ['prod-Approval', ['Review']],
    ['prod', ['Deploy', 'Record']],
  ]);
  const prod = pipelineStages().find(s => s.Name === 'prod');
  expect(prod.BeforeEntry.Conditions[0].Rules[0]).toMatchObject({
    RuleTypeId: { Provider: 'DeploymentWindow' },
    Configuration: STAGES.prod.frontendRelease.window && {
      Cron: STAGES.prod.frontendRelease.window.cron,
      TimeZone: STAGES.prod.frontendRelease.window.timeZone,
    },
  });
});

test('each stage bakes on its frontend\'s rollback alarms for the stage\'s bake time, rolling back when one fires', () => {
  for (const [name, config] of stageConfigs(undefined)) {
    const stage = pipelineStages().find(s => s.Name === name);
    const condition = stage.OnSuccess.Conditions[0];
    expect(condition.Result).toBe('ROLLBACK');
    expect(condition.Rules.length).toBeGreaterThan(0);
    for (const rule of condition.Rules) {
      expect(rule).toMatchObject({ RuleTypeId: { Provider: 'CloudWatchAlarm' }, Configuration: { AlarmStates: ['ALARM'], WaitTime: String(config.frontendRelease.bakeMinutes) } });
      expect(JSON.stringify(rule.Configuration.AlarmName)).toMatch(new RegExp(`${config.stackPrefix}-Frontend.*FrontendRollback`));
    }
  }
});

test('each stage\'s canary still waits for its load-test gate during the deployment', () => {
  for (const stage of built.stages) {
    Template.fromStack(stage.frontend).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })] }),
    });
  }
});

test('one stage builds the single-stage sample: each frontend its own pipeline, no release', () => {
  const single = buildSampleRelease(new App(), stageConfigs('dev'), { region: 'us-east-1' });
  expect(single.release).toBeUndefined();
  expect(single.stages[0].frontend.pipeline).toBeDefined();
});

test('cdk-nag AwsSolutions reports no unacknowledged errors over both stages and the release', () => {
  expect(nagFindings(app)).toEqual([]);
});
