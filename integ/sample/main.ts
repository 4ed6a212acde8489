import { App } from 'aws-cdk-lib';
import { buildSampleApp } from './app';

const app = new App();
buildSampleApp(app, { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' });
app.synth();
