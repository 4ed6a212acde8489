import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * Options for `ServiceImage.fromRegistry()`.
 */
export interface RegistryImageOptions {
  /**
   * Credentials for a private registry, as a Secrets Manager secret with `username` and `password`.
   *
   * @default - anonymous pull
   */
  readonly credentials?: secretsmanager.ISecret;
}

/**
 * Options for `ServiceImage.fromAsset()`.
 */
export interface AssetImageOptions {
  /**
   * The Dockerfile's name, relative to the directory.
   *
   * @default 'Dockerfile'
   */
  readonly file?: string;

  /**
   * Build arguments passed to `docker build`.
   *
   * @default - none
   */
  readonly buildArgs?: Record<string, string>;

  /**
   * Paths, relative to the directory, that are left out of the build context.
   *
   * @default - those listed in the directory's `.dockerignore`
   */
  readonly exclude?: string[];
}

/**
 * What the service binds an image to: the facts an image source may need.
 */
export interface ServiceImageBindOptions {
  /** The CPU architecture the tasks run on; images built here are built for it. */
  readonly cpuArchitecture: ecs.CpuArchitecture;
}

/**
 * Where a MicroService's container image comes from.
 */
export abstract class ServiceImage {
  /**
   * An image from a public or private registry, for example `public.ecr.aws/nginx/nginx:1.27`.
   */
  public static fromRegistry(imageName: string, options: RegistryImageOptions = {}): ServiceImage {
    return new class extends ServiceImage {
      public bind(): ecs.ContainerImage {
        return ecs.ContainerImage.fromRegistry(imageName, { credentials: options.credentials });
      }
    }();
  }

  /**
   * An image in an ECR repository, by tag. Repositories with immutable tags want a tag per build
   * (such as the commit id), never `latest`.
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string): ServiceImage {
    return new class extends ServiceImage {
      public bind(): ecs.ContainerImage {
        return ecs.ContainerImage.fromEcrRepository(repository, tag);
      }
    }();
  }

  /**
   * An image built from a local directory with a Dockerfile when the app is deployed (`cdk deploy`),
   * for the service's CPU architecture, and pushed to the CDK bootstrap repository.
   */
  public static fromAsset(directory: string, options: AssetImageOptions = {}): ServiceImage {
    return new class extends ServiceImage {
      public bind(_scope: Construct, bindOptions: ServiceImageBindOptions): ecs.ContainerImage {
        return ecs.ContainerImage.fromAsset(directory, {
          file: options.file,
          buildArgs: options.buildArgs,
          exclude: options.exclude,
          platform: bindOptions.cpuArchitecture === ecs.CpuArchitecture.ARM64
            ? ecrAssets.Platform.LINUX_ARM64
            : ecrAssets.Platform.LINUX_AMD64,
        });
      }
    }();
  }

  /**
   * Called by MicroService when it creates its container.
   */
  public abstract bind(scope: Construct, options: ServiceImageBindOptions): ecs.ContainerImage;
}
