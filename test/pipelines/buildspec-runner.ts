import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

/**
 * Runs a CodeBuild buildspec (version 0.2) the way CodeBuild does: every command of every phase,
 * in order, in one bash shell, stopping at the first command that fails (`on-failure: ABORT`).
 * `docker` and `aws` are stubs that record their calls and answer like the real ones.
 */

/** How the stub `aws` answers. */
export interface StubBehaviour {
  /** `aws ecr describe-images` finds the tag (a re-run of the same revision). */
  readonly imageExists?: boolean;
  /** `aws ecr describe-images` fails with this error code instead of ImageNotFoundException. */
  readonly describeImagesError?: string;
  /** `aws ecr put-image` finds the deployed tag there already (a redeploy of the same image). */
  readonly deployedTagExists?: boolean;
  /** `aws ecr put-image` fails with this error code. */
  readonly putImageError?: string;
  /** The exit code of the task `aws ecs run-task` starts (the pre-deploy step); 0 unless set. */
  readonly taskExitCode?: number;
  /** `aws ecs run-task` places no task and answers with this failure reason. */
  readonly runTaskFailure?: string;
}

export interface StubCall {
  readonly cmd: 'aws' | 'docker';
  readonly args: string[];
  readonly stdin: string;
}

export interface BuildRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The calls the stubs received, in order. */
  readonly calls: StubCall[];
  /** The source directory after the build (CODEBUILD_SRC_DIR). */
  readonly srcDir: string;
  /** The exported variables' values at the end of the build. */
  readonly exported: Record<string, string>;
  /** Reads a file the build wrote, relative to the source directory. */
  read(file: string): string;
}

const FIXTURES = path.join(__dirname, 'fixtures');

const AWS_STUB = `#!/usr/bin/env python3
# Records the call, then answers like AWS CLI v2 for the calls the buildspecs make.
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps({"cmd": "aws", "args": args, "stdin": ""}) + "\\n")
def option(name):
    return args[args.index(name) + 1] if name in args else None
if args[:2] == ["ecr", "get-login-password"]:
    print("eyJwYXlsb2FkIjoic3R1Yi1lY3ItdG9rZW4ifQ==")
elif args[:2] == ["ecr", "describe-images"]:
    repo, tag = option("--repository-name"), option("--image-ids").split("=", 1)[1]
    if os.environ.get("STUB_DESCRIBE_IMAGES_ERROR"):
        sys.stderr.write("\\nAn error occurred (%s) when calling the DescribeImages operation: User is not authorized to perform: ecr:DescribeImages\\n" % os.environ["STUB_DESCRIBE_IMAGES_ERROR"])
        sys.exit(254)
    if os.environ.get("STUB_IMAGE_EXISTS") != "1":
        sys.stderr.write("\\nAn error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageDigest:'null', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '111111111111'\\n" % (tag, repo))
        sys.exit(254)
    print(json.dumps({"imageDetails": [{"registryId": "111111111111", "repositoryName": repo, "imageDigest": "sha256:" + "ab" * 32, "imageTags": [tag], "imageSizeInBytes": 19867000, "imagePushedAt": "2025-11-20T09:41:12+00:00", "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"}]}, indent=4))
elif args[:2] == ["ecs", "describe-task-definition"]:
    answer = json.load(open(os.environ["STUB_TASK_DEFINITION"]))
    if answer["taskDefinition"]["family"] != option("--task-definition"):
        sys.stderr.write("\\nAn error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition.\\n")
        sys.exit(254)
    print(json.dumps(answer, indent=4))
elif args[:2] == ["ecs", "run-task"]:
    overrides = json.load(open(option("--overrides")[len("file://"):]))
    json.loads(option("--network-configuration"))
    json.loads(option("--capacity-provider-strategy"))
    if os.environ.get("STUB_RUN_TASK_FAILURE"):
        print(json.dumps({"tasks": [], "failures": [{"arn": option("--task-definition"), "reason": os.environ["STUB_RUN_TASK_FAILURE"]}]}))
    else:
        print(json.dumps({"tasks": [{"taskArn": "arn:aws:ecs:eu-west-1:111111111111:task/platform/0123456789abcdef", "lastStatus": "PROVISIONING", "overrides": overrides}], "failures": []}))
elif args[:2] == ["ecs", "describe-tasks"]:
    code = int(os.environ.get("STUB_TASK_EXIT_CODE") or "0")
    task = {"taskArn": option("--tasks"), "lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited", "containers": [{"name": os.environ.get("CONTAINER_NAME", "api"), "exitCode": code}]}
    if option("--query") == "tasks[0].lastStatus":
        print("STOPPED")
    else:
        print(json.dumps({"tasks": [task], "failures": []}))
elif args[:2] == ["ecs", "register-task-definition"]:
    task = json.load(open(option("--cli-input-json")[len("file://"):]))
    rejected = [f for f in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy") if f in task]
    if rejected:
        sys.stderr.write("\\nParameter validation failed:\\nUnknown parameter in input: '%s'\\n" % rejected[0])
        sys.exit(252)
    print("arn:aws:ecs:eu-west-1:111111111111:task-definition/%s:8" % task["family"])
elif args[:2] == ["ssm", "put-parameter"]:
    print(json.dumps({"Version": 2, "Tier": "Standard"}, indent=4))
elif args[:2] == ["ecr", "batch-get-image"]:
    kind, value = option("--image-ids").split("=", 1)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"digest": "sha256:" + "cd" * 32}})
    image_id = {"imageDigest": "sha256:" + "ab" * 32} if kind == "imageTag" else {"imageDigest": value}
    if kind == "imageTag":
        image_id["imageTag"] = value
    print(json.dumps({"images": [{"registryId": "111111111111", "repositoryName": option("--repository-name"), "imageId": image_id, "imageManifest": manifest, "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"}], "failures": []}, indent=4))
elif args[:2] == ["ecr", "put-image"]:
    if os.environ.get("STUB_PUT_IMAGE_ERROR"):
        sys.stderr.write("\\nAn error occurred (%s) when calling the PutImage operation: User is not authorized to perform: ecr:PutImage\\n" % os.environ["STUB_PUT_IMAGE_ERROR"])
        sys.exit(254)
    if os.environ.get("STUB_DEPLOYED_TAG_EXISTS") == "1":
        sys.stderr.write("\\nAn error occurred (ImageAlreadyExistsException) when calling the PutImage operation: Image with digest 'sha256:%s' and tag '%s' already exists in the repository\\n" % ("ab" * 32, option("--image-tag")))
        sys.exit(254)
    manifest = open(option("--image-manifest")[len("file://"):]).read()
    json.loads(manifest)
    print(json.dumps({"image": {"imageId": {"imageTag": option("--image-tag")}}}))
else:
    sys.stderr.write("stub aws: unexpected call %s\\n" % args)
    sys.exit(252)
`;

const DOCKER_STUB = `#!/usr/bin/env python3
# Records the call, then answers like the Docker CLI.
import json, os, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if args[:1] == ["login"] else ""
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps({"cmd": "docker", "args": args, "stdin": stdin}) + "\\n")
if args[:1] == ["login"]:
    if "--password-stdin" not in args or not stdin.strip():
        sys.stderr.write("Error: Cannot perform an interactive login from a non TTY device\\n")
        sys.exit(1)
    print("Login Succeeded")
elif args[:1] == ["build"]:
    print("#0 building with \\"default\\" instance using docker driver")
    print("#8 naming to %s done" % args[args.index("--tag") + 1])
elif args[:1] == ["push"]:
    print("%s: digest: sha256:%s size: 1778" % (args[1].rsplit(":", 1)[1], "ab" * 32))
else:
    sys.stderr.write("stub docker: unexpected call %s\\n" % args)
    sys.exit(1)
`;

/**
 * Runs `buildSpec` with `env` (the project's and the action's environment variables) in a fresh
 * source directory holding the sample app and `sourceFiles` (relative path → content).
 */
export function runBuildSpec(buildSpec: any, env: Record<string, string>, options: {
  /** Where the sample app (a Dockerfile) goes in the source. */
  appDir?: string;
  sourceFiles?: Record<string, string>;
  stub?: StubBehaviour;
} = {}): BuildRun {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-'));
  const bin = path.join(work, 'bin');
  const srcDir = path.join(work, 'src');
  fs.mkdirSync(bin);
  fs.mkdirSync(srcDir);
  fs.cpSync(path.join(FIXTURES, 'app'), path.join(srcDir, options.appDir ?? '.'), { recursive: true });
  for (const [file, content] of Object.entries(options.sourceFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(srcDir, file)), { recursive: true });
    fs.writeFileSync(path.join(srcDir, file), content);
  }
  fs.writeFileSync(path.join(bin, 'aws'), AWS_STUB, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'docker'), DOCKER_STUB, { mode: 0o755 });
  const log = path.join(work, 'calls.jsonl');
  fs.writeFileSync(log, '');

  const exportedFile = path.join(work, 'exported.json');
  const exportedNames: string[] = buildSpec.env?.['exported-variables'] ?? [];
  const lines = ['# generated from the buildspec'];
  for (const phase of ['install', 'pre_build', 'build', 'post_build']) {
    for (const command of buildSpec.phases?.[phase]?.commands ?? []) {
      lines.push(command);
      lines.push(`__rc=$?; if [ "$__rc" -ne 0 ]; then echo "[${phase}] command failed with exit code $__rc" >&2; exit "$__rc"; fi`);
    }
  }
  // What CodeBuild hands to CodePipeline as the action's output variables.
  lines.push(`python3 -c 'import json, os, sys; json.dump({n: os.environ.get(n, "") for n in sys.argv[1:]}, open("${exportedFile}", "w"))' ${exportedNames.join(' ')}`);
  const script = path.join(work, 'build.sh');
  fs.writeFileSync(script, lines.join('\n') + '\n');

  const result = spawnSync('bash', [script], {
    cwd: srcDir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: work,
      TMPDIR: work,
      CODEBUILD_SRC_DIR: srcDir,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      STUB_LOG: log,
      STUB_TASK_DEFINITION: path.join(FIXTURES, 'describe-task-definition.json'),
      STUB_IMAGE_EXISTS: options.stub?.imageExists ? '1' : '',
      STUB_DESCRIBE_IMAGES_ERROR: options.stub?.describeImagesError ?? '',
      STUB_DEPLOYED_TAG_EXISTS: options.stub?.deployedTagExists ? '1' : '',
      STUB_PUT_IMAGE_ERROR: options.stub?.putImageError ?? '',
      STUB_TASK_EXIT_CODE: options.stub?.taskExitCode === undefined ? '' : String(options.stub.taskExitCode),
      STUB_RUN_TASK_FAILURE: options.stub?.runTaskFailure ?? '',
      ...env,
    },
  });
  const calls = fs.readFileSync(log, 'utf8').split('\n').filter(l => l).map(l => JSON.parse(l) as StubCall);
  return {
    exitCode: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    calls,
    srcDir,
    exported: fs.existsSync(exportedFile) ? JSON.parse(fs.readFileSync(exportedFile, 'utf8')) : {},
    read: (file: string) => fs.readFileSync(path.join(srcDir, file), 'utf8'),
  };
}

/** Parses YAML the way a YAML 1.1 consumer (CodeDeploy) does, with PyYAML; cfn-lint installs it. */
export function parseYaml(text: string): any {
  return YAML.parse(text, { strict: true, uniqueKeys: true });
}

export const ECR_SOURCE_IMAGE_DETAIL = fs.readFileSync(path.join(FIXTURES, 'ecr-source-image-detail.json'), 'utf8');
export const DESCRIBED_TASK_DEFINITION = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'describe-task-definition.json'), 'utf8'));
