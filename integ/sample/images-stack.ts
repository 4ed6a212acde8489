import { Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

/**
 * The repository a release builds the frontend's image into once, and every stage's frontend pulls
 * from: outside the stages' stacks, so destroying a stage never takes another stage's images with it.
 */
export class ImagesStack extends Stack {
  public readonly frontendRepository: ecr.Repository;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.frontendRepository = new ecr.Repository(this, 'FrontendImages', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      // As a MicroService's own repository: the images a stage runs (tagged deployed-<digest> by
      // the release's Record steps) are counted apart from builds, so builds never expire them.
      lifecycleRules: [
        { rulePriority: 1, description: 'Keep the newest deployed images', tagPrefixList: ['deployed-'], maxImageCount: 10 },
        { rulePriority: 2, description: 'Keep the newest images', maxImageCount: 30 },
      ],
    });
  }
}
