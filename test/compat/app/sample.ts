import { App } from 'aws-cdk-lib';
import { synthWithCdkNag } from './nag';
import { buildSampleApp } from '../sample/app';
import { stageConfig } from '../sample/config';

// The repository's sample app (integ/sample), built from the packed library instead of its sources.
const app = new App();
buildSampleApp(app, stageConfig(app.node.tryGetContext('stage')), { region: 'us-east-1' });
synthWithCdkNag(app);
