import * as path from 'path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { BaseInfra, BaseInfraProps, PipelineSource } from '../src';

/**
 * What every integ app shares: a region-only environment, a stack under test, base infrastructure
 * and resources that delete themselves with the test, and the IntegTest wiring.
 */

/** Region only: synthesizes without credentials; ALB access logs need the region. */
export const INTEG_ENV = { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };

/** The stack under test, `<name>Integ`. */
export function integStack(app: App, name: string): Stack {
  return new Stack(app, `${name}Integ`, { env: INTEG_ENV });
}

/** BaseInfra with one NAT gateway (cost), destroyed with the test, with any other `props`. */
export function disposableInfra(stack: Stack, props: Partial<BaseInfraProps> = {}): BaseInfra {
  return new BaseInfra(stack, 'Infra', { natGateways: 1, removalPolicy: RemovalPolicy.DESTROY, ...props });
}

/**
 * `<name>Test` over the stack, with its assertions in `<name>Assertions` in the same environment
 * (so they may reference the stack's resources); destroyed without a prompt afterwards.
 */
export function integTest(app: App, name: string, stack: Stack): IntegTest {
  return new IntegTest(app, `${name}Test`, {
    testCases: [stack],
    diffAssets: false,
    assertionStack: new Stack(app, `${name}Assertions`, { env: INTEG_ENV }),
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
}

/** The pipeline pushes images: the repository must empty itself to be deleted with the test. */
export function disposableRepository(stack: Stack): ecr.Repository {
  return new ecr.Repository(stack, 'Repository', {
    imageTagMutability: ecr.TagMutability.IMMUTABLE,
    imageScanOnPush: true,
    emptyOnDelete: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** An artifact bucket that empties itself when the test is destroyed. */
export function disposableArtifactBucket(stack: Stack): s3.Bucket {
  return new s3.Bucket(stack, 'Artifacts', {
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    autoDeleteObjects: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** The small sample app of the pipeline tests, as an S3 source the pipeline's first run deploys. */
export function fixtureAppSource(stack: Stack): PipelineSource {
  const source = new s3assets.Asset(stack, 'Source', { path: path.join(__dirname, '..', 'test', 'pipelines', 'fixtures', 'app') });
  return PipelineSource.s3({ bucket: source.bucket, objectKey: source.s3ObjectKey });
}
