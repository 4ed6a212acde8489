import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ScopedCodeDeployEcsDeployAction } from './pipeline-actions';
import { ReleaseStageFiles } from './release-buildspec';
import { checkBakeTime, checkWindow, envOf, MAX_RULES_PER_CONDITION } from './release-gates';
import { fail } from './validation';
import { MicroService } from '../micro-service';
import { codeDeployAppSpec, ecsDeployEngine, serviceTarget, targetName, validatePipeline } from '../pipelines/pipeline-core';
import { registerRevisionEngine } from '../pipelines/register-revision';
import type { ReleasePipelineProps, ReleaseStage } from '../pipelines/release-pipeline';

/**
 * The stages of a ReleasePipeline: checked before anything is created, then each one's deploy
 * action and the access its account needs.
 */

/** The bake time of a stage with alarms that does not declare one. */
export const DEFAULT_BAKE_TIME = Duration.minutes(10);

/**
 * At most 5 stages: the build writes one output artifact per stage, and a CodeBuild action has at
 * most 5 ("Valid input and output artifacts for each action type", CodeBuild: 0 to 5 outputs,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-action-artifacts.html).
 */
export const MAX_STAGES = 5;

/** Stage names the pipeline uses itself. */
const RESERVED_STAGE_NAMES = ['Source', 'Build'];

/** What the pipeline needs to know about one stage, decided before anything is created. */
export interface ReleaseStagePlan {
  readonly stage: ReleaseStage;
  /** The target's stack is in an account other than the pipeline's. */
  readonly crossAccount: boolean;
  /** What the build writes for this stage. */
  readonly files: ReleaseStageFiles;
  /** The build project's environment variables for this stage's files. */
  readonly buildVariables: Record<string, codebuild.BuildEnvironmentVariable>;
  /** The alarms the stage bakes on; empty for no bake. */
  readonly bakeAlarms: cloudwatch.IAlarm[];
  readonly bakeTime: Duration;
  /** The modelled duration of the target's deployment (0 for a task no service runs). */
  readonly deploySeconds: number;
}

/** Fails on the first stage that cannot be released; returns the plan of each stage. */
export function validateReleaseStages(scope: Construct, props: ReleasePipelineProps): ReleaseStagePlan[] {
  const stages = props.stages;
  if (stages.length === 0) {
    fail(scope, 'stages is empty: give at least one stage, such as [{ stageName: \'prod\', target: service }]');
  }
  if (stages.length > MAX_STAGES) {
    fail(scope, `stages has ${stages.length} stages, more than ${MAX_STAGES}: the build writes one output artifact per stage and a CodeBuild action has at most 5; use a second ReleasePipeline with PipelineSource.ecrImage() on the build repository for further stages`);
  }
  const pipelineEnv = envOf(scope);
  const names = new Set<string>(RESERVED_STAGE_NAMES);
  const targets = new Map<IConstruct, string>();
  const first = stages[0].target;
  return stages.map((stage, i) => {
    const prop = `stages[${i}]`;
    const name = stage.stageName;
    if (Token.isUnresolved(name) || !/^[A-Za-z0-9.@_-]{1,80}$/.test(name)) {
      fail(scope, `${prop}.stageName ('${name}') must be 1-80 letters, digits, '.', '@', '_' and '-', known at synth, such as 'prod'`);
    }
    for (const pipelineStage of stage.manualApproval ? [name, `${name}-Approval`] : [name]) {
      if (names.has(pipelineStage)) {
        fail(scope, `${prop}.stageName ('${name}') makes a pipeline stage '${pipelineStage}', which is taken (by 'Source', 'Build' or another stage): give each stage its own name`);
      }
      names.add(pipelineStage);
    }
    const target = stage.target;
    const other = targets.get(target);
    if (other !== undefined) {
      fail(scope, `${prop}.target ('${targetName(target)}') is also the target of stage '${other}': each stage releases to its own service or task`);
    }
    targets.set(target, name);
    validatePipeline(scope, { service: target, source: props.source, deployTimeout: stage.deployTimeout, imageBuild: props.imageBuild });
    if (target.cpuArchitecture !== first.cpuArchitecture) {
      fail(scope, `${prop}.target ('${targetName(target)}') runs on ${target.cpuArchitecture._cpuArchitecture} but the first stage's on ${first.cpuArchitecture._cpuArchitecture}: the image is built once, for one CPU architecture; give every stage's target the same cpuArchitecture`);
    }

    const targetEnv = envOf(target);
    const crossAccount = targetEnv.account !== pipelineEnv.account;
    if (crossAccount && (pipelineEnv.account === undefined || targetEnv.account === undefined)) {
      fail(scope, `${prop}.target ('${targetName(target)}') is in another account than the pipeline, and one of the accounts is unknown at synth: give the pipeline's stack and the target's stack env: { account, region }, as CodePipeline needs to know where each action runs`);
    }
    if (targetEnv.region !== pipelineEnv.region) {
      // Actions in another region read their artifacts from a replication bucket there, whose key
      // aws-cdk-lib grants to the pipeline's role on "*" (the key's ARN is unknown across regions).
      fail(scope, `${prop}.target ('${targetName(target)}') is in region ${targetEnv.region ?? '(unknown at synth)'}, not the pipeline's ${pipelineEnv.region ?? '(unknown at synth)'}: a ReleasePipeline deploys within its own region; give the target's stack the pipeline's region, or release there with a ReleasePipeline in that region (PipelineSource.ecrImage() on a replica of the build repository keeps the digest)`);
    }

    const service = serviceTarget(target);
    const codeDeploy = service instanceof MicroService && service.deploymentStrategy._controller === ecs.DeploymentControllerType.CODE_DEPLOY;
    if ((!service || codeDeploy) && stage.deployTimeout !== undefined) {
      fail(scope, `${prop}.deployTimeout is set but '${targetName(target)}' ${service ? 'deploys with CodeDeploy, which runs its own schedule' : 'is a task no ECS service runs'}: remove deployTimeout`);
    }
    if (codeDeploy && crossAccount) {
      // The build writes CodeDeploy's taskdef.json from the family's latest revision, which it
      // describes with its own role in the pipeline's account (createImageBuildProject), where
      // another account's task definitions are not.
      fail(scope, `${prop}.target ('${targetName(target)}') deploys with DeploymentStrategy.codeDeploy() and is in account ${targetEnv.account}, not the pipeline's ${pipelineEnv.account}: the build copies the task definition CodeDeploy deploys in the pipeline's account, where that service's is not; give it DeploymentStrategy.blueGreen(), canary() or linear() (ECS-native, deployed across accounts), or release it from a ReleasePipeline in its own account (PipelineSource.ecrImage() on the build repository promotes the same digest)`);
    }
    const defaultAlarms = target instanceof MicroService ? target.rollbackAlarms : [];
    const bakeTime = stage.bakeTime ?? DEFAULT_BAKE_TIME;
    checkBakeTime(scope, `${prop}.bakeTime`, bakeTime);
    if (crossAccount && stage.bakeAlarms === undefined && bakeTime.toMinutes() > 0 && defaultAlarms.length > 0) {
      // A CloudWatchAlarm rule names the alarm by name only, read in the pipeline's account
      // (https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html).
      fail(scope, `${prop}.bakeAlarms is unset, so stage '${name}' would bake on the rollbackAlarms of '${targetName(target)}', which are in account ${targetEnv.account}; a stage condition reads alarms of the pipeline's account ${pipelineEnv.account} only: give bakeAlarms alarms of the pipeline's account, or bakeTime: Duration.minutes(0) to promote without a bake (the service's deployment still rolls back on its rollbackAlarms)`);
    }
    const alarms = bakeTime.toMinutes() === 0 ? [] : (stage.bakeAlarms ?? defaultAlarms);
    if (stage.bakeTime !== undefined && bakeTime.toMinutes() > 0 && alarms.length === 0) {
      fail(scope, `${prop}.bakeTime is set but stage '${name}' has no alarms to bake on ('${targetName(target)}' has no rollbackAlarms): give bakeAlarms, or remove bakeTime`);
    }
    if (alarms.length > MAX_RULES_PER_CONDITION) {
      fail(scope, `${prop}.bakeAlarms has ${alarms.length} alarms; a stage condition takes at most ${MAX_RULES_PER_CONDITION} rules: combine them in a cloudwatch.CompositeAlarm`);
    }
    alarms.forEach((alarm, j) => {
      const alarmEnv = envOf(alarm);
      if (alarmEnv.account !== pipelineEnv.account || alarmEnv.region !== pipelineEnv.region) {
        fail(scope, `${prop}.bakeAlarms[${j}] is in ${alarmEnv.account ?? '(account unknown at synth)'}/${alarmEnv.region ?? '(region unknown at synth)'}, not the pipeline's ${pipelineEnv.account ?? '(account unknown at synth)'}/${pipelineEnv.region ?? '(region unknown at synth)'}: a CloudWatchAlarm rule reads the alarm with the pipeline's role; bake on alarms of the pipeline's account and region`);
      }
    });
    if (stage.deploymentWindow) {
      checkWindow(scope, `${prop}.deploymentWindow`, stage.deploymentWindow);
    }

    const variablePrefix = `STAGE${i + 1}_`;
    const buildVariables: Record<string, codebuild.BuildEnvironmentVariable> = {
      [`${variablePrefix}CONTAINER_NAME`]: { value: target.container.containerName },
    };
    if (codeDeploy) {
      Object.assign(buildVariables, {
        [`${variablePrefix}TASK_DEFINITION_FAMILY`]: { value: service.taskDefinition.family },
        [`${variablePrefix}APPSPEC_YAML`]: { value: codeDeployAppSpec(service) },
      });
    }
    return {
      stage,
      crossAccount,
      files: { artifact: `Stage${i + 1}`, codeDeploy, variablePrefix },
      buildVariables,
      bakeAlarms: alarms,
      bakeTime,
      deploySeconds: service ? service._deploymentModel.totalSeconds : 0,
    };
  });
}

/** The ARN parts that identify a repository, when known at synth. */
function repositoryIdentity(repository: ecr.IRepository): { name?: string; account?: string; region?: string } {
  const owned = repository instanceof ecr.Repository ? (repository.node.defaultChild as ecr.CfnRepository).repositoryName : repository.repositoryName;
  const env = repository.env;
  const known = (v: string | undefined) => (v === undefined || Token.isUnresolved(v) ? undefined : v);
  return { name: known(owned), account: known(env.account), region: known(env.region) };
}

/**
 * Whether `other` is `build`: the same object, or an import of it by name in the same account and
 * region (how a stack in another environment refers to it).
 */
function sameRepository(build: ecr.IRepository, other: ecr.IRepository): boolean {
  if (build === other) {
    return true;
  }
  const a = repositoryIdentity(build);
  const b = repositoryIdentity(other);
  return a.name !== undefined && a.name === b.name && a.account === b.account && a.region === b.region;
}

/**
 * Checks that the stage takes its image from the build repository and lets the stage's account
 * read what it needs: the artifacts (bucket policy) and the image (repository policy). Images from
 * an ECR source are pulled from that repository with the target's execution role.
 */
export function grantStageAccess(scope: Construct, plan: ReleaseStagePlan, buildRepository: ecr.IRepository, ecrSource: boolean): void {
  const { stage } = plan;
  const target = stage.target;
  const name = stage.stageName;
  const build = repositoryIdentity(buildRepository);
  const pipelineEnv = envOf(scope);
  if ((build.account !== undefined && build.account !== pipelineEnv.account) || (build.region !== undefined && build.region !== pipelineEnv.region)) {
    fail(scope, `the build repository is in ${build.account}/${build.region}, not the pipeline's ${pipelineEnv.account}/${pipelineEnv.region}: the build pushes to a repository in its own account and region; give buildRepository one there`);
  }
  if (ecrSource) {
    if (plan.crossAccount) {
      fail(scope, `stage '${name}' is in account ${envOf(target).account} and the source is PipelineSource.ecrImage(): the pipeline cannot write that repository's policy for the other account; build from source, or release from a pipeline in the stage's account`);
    }
    buildRepository.grantPull(target.taskDefinition.obtainExecutionRole());
    return;
  }
  if (!sameRepository(buildRepository, target.repository)) {
    fail(scope, `stage '${name}': '${targetName(target)}' takes its images from repository '${repositoryIdentity(target.repository).name ?? target.repository.node.path}', not the build repository '${build.name ?? buildRepository.node.path}': give the target repository: the build repository (in another account or region, ecr.Repository.fromRepositoryArn with its ARN, for which the build repository needs a literal repositoryName)`);
  }
  if (!plan.crossAccount) {
    return;
  }
  if (!(buildRepository instanceof ecr.Repository)) {
    fail(scope, `stage '${name}' is in account ${envOf(target).account}, and the build repository was not created in this app: the pipeline writes the repository policy that lets that account pull, so give buildRepository an ecr.Repository of this app`);
  }
  const account = envOf(target).account!;
  // The task execution role is created with the task definition and named by CloudFormation, so its
  // ARN is unknown here: the account is the principal, and only its identities whose own policies
  // allow the pull (the execution roles, through ServiceImage.fromPipeline) can pull
  // ("Private repository policies", cross-account pull, https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html).
  buildRepository.addToResourcePolicy(new iam.PolicyStatement({
    sid: `Pull${name.replace(/[^A-Za-z0-9]/g, '')}`,
    principals: [new iam.AccountPrincipal(account)],
    actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
  }));
}

/** A stage's deploy action(s) and whether its stage rolls back when they fail. */
export interface StageDeploy {
  readonly actions: codepipeline.IAction[];
  readonly rollbackOnFailure: boolean;
}

/** The deploy action of a stage, with the engine its target's deployment strategy names. */
export function deployPlan(scope: Construct, stageScope: Construct, plan: ReleaseStagePlan, input: codepipeline.Artifact,
  artifactBucket: s3.IBucket, removalPolicy: RemovalPolicy): StageDeploy {
  const { stage } = plan;
  const target = stage.target;
  const service = serviceTarget(target);
  const context = { artifactBucket, removalPolicy };
  if (!service) {
    // In another account or region the project runs there, where the task definition is, with a
    // role the artifact bucket's and key's policies name.
    return { actions: [registerRevisionEngine(stageScope, target, plan.crossAccount).deployAction(input, context)], rollbackOnFailure: false };
  }
  if (plan.files.codeDeploy) {
    return {
      actions: [new ScopedCodeDeployEcsDeployAction({
        actionName: 'Deploy',
        deploymentGroup: (service as MicroService).deploymentGroup!,
        taskDefinition: service.taskDefinition,
        input,
      })],
      // CodeDeploy rolls back itself; the record step only runs after a successful deployment.
      rollbackOnFailure: false,
    };
  }
  const engine = ecsDeployEngine(scope, { deployTimeout: stage.deployTimeout }, service);
  return { actions: [engine.deployAction(input, context)], rollbackOnFailure: engine.rollbackOnFailure };
}
