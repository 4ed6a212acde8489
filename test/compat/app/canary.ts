import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { synthWithCdkNag } from './nag';

// A known finding (AwsSolutions-S10: a bucket that accepts plain HTTP). A clean report proves nothing
// unless cdk-nag is seen to fail this app on the same route.
const app = new App();
new s3.Bucket(new Stack(app, 'Canary'), 'Bucket');
synthWithCdkNag(app);
