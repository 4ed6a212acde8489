import { BuildSpecObject, READ_ONLY_TASK_DEFINITION_FIELDS } from './buildspec';

/**
 * The deploy step of a task that no ECS service runs (a ScheduledTask): a new revision of its task
 * definition family, copied from the newest one (what CloudFormation or the pipeline registered
 * last) with the built image in the task's container. The schedule runs the family's latest ACTIVE
 * revision, so the next run takes it. Reads CONTAINER_NAME and TASK_DEFINITION_FAMILY, and
 * imageDetail.json from the build.
 */
export function registerRevisionBuildSpec(): BuildSpecObject {
  const drop = JSON.stringify(READ_ONLY_TASK_DEFINITION_FIELDS);
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        'on-failure': 'ABORT',
        'commands': [
          'set -o pipefail',
          'cd "$CODEBUILD_SRC_DIR"',
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
            'containers[0]["image"] = json.load(open("imageDetail.json"))["ImageURI"]',
            'json.dump(task, open("new-taskdef.json", "w"), indent=2)',
            'PY',
          ].join('\n'),
          'aws ecs register-task-definition --cli-input-json file://new-taskdef.json --query taskDefinition.taskDefinitionArn --output text',
        ],
      },
    },
  };
}
