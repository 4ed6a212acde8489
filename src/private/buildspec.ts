/**
 * The shell commands the pipelines' CodeBuild projects run, in one place, so the tests run exactly
 * what CodeBuild runs (see test/pipelines/buildspec-runner.ts). They need bash, python3 and the AWS
 * CLI v2 (every CodeBuild standard image has them) and, to build, Docker; no jq.
 *
 * Inputs come from environment variables the project or the pipeline action sets:
 * - REPOSITORY_URI   the service's ECR repository, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`
 * - CONTAINER_NAME   the service's container
 * - SOURCE_REVISION  the source's commit id or S3 ETag, which the image is tagged with
 * - APP_PATH, DOCKERFILE, DOCKER_PLATFORM  what to build, for which CPU architecture
 * - TASK_DEFINITION_FAMILY, APPSPEC_YAML   CodeDeploy only: the task definition to start from, the AppSpec
 * - IMAGE_PARAMETER  the record step only: the SSM parameter holding the last deployed image
 * CodeBuild itself sets CODEBUILD_SRC_DIR and AWS_REGION.
 */

/** The fields of `DescribeTaskDefinition`'s answer that `RegisterTaskDefinition` rejects. */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities',
  'registeredAt', 'registeredBy', 'deregisteredAt',
];

/** The placeholder CodePipeline's CodeDeploy action replaces with the image from `imageDetail.json`. */
export const IMAGE_PLACEHOLDER = 'IMAGE1_NAME';

/** Files the build writes for the deploy stage. */
export const ROLLING_ARTIFACTS = ['imagedefinitions.json', 'imageDetail.json'];
export const CODEDEPLOY_ARTIFACTS = ['imageDetail.json', 'taskdef.json', 'appspec.yaml'];

export interface ImageBuildSpecOptions {
  /** Build the image with Docker from source, or take the image an ECR source action reports. */
  readonly buildImage: boolean;
  /** Commands that must pass before the image is built, run in APP_PATH. */
  readonly testCommands: string[];
  /** Whether the deploy stage is CodeDeploy's, which needs taskdef.json and appspec.yaml. */
  readonly codeDeploy: boolean;
}

/** A CodeBuild buildspec (version 0.2) as an object for `codebuild.BuildSpec.fromObject()`. */
export type BuildSpecObject = Record<string, any>;

export function imageBuildSpec(options: ImageBuildSpecOptions): BuildSpecObject {
  const preBuild = options.buildImage ? [
    'cd "$CODEBUILD_SRC_DIR"',
    // Docker tags are letters, digits, '_', '.' and '-', not starting with '.' or '-', up to 128
    // characters: a commit id is one already, an S3 ETag may come in quotes.
    'export IMAGE_TAG="$(printf \'%s\' "$SOURCE_REVISION" | tr -cd \'A-Za-z0-9_.-\' | sed \'s/^[.-]*//\' | cut -c1-128)"',
    'if [ -z "$IMAGE_TAG" ]; then echo "SOURCE_REVISION is empty: the pipeline passes the source revision (commit id or S3 ETag) to tag the image with" >&2; exit 1; fi',
    // The repository's tags are immutable: a tag per source revision, never only `latest`.
    'export IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
    // Split with cut rather than the shell's `${...%%/*}`: the buildspec is a string in the template,
    // where `${...}` looks like a CloudFormation parameter outside Fn::Sub to template validators.
    'export REGISTRY="$(printf \'%s\' "$REPOSITORY_URI" | cut -d/ -f1)"',
    'export REPOSITORY_NAME="$(printf \'%s\' "$REPOSITORY_URI" | cut -d/ -f2-)"',
    // AWS CLI v2 has no `aws ecr get-login`.
    'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
  ] : [
    'cd "$CODEBUILD_SRC_DIR"',
    // The ECR source action wrote imageDetail.json with the pushed image's URI by digest.
    'export IMAGE_URI="$(python3 -c \'import json; print(json.load(open("imageDetail.json"))["ImageURI"])\')"',
  ];

  const build = options.buildImage ? [
    ...(options.testCommands.length > 0 ? ['cd "$CODEBUILD_SRC_DIR/$APP_PATH"', ...options.testCommands, 'cd "$CODEBUILD_SRC_DIR"'] : []),
    // A re-run of the same revision reuses the image: pushing an existing tag to an immutable repository fails.
    [
      'DESCRIBE_ERRORS="$(mktemp)"',
      'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$IMAGE_TAG" > /dev/null 2> "$DESCRIBE_ERRORS"; then',
      '  echo "$IMAGE_URI exists already: reusing it"',
      'elif grep -q ImageNotFoundException "$DESCRIBE_ERRORS"; then',
      // COMMIT_HASH lets the image report its own version (a Dockerfile without that ARG ignores it).
      '  docker build --platform "$DOCKER_PLATFORM" --build-arg "COMMIT_HASH=$IMAGE_TAG" --file "$CODEBUILD_SRC_DIR/$APP_PATH/$DOCKERFILE" --tag "$IMAGE_URI" "$CODEBUILD_SRC_DIR/$APP_PATH"',
      '  docker push "$IMAGE_URI"',
      'else',
      '  cat "$DESCRIBE_ERRORS" >&2',
      '  exit 1',
      'fi',
    ].join('\n'),
  ] : [
    'echo "deploying $IMAGE_URI"',
  ];

  const postBuild = [
    'cd "$CODEBUILD_SRC_DIR"',
    'python3 -c \'import json, os; json.dump({"ImageURI": os.environ["IMAGE_URI"]}, open("imageDetail.json", "w"))\'',
    ...(options.codeDeploy ? codeDeployArtifactCommands() : [
      'python3 -c \'import json, os; json.dump([{"name": os.environ["CONTAINER_NAME"], "imageUri": os.environ["IMAGE_URI"]}], open("imagedefinitions.json", "w"))\'',
    ]),
  ];

  return {
    version: '0.2',
    env: {
      'shell': 'bash',
      // Shown in the approval request; set by the build.
      'exported-variables': ['IMAGE_URI'],
    },
    phases: {
      pre_build: { 'on-failure': 'ABORT', 'commands': ['set -o pipefail', ...preBuild] },
      build: { 'on-failure': 'ABORT', 'commands': build },
      post_build: { 'on-failure': 'ABORT', 'commands': postBuild },
    },
    artifacts: { files: options.codeDeploy ? CODEDEPLOY_ARTIFACTS : ROLLING_ARTIFACTS },
  };
}

/**
 * taskdef.json: the newest revision of the service's task definition family (what CloudFormation
 * or the pipeline registered last) with the image replaced by the placeholder; appspec.yaml.
 */
function codeDeployArtifactCommands(): string[] {
  return [
    ...copyRevisionCommands(`"<${IMAGE_PLACEHOLDER}>"`, 'taskdef.json'),
    'rm current-taskdef.json',
    'printf \'%s\\n\' "$APPSPEC_YAML" > appspec.yaml',
  ];
}

/**
 * Copies the newest revision of TASK_DEFINITION_FAMILY (what CloudFormation or the pipeline
 * registered last), without the fields RegisterTaskDefinition refuses, with `image` (a Python
 * expression) as the image of the container CONTAINER_NAME, into `file`; `python` runs after.
 */
export function copyRevisionCommands(image: string, file: string, python: string[] = []): string[] {
  const drop = JSON.stringify(READ_ONLY_TASK_DEFINITION_FIELDS);
  return [
    'aws ecs describe-task-definition --task-definition "$TASK_DEFINITION_FAMILY" --output json > current-taskdef.json',
    [
      'python3 - <<\'PY\'',
      'import json, os, sys',
      'task = json.load(open("current-taskdef.json"))["taskDefinition"]',
      `for field in ${drop}:`,
      '    task.pop(field, None)',
      'containers = [c for c in task["containerDefinitions"] if c["name"] == os.environ["CONTAINER_NAME"]]',
      'if len(containers) != 1:',
      '    sys.exit("task definition %s has no container named %s" % (os.environ["TASK_DEFINITION_FAMILY"], os.environ["CONTAINER_NAME"]))',
      `containers[0]["image"] = ${image}`,
      `json.dump(task, open("${file}", "w"), indent=2)`,
      ...python,
      'PY',
    ].join('\n'),
  ];
}

/** The image the build step wrote to imageDetail.json, as a Python expression. */
export const BUILT_IMAGE = 'json.load(open("imageDetail.json"))["ImageURI"]';

/** A buildspec of one build phase in bash that stops at the first failing command. */
export function oneStepBuildSpec(commands: string[]): BuildSpecObject {
  return { version: '0.2', env: { shell: 'bash' }, phases: { build: { 'on-failure': 'ABORT', commands } } };
}

/**
 * The record step, after a successful deployment: the deployed image becomes what CloudFormation
 * reads the next time it registers the task definition.
 */
export function recordImageBuildSpec(): BuildSpecObject {
  return oneStepBuildSpec([
    'set -o pipefail',
    'cd "$CODEBUILD_SRC_DIR"',
    'export IMAGE_URI="$(python3 -c \'import json; print(json.load(open("imageDetail.json"))["ImageURI"])\')"',
    'aws ssm put-parameter --name "$IMAGE_PARAMETER" --value "$IMAGE_URI" --type String --overwrite',
    // Tag the image `deployed-<tag or digest>`: the repository's lifecycle rules keep those
    // apart from the builds, so no later build expires the image the service now runs. ECR
    // adds a tag by putting the same manifest again (immutable tags allow new ones).
    'IMAGE_REF="$(printf \'%s\' "$IMAGE_URI" | cut -d/ -f2-)"',
    'case "$IMAGE_REF" in *@*) IMAGE_ID="imageDigest=$(printf \'%s\' "$IMAGE_REF" | cut -d@ -f2)"; DEPLOYED_TAG="deployed-$(printf \'%s\' "$IMAGE_REF" | cut -d: -f2 | cut -c1-64)";; *) IMAGE_ID="imageTag=$(printf \'%s\' "$IMAGE_REF" | cut -d: -f2)"; DEPLOYED_TAG="deployed-$(printf \'%s\' "$IMAGE_REF" | cut -d: -f2 | cut -c1-119)";; esac',
    'aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "$IMAGE_ID" --output json > image.json',
    'python3 -c \'import json; i = json.load(open("image.json"))["images"][0]; open("manifest.json", "w").write(i["imageManifest"]); open("media-type", "w").write(i["imageManifestMediaType"])\'',
    // A redeploy of the same image finds the tag there already.
    'if ! aws ecr put-image --repository-name "$REPOSITORY_NAME" --image-tag "$DEPLOYED_TAG" --image-manifest file://manifest.json --image-manifest-media-type "$(cat media-type)" > /dev/null 2> put-image.err; then grep -Eq "ImageAlreadyExistsException|ImageTagAlreadyExistsException" put-image.err || { cat put-image.err >&2; exit 1; }; fi',
  ]);
}

/**
 * The AppSpec of a CodeDeploy ECS deployment. CodePipeline fills in `<TASK_DEFINITION>`. `hooks`
 * names Lambda functions CodeDeploy runs at lifecycle events, such as a load-test gate at
 * `AfterAllowTestTraffic` (`codeDeployHooksOf(service)`; "AppSpec 'hooks' section",
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html).
 */
export function appSpec(options: {
  containerName: string;
  containerPort: number;
  capacityProviderStrategy: Array<{ capacityProvider: string; weight?: number; base?: number }>;
  hooks?: { afterAllowTestTraffic?: string };
}): string {
  const lines = [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    '        TaskDefinition: "<TASK_DEFINITION>"',
    '        LoadBalancerInfo:',
    `          ContainerName: "${options.containerName}"`,
    `          ContainerPort: ${options.containerPort}`,
    // The new task set runs where the service runs; without a strategy CodeDeploy would fall back
    // to the cluster's default, which may be empty.
    '        CapacityProviderStrategy:',
  ];
  for (const s of options.capacityProviderStrategy) {
    lines.push(`          - CapacityProvider: "${s.capacityProvider}"`, `            Base: ${s.base ?? 0}`, `            Weight: ${s.weight ?? 0}`);
  }
  if (options.hooks?.afterAllowTestTraffic) {
    // A function name is a token in the template: CloudFormation writes it into the build's variable.
    lines.push('Hooks:', `  - AfterAllowTestTraffic: "${options.hooks.afterAllowTestTraffic}"`);
  }
  return lines.join('\n');
}
