import { BuildSpecObject, CODEDEPLOY_ARTIFACTS, imageBuildSpec, recordImageBuildSpec, ROLLING_ARTIFACTS } from './buildspec';

/**
 * The buildspecs of a release pipeline, made from the single-service pipelines' ones (buildspec.ts)
 * so both run the same commands. The build runs once and writes one output artifact per stage,
 * each with the files that stage's deploy action reads, all naming the image by digest.
 */

/** What the build writes for one stage. */
export interface ReleaseStageFiles {
  /** The stage's output artifact, also the buildspec's secondary artifact identifier. */
  readonly artifact: string;
  /** Whether the stage deploys with CodeDeploy (taskdef.json, appspec.yaml) or ECS (imagedefinitions.json). */
  readonly codeDeploy: boolean;
  /**
   * The prefix of the project's environment variables for this stage: `<prefix>CONTAINER_NAME`,
   * and for CodeDeploy `<prefix>TASK_DEFINITION_FAMILY` and `<prefix>APPSPEC_YAML`.
   */
  readonly variablePrefix: string;
}

export interface ReleaseBuildSpecOptions {
  /** Build the image with Docker from source, or take the image an ECR source action reports (already by digest). */
  readonly buildImage: boolean;
  /** Commands that must pass before the image is built. */
  readonly testCommands: string[];
  /** The stages in order. The first one's artifact is also the primary artifact. */
  readonly stages: ReleaseStageFiles[];
}

/** Where the build writes a stage's files, relative to the source directory. */
export function stageDirectory(artifact: string): string {
  return `release-artifacts/${artifact}`;
}

/**
 * The single-service build (imageBuildSpec), then the image pinned to its digest, then each stage's
 * files written by the single-service post-build commands in a subshell whose source directory is
 * the stage's directory and whose CONTAINER_NAME (and CodeDeploy inputs) are the stage's.
 *
 * A pipeline action with several output artifacts gets each from the secondary artifact whose
 * identifier is the artifact's name ("CodePipeline integration with CodeBuild and multiple input
 * sources and output artifacts sample",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/sample-pipeline-multi-input-output.html).
 */
export function releaseBuildSpec(options: ReleaseBuildSpecOptions): BuildSpecObject {
  const base = imageBuildSpec({ buildImage: options.buildImage, testCommands: options.testCommands, codeDeploy: false });
  const stageCommands = options.stages.map(stage => {
    const single = imageBuildSpec({ buildImage: options.buildImage, testCommands: [], codeDeploy: stage.codeDeploy });
    const post: string[] = single.phases.post_build.commands;
    const variables = ['CONTAINER_NAME', ...(stage.codeDeploy ? ['TASK_DEFINITION_FAMILY', 'APPSPEC_YAML'] : [])];
    return [
      '(',
      'set -e -o pipefail',
      `mkdir -p "$CODEBUILD_SRC_DIR/${stageDirectory(stage.artifact)}"`,
      `export CODEBUILD_SRC_DIR="$CODEBUILD_SRC_DIR/${stageDirectory(stage.artifact)}"`,
      ...variables.map(v => `export ${v}="$${stage.variablePrefix}${v}"`),
      ...post,
      ')',
    ].join('\n');
  });
  const [first, ...rest] = options.stages;
  const files = (stage: ReleaseStageFiles) => (stage.codeDeploy ? CODEDEPLOY_ARTIFACTS : ROLLING_ARTIFACTS);
  return {
    ...base,
    phases: {
      ...base.phases,
      post_build: {
        'on-failure': 'ABORT',
        'commands': [
          'cd "$CODEBUILD_SRC_DIR"',
          ...(options.buildImage ? pinDigestCommands() : []),
          ...stageCommands,
        ],
      },
    },
    artifacts: {
      'base-directory': stageDirectory(first.artifact),
      'files': files(first),
      'secondary-artifacts': Object.fromEntries([first, ...rest].map(stage => [stage.artifact, {
        'base-directory': stageDirectory(stage.artifact),
        'files': files(stage),
      }])),
    },
  };
}

/**
 * IMAGE_URI from `repository:tag` to `repository@sha256:…`, the digest ECR holds for the tag: every
 * stage then runs the same bytes, whatever is later pushed or re-tagged. BatchGetImage answers with
 * the manifest's digest in `imageId` (Amazon ECR API Reference, BatchGetImage); a missing image is
 * a failure in the answer, not an error, so an empty `images` fails the build here.
 */
function pinDigestCommands(): string[] {
  return [
    'export IMAGE_DIGEST="$(aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$IMAGE_TAG" --output json | python3 -c \'import json, sys; print(json.load(sys.stdin)["images"][0]["imageId"]["imageDigest"])\')"',
    'export IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"',
    'echo "releasing $IMAGE_URI"',
  ];
}

/**
 * The record step of one stage (recordImageBuildSpec), run in the stage's account and region: the
 * parameter is the stage's own, the image and its `deployed-` tag are in the build repository, in
 * REGISTRY_ID's account and REGISTRY_REGION. The ECR calls name that registry and region; buildspec
 * version 0.2 runs every command of a build in the same shell, so the function applies to them all
 * ("Buildspec syntax", version, https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html).
 */
export function recordReleaseBuildSpec(): BuildSpecObject {
  const record = recordImageBuildSpec();
  return {
    ...record,
    phases: {
      build: {
        ...record.phases.build,
        commands: [
          'aws() { if [ "$1" = ecr ]; then command aws "$@" --registry-id "$REGISTRY_ID" --region "$REGISTRY_REGION"; else command aws "$@"; fi; }',
          ...record.phases.build.commands,
        ],
      },
    },
  };
}
