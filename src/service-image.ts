import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IMAGE_FIX, imageProblem, TAG_FIX, tagProblem } from './private/image-reference';
import { createImageParameter, PipelineContainerImage } from './private/pipeline-image';
import { checkGrammar, fail } from './private/validation';

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
 * Options for `ServiceImage.fromPipeline()`.
 */
export interface PipelineImageOptions {
  /**
   * The image the service runs until its pipeline has deployed for the first time, for example
   * `public.ecr.aws/nginx/nginx:1.27-alpine`. It must answer the load balancer's health check on
   * the service's container port, or the first deployment of the stack fails.
   */
  readonly initialImage: string;
}

/**
 * What the service binds an image to: the facts an image source may need.
 */
export interface ServiceImageBindOptions {
  /** The CPU architecture the tasks run on. Images built here are built for it. */
  readonly cpuArchitecture: ecs.CpuArchitecture;

  /**
   * The service's ECR repository, which its pipeline pushes images to.
   *
   * @default - none; `ServiceImage.fromPipeline()` needs it
   */
  readonly repository?: ecr.IRepository;
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
      public bind(scope: Construct): ecs.ContainerImage {
        checkGrammar(scope, 'imageName', imageName, imageProblem, IMAGE_FIX);
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
      public bind(scope: Construct): ecs.ContainerImage {
        // aws-cdk-lib takes a digest in place of the tag and writes `@sha256:…` for it.
        checkGrammar(scope, 'tag', tag, t => t.startsWith('sha256:') ? imageProblem(`image@${t}`) : tagProblem(t), TAG_FIX);
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
   * The image a `RollingPipeline` or `BlueGreenPipeline` deploys, with no drift between the
   * pipeline and `cdk deploy`.
   *
   * The service gets an SSM parameter that holds the image to run: `initialImage` at first, then
   * every image the pipeline has deployed successfully (`<repository>:<commit>`). The task
   * definition reads the parameter whenever CloudFormation registers a new revision, and the service
   * runs the newest revision of its task definition family, so a later `cdk deploy` never puts the
   * service back on an older image. CloudFormation writes `initialImage` once, when it creates the
   * parameter, and never again: changing it later has no effect on a deployed service.
   */
  public static fromPipeline(options: PipelineImageOptions): ServiceImage {
    return new class extends ServiceImage {
      public bind(scope: Construct, bindOptions: ServiceImageBindOptions): ecs.ContainerImage {
        if (!bindOptions.repository) {
          fail(scope, 'ServiceImage.fromPipeline() needs the service\'s ECR repository in its bind options: bind it through a MicroService, which passes its repository');
        }
        checkGrammar(scope, 'initialImage', options.initialImage, imageProblem, IMAGE_FIX);
        const { parameter, creation } = createImageParameter(scope, options.initialImage);
        return new PipelineContainerImage(parameter, bindOptions.repository, creation);
      }
    }();
  }

  /**
   * Called by MicroService when it creates its container.
   */
  public abstract bind(scope: Construct, options: ServiceImageBindOptions): ecs.ContainerImage;
}
