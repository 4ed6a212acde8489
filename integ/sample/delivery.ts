import * as path from 'path';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { ImageBuildOptions, PipelineSource, ServiceImage } from '../../src';

/** Where the sample services' code lives in this repository. */
export const SERVICES_DIR = path.join(__dirname, '..', 'services');

/** Before the image build: the service's code must at least parse (server.js, worker.js, report.js). */
const SMOKE_TEST = ['for f in *.js; do node --check "$f" || exit 1; done'];

/**
 * How a sample service gets its image and its pipeline source.
 *
 * The first image is built by `cdk deploy` from the service's directory, so the service answers
 * its health check before the pipeline ever ran; after that the pipeline owns the image. Without a
 * CodeConnections repository in the config, the source is an archive of the same directory that
 * `cdk deploy` uploads, so the sample runs in a brand-new account with no manual step.
 */
export class SampleDelivery extends Construct {
  public readonly image: ServiceImage;
  public readonly source: PipelineSource;
  public readonly imageBuild: ImageBuildOptions;
  private readonly initialImage: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, config: StageConfig, serviceDir: string) {
    super(scope, id);
    const appDir = path.join(SERVICES_DIR, serviceDir);
    this.initialImage = new ecrAssets.DockerImageAsset(this, 'InitialImage', { directory: appDir, platform: ecrAssets.Platform.LINUX_AMD64 });
    this.image = ServiceImage.fromPipeline({ initialImage: this.initialImage.imageUri });
    if (config.source) {
      this.source = PipelineSource.connection(config.source);
      this.imageBuild = { appPath: `integ/services/${serviceDir}`, testCommands: SMOKE_TEST };
    } else {
      const archive = new s3assets.Asset(this, 'SourceArchive', { path: appDir });
      this.source = PipelineSource.s3({ bucket: archive.bucket, objectKey: archive.s3ObjectKey });
      this.imageBuild = { appPath: '.', testCommands: SMOKE_TEST };
    }
  }

  /** Lets the service's tasks pull the first image from the CDK asset repository. */
  public grantInitialPull(executionRole: iam.IGrantable): void {
    this.initialImage.repository.grantPull(executionRole);
  }
}
