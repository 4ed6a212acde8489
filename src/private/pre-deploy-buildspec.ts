import { BuildSpecObject, BUILT_IMAGE, copyRevisionCommands, oneStepBuildSpec } from './buildspec';

/**
 * The pre-deploy step: one task of the service's task definition family with the built image and
 * the pre-deploy command (a database migration, say), run before the deployment. The step, and so
 * the pipeline, fails unless the task's container exits 0. Reads CONTAINER_NAME,
 * TASK_DEFINITION_FAMILY, CLUSTER, PRE_DEPLOY_COMMAND (a JSON list), NETWORK_CONFIGURATION and
 * CAPACITY_PROVIDER_STRATEGY (JSON, as RunTask takes them), and imageDetail.json from the build.
 */
export function preDeployBuildSpec(): BuildSpecObject {
  return oneStepBuildSpec([
    'set -o pipefail',
    'cd "$CODEBUILD_SRC_DIR"',
    ...copyRevisionCommands(BUILT_IMAGE, 'new-taskdef.json', [
      'json.dump({"containerOverrides": [{"name": os.environ["CONTAINER_NAME"], "command": json.loads(os.environ["PRE_DEPLOY_COMMAND"])}]}, open("overrides.json", "w"))',
    ]),
    'TASK_DEFINITION_ARN="$(aws ecs register-task-definition --cli-input-json file://new-taskdef.json --query taskDefinition.taskDefinitionArn --output text)"',
    [
      'aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION_ARN" --count 1 --started-by codepipeline-pre-deploy',
      '  --capacity-provider-strategy "$CAPACITY_PROVIDER_STRATEGY" --network-configuration "$NETWORK_CONFIGURATION"',
      '  --overrides file://overrides.json --output json > run-task.json',
    ].join(' \\\n'),
    // RunTask answers 200 with `failures` when it could not place the task.
    'TASK_ARN="$(python3 -c \'import json, sys; r = json.load(open("run-task.json")); sys.exit("the pre-deploy task did not start: %s" % json.dumps(r.get("failures"))) if not r.get("tasks") else print(r["tasks"][0]["taskArn"])\')"',
    'echo "pre-deploy task $TASK_ARN started with $TASK_DEFINITION_ARN"',
    // No `aws ecs wait tasks-stopped`: it gives up after 10 minutes; the project's timeout bounds this loop.
    'until [ "$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK_ARN" --query \'tasks[0].lastStatus\' --output text)" = STOPPED ]; do sleep 10; done',
    'aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK_ARN" --output json > stopped.json',
    [
      'python3 - <<\'PY\'',
      'import json, os, sys',
      'task = json.load(open("stopped.json"))["tasks"][0]',
      'container = next(c for c in task["containers"] if c["name"] == os.environ["CONTAINER_NAME"])',
      'code = container.get("exitCode")',
      'print("pre-deploy task stopped: exit code %s, %s" % (code, task.get("stoppedReason", "")))',
      'sys.exit(0 if code == 0 else "the pre-deploy command failed (exit code %s, %s): nothing is deployed; its logs are in the service\'s log group" % (code, container.get("reason") or task.get("stoppedReason", "")))',
      'PY',
    ].join('\n'),
  ]);
}
