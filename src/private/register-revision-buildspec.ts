import { BuildSpecObject, BUILT_IMAGE, copyRevisionCommands, oneStepBuildSpec } from './buildspec';

/**
 * The deploy step of a task that no ECS service runs (a ScheduledTask): a new revision of its task
 * definition family, copied from the newest one (what CloudFormation or the pipeline registered
 * last) with the built image in the task's container. The schedule runs the family's latest ACTIVE
 * revision, so the next run takes it. Reads CONTAINER_NAME and TASK_DEFINITION_FAMILY, and
 * imageDetail.json from the build.
 */
export function registerRevisionBuildSpec(): BuildSpecObject {
  return oneStepBuildSpec([
    'set -o pipefail',
    'cd "$CODEBUILD_SRC_DIR"',
    ...copyRevisionCommands(BUILT_IMAGE, 'new-taskdef.json'),
    'aws ecs register-task-definition --cli-input-json file://new-taskdef.json --query taskDefinition.taskDefinitionArn --output text',
  ]);
}
