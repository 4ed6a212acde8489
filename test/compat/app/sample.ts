import { App } from 'aws-cdk-lib';
import { synthWithCdkNag } from './nag';
import { buildSampleRelease } from '../sample/app';
import { stageConfigs } from '../sample/config';

// The repository's sample app (integ/sample), built from the packed library instead of its sources:
// as `cdk synth` builds it by default, every stage and the frontend's release through them.
const app = new App();
buildSampleRelease(app, stageConfigs(app.node.tryGetContext('stages')), { region: 'us-east-1' });
synthWithCdkNag(app);
