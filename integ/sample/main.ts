import { App } from 'aws-cdk-lib';
import { buildSampleRelease } from './app';
import { stageConfigs } from './config';

const app = new App();
// `cdk synth -c stages=dev` for one stage; by default dev and prod, with the frontend released
// from dev to prod. Every stage's settings are checked before any construct exists.
const stages = stageConfigs(app.node.tryGetContext('stages'));
buildSampleRelease(app, stages, { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' });
app.synth();
