import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CODECOMMIT_NAME_FIX, codeCommitNameProblem } from '../private/codecommit-name';
import { CONNECTION_ARN_FIX, connectionArnProblem } from '../private/connection-arn';
import { BRANCH_FIX, branchProblem } from '../private/git-branch';
import { TAG_FIX, tagProblem } from '../private/image-reference';
import { REPOSITORY_ID_FIX, repositoryIdProblem } from '../private/repository-id';
import { secureBucket } from '../private/secure-bucket';
import { checkGrammar, fail } from '../private/validation';

/**
 * Options for `PipelineSource.connection()`.
 */
export interface ConnectionSourceOptions {
  /**
   * The ARN of an AWS CodeConnections connection to GitHub, GitLab or Bitbucket. A new
   * connection stays PENDING until someone completes its handshake in the console.
   */
  readonly connectionArn: string;

  /** The repository, as `owner/name` (for example `my-org/orders-service`). */
  readonly repository: string;

  /**
   * The branch to build. Pushes to other branches do not start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/**
 * Options for `PipelineSource.codeCommit()`. Give exactly one of `repository` and `repositoryName`.
 */
export interface CodeCommitSourceOptions {
  /**
   * An existing CodeCommit repository.
   *
   * @default - a repository named `repositoryName` is created
   */
  readonly repository?: codecommit.IRepository;

  /**
   * The name of a CodeCommit repository to create. It is kept when the stack is deleted. AWS no
   * longer offers CodeCommit to accounts that never used it: prefer `connection()` or `s3()` there.
   *
   * @default - none; `repository` must be given
   */
  readonly repositoryName?: string;

  /**
   * The branch to build.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/**
 * Options for `PipelineSource.s3()`.
 */
export interface S3SourceOptions {
  /**
   * A versioned bucket that sends events to EventBridge (`eventBridgeEnabled: true`), so that a
   * new object version starts the pipeline.
   *
   * @default - a versioned, encrypted, SSL-only bucket with EventBridge notifications, removed as the pipeline's `removalPolicy` says (kept by default)
   */
  readonly bucket?: s3.IBucket;

  /**
   * The key of the zip file with the source code.
   *
   * @default 'source.zip'
   */
  readonly objectKey?: string;
}

/**
 * Options for `PipelineSource.ecrImage()`.
 */
export interface EcrImageSourceOptions {
  /** The repository images are pushed to by another build. */
  readonly repository: ecr.IRepository;

  /**
   * The tag whose pushes start the pipeline. The pipeline deploys the pushed image by digest.
   *
   * @default 'latest'
   */
  readonly tag?: string;
}

/**
 * What the pipeline binds a source to.
 */
export interface PipelineSourceBindOptions {
  /** The pipeline the source starts. */
  readonly pipeline: codepipeline.IPipeline;

  /** What happens to a bucket the source creates when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A source bound to a pipeline: its action and what the build needs to know about it.
 */
export interface PipelineSourceConfig {
  /** The source action of the pipeline's first stage. */
  readonly action: codepipeline.IAction;

  /** The artifact the source action writes. */
  readonly output: codepipeline.Artifact;

  /**
   * A pipeline variable with the source revision to tag the image with (commit id, S3 ETag).
   *
   * @default - none; the source is an image and nothing is built
   */
  readonly revisionVariable?: string;

  /**
   * The repository the source's images come from, when the source is an image.
   *
   * @default - none; the pipeline builds the image from source code
   */
  readonly imageRepository?: ecr.IRepository;

  /**
   * A pipeline trigger (pipeline type V2) that starts the pipeline, with a branch filter.
   *
   * @default - none; the source action or an EventBridge rule starts the pipeline
   */
  readonly trigger?: codepipeline.TriggerProps;

  /**
   * The bucket the source created.
   *
   * @default - none
   */
  readonly bucket?: s3.IBucket;

  /**
   * The CodeCommit repository the source created.
   *
   * @default - none
   */
  readonly repository?: codecommit.IRepository;
}

/**
 * Where a pipeline gets the service's code (or image) from.
 */
export abstract class PipelineSource {
  /**
   * A GitHub, GitLab or Bitbucket repository through an AWS CodeConnections connection. Every
   * push to `branch` starts the pipeline; the image is tagged with the commit id.
   */
  public static connection(options: ConnectionSourceOptions): PipelineSource {
    return new class extends PipelineSource {
      public bind(scope: Construct): PipelineSourceConfig {
        const branch = options.branch ?? 'main';
        if (Token.isUnresolved(options.repository)) {
          fail(scope, `source repository must be known at synth: the source action takes its owner and name apart; ${REPOSITORY_ID_FIX}`);
        }
        checkGrammar(scope, 'source repository', options.repository, repositoryIdProblem, REPOSITORY_ID_FIX);
        checkGrammar(scope, 'source connectionArn', options.connectionArn, connectionArnProblem, CONNECTION_ARN_FIX);
        checkGrammar(scope, 'source branch', branch, branchProblem, BRANCH_FIX);
        const [owner, repo] = options.repository.split('/');
        const output = new codepipeline.Artifact('Source');
        const action = new ConnectionSourceAction({
          actionName: 'Source',
          connectionArn: options.connectionArn,
          owner,
          repo,
          branch,
          output,
          // The V2 trigger below starts the pipeline, filtered to the branch.
          triggerOnPush: false,
        });
        return {
          action,
          output,
          revisionVariable: action.variables.commitId,
          trigger: {
            providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
            gitConfiguration: { sourceAction: action, pushFilter: [{ branchesIncludes: [branch] }] },
          },
        };
      }
    }();
  }

  /**
   * An AWS CodeCommit repository, existing or created (and kept when the stack is deleted). Every
   * push to `branch` starts the pipeline through EventBridge; the image is tagged with the commit id.
   */
  public static codeCommit(options: CodeCommitSourceOptions): PipelineSource {
    return new class extends PipelineSource {
      public bind(scope: Construct): PipelineSourceConfig {
        if ((options.repository === undefined) === (options.repositoryName === undefined)) {
          fail(scope, 'PipelineSource.codeCommit() needs exactly one of repository (an existing one) and repositoryName (to create one)');
        }
        const branch = options.branch ?? 'main';
        checkGrammar(scope, 'source repositoryName', options.repositoryName, codeCommitNameProblem, CODECOMMIT_NAME_FIX);
        checkGrammar(scope, 'source branch', branch, branchProblem, BRANCH_FIX);
        let created: codecommit.Repository | undefined;
        if (!options.repository) {
          created = new codecommit.Repository(scope, 'SourceRepository', {
            repositoryName: options.repositoryName!,
            description: 'Source code of the service; pushes start its pipeline',
          });
          // Code outlives any stack: a created repository is always kept.
          created.applyRemovalPolicy(RemovalPolicy.RETAIN);
        }
        const repository = options.repository ?? created!;
        const output = new codepipeline.Artifact('Source');
        const action = new actions.CodeCommitSourceAction({
          actionName: 'Source',
          repository,
          branch,
          output,
          trigger: actions.CodeCommitTrigger.EVENTS,
        });
        return {
          action,
          output,
          revisionVariable: action.variables.commitId,
          repository: created,
        };
      }
    }();
  }

  /**
   * A zip file in S3. Every new version of the object starts the pipeline through EventBridge; the
   * image is tagged with the object's ETag. Works in any account, with no connection to approve.
   */
  public static s3(options: S3SourceOptions = {}): PipelineSource {
    return new class extends PipelineSource {
      public bind(scope: Construct, bindOptions: PipelineSourceBindOptions): PipelineSourceConfig {
        const objectKey = options.objectKey ?? 'source.zip';
        if (!Token.isUnresolved(objectKey) && (objectKey.length === 0 || objectKey.startsWith('/'))) {
          fail(scope, `source objectKey ('${objectKey}') must be an object key without a leading '/', for example 'orders/source.zip'`);
        }
        const created = options.bucket ? undefined : PipelineSource.createSourceBucket(scope, bindOptions.removalPolicy);
        const bucket = options.bucket ?? created!;
        const output = new codepipeline.Artifact('Source');
        const action = new actions.S3SourceAction({
          actionName: 'Source',
          bucket,
          bucketKey: objectKey,
          output,
          trigger: actions.S3Trigger.NONE,
        });
        // S3's own EventBridge events start the pipeline; the S3 source's EVENTS trigger would need a CloudTrail trail.
        new events.Rule(scope, 'SourceRule', {
          description: 'Starts the pipeline when a new version of the source archive is uploaded',
          eventPattern: {
            source: ['aws.s3'],
            detailType: ['Object Created'],
            detail: { bucket: { name: [bucket.bucketName] }, object: { key: [objectKey] } },
          },
          targets: [new targets.CodePipeline(bindOptions.pipeline)],
        });
        return {
          action,
          output,
          revisionVariable: action.variables.eTag,
          bucket: created,
        };
      }
    }();
  }

  /**
   * An image pushed to ECR by another build. Every push of `tag` starts the pipeline, which
   * deploys that image by digest without building anything.
   */
  public static ecrImage(options: EcrImageSourceOptions): PipelineSource {
    return new class extends PipelineSource {
      public bind(scope: Construct): PipelineSourceConfig {
        const tag = options.tag ?? 'latest';
        checkGrammar(scope, 'source tag', tag, tagProblem, TAG_FIX);
        const output = new codepipeline.Artifact('Source');
        const action = new actions.EcrSourceAction({
          actionName: 'Source',
          repository: options.repository,
          imageTag: tag,
          output,
        });
        return { action, output, imageRepository: options.repository };
      }
    }();
  }

  private static createSourceBucket(scope: Construct, removalPolicy: RemovalPolicy): s3.Bucket {
    // Versioned, as the S3 source action needs: each execution reads the version that started it.
    const bucket = secureBucket(scope, 'SourceBucket', {
      removalPolicy,
      // Old versions stay long enough for a stage rollback to the last successful execution.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      noAccessLogsReason: 'The bucket holds source archives the pipeline reads; CloudTrail records who uploads them, and an access-log bucket per pipeline would only add cost.',
    });
    // Set on the resource itself: the eventBridgeEnabled prop would add a custom-resource Lambda.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    return bucket;
  }

  /**
   * Called by the pipeline to create the source action (and any bucket or repository it needs).
   */
  public abstract bind(scope: Construct, options: PipelineSourceBindOptions): PipelineSourceConfig;
}

/**
 * CodePipeline's connection source action, allowed to use the connection under its ARN's own service
 * prefix. aws-cdk-lib's action grants `codestar-connections:UseConnection` whatever the ARN, but the
 * action's prefix must match the resource's, and connections created since July 2024 have
 * `arn:aws:codeconnections:` ARNs ("Connections rename - Summary of changes",
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html). The pipeline needs only
 * UseConnection ("CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise Server,
 * GitLab.com, and GitLab self-managed actions", service role permissions,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html);
 * GetConnection and GetConnectionToken are for CodeBuild cloning through the connection, which the
 * default ZIP output does not do.
 */
class ConnectionSourceAction extends actions.CodeStarConnectionsSourceAction {
  constructor(private readonly sourceProps: actions.CodeStarConnectionsSourceActionProps) {
    super(sourceProps);
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const { connectionArn, owner, repo, branch, triggerOnPush } = this.sourceProps;
    const prefix = /^arn:[^:]+:(codeconnections|codestar-connections):/.exec(connectionArn)?.[1];
    // An ARN known only at deploy time may have either prefix.
    const prefixes = Token.isUnresolved(connectionArn) || !prefix ? ['codeconnections', 'codestar-connections'] : [prefix];
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: prefixes.map(p => `${p}:UseConnection`),
      resources: [connectionArn],
    }));
    // As aws-cdk-lib's action: the action writes the commit's ZIP to the artifact bucket.
    options.bucket.grantReadWrite(options.role);
    options.bucket.grantPutAcl(options.role);
    return {
      configuration: {
        ConnectionArn: connectionArn,
        FullRepositoryId: `${owner}/${repo}`,
        BranchName: branch,
        DetectChanges: triggerOnPush,
      },
    };
  }
}
