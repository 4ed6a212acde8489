import { App } from 'aws-cdk-lib';
import { buildSampleApp } from './app';
import { stageConfig } from './config';

const app = new App();
// `cdk synth -c stage=prod`; the stage's settings are checked before any construct exists.
const config = stageConfig(app.node.tryGetContext('stage'));
buildSampleApp(app, config, { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' });
app.synth();
