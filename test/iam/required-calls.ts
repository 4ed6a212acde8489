import { ACCOUNT, resolve, resolveString, TemplateContext } from './cfn-arns';

/**
 * The calls AWS makes with each role the library writes, with where that list comes from, and how
 * to build the concrete resource of each call from a synthesized template. `required-calls.test.ts`
 * simulates every call against the role's policies.
 */

/** One request AWS makes with the role. */
export interface RequiredCall {
  readonly action: string;
  /** The resource ARN of the request; '*' for actions IAM authorizes on "*" only. */
  readonly resource: string;
  /** Request context AWS sets for the call (condition keys the role's policy may test). */
  readonly context?: Record<string, string>;
}

/** A kind of role the library writes. */
export interface RoleKind {
  readonly role: string;
  /** Where the list of calls comes from: AWS documentation page or the AWS managed policy (and version) the role replaces. */
  readonly sources: string[];
  /** Each role of this kind in a template, with the calls AWS makes with it there. */
  readonly find: (t: TemplateContext) => Array<{ roleId: string; calls: RequiredCall[] }>;
}

const resources = (t: TemplateContext, type: string) => Object.entries<any>(t.template.Resources ?? {}).filter(([, r]) => r.Type === type);
/** The logical ID a `{ Fn::GetAtt: [X, 'Arn'] }` (or `{ Ref: X }`) points at. */
const target = (v: any): string | undefined => v?.['Fn::GetAtt']?.[0] ?? v?.Ref;
const arn = (t: TemplateContext, service: string, path: string) => `arn:aws:${service}:${t.region}:${ACCOUNT}:${path}`;

/** Calls that read and write the pipeline's artifacts, for a role that only reads them. */
function readArtifacts(t: TemplateContext, pipelineId: string): RequiredCall[] {
  const bucket = resolveString(t.template.Resources[pipelineId].Properties.ArtifactStore.Location, t);
  return [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${pipelineId}/Source/abcdefg` },
    { action: 's3:GetObjectVersion', resource: `arn:aws:s3:::${bucket}/${pipelineId}/Source/abcdefg` },
  ];
}

/** Each pipeline action of a provider, with its role and pipeline. */
function pipelineActions(t: TemplateContext, provider: string): Array<{ roleId: string; pipelineId: string; action: any }> {
  return resources(t, 'AWS::CodePipeline::Pipeline').flatMap(([pipelineId, p]) => (p.Properties.Stages as any[])
    .flatMap(s => s.Actions as any[])
    .filter(a => a.ActionTypeId.Provider === provider && target(a.RoleArn))
    .map(action => ({ roleId: target(action.RoleArn)!, pipelineId, action })));
}

/** The ECS service a pipeline's ECS deploy action updates. */
function deployedService(t: TemplateContext, action: any): [string, any] {
  const name = action.Configuration.ServiceName;
  const found = resources(t, 'AWS::ECS::Service').find(([id]) => target(name) === id || resolve(name, t) === resolve({ 'Fn::GetAtt': [id, 'Name'] }, t));
  if (!found) throw new Error(`${t.source}: no ECS service for ${JSON.stringify(name)}`);
  return found;
}

/** iam:PassRole of a task definition's task and execution roles, as ECS receives them. */
function passTaskRoles(t: TemplateContext, taskDefinitionId: string): RequiredCall[] {
  const td = t.template.Resources[taskDefinitionId].Properties;
  return [td.TaskRoleArn, td.ExecutionRoleArn].filter(Boolean).map(r => ({
    action: 'iam:PassRole', resource: resolveString(r, t), context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
  }));
}

/** The task definition a service runs: referenced, or named by family (so deployments keep the pipeline's revision). */
function taskDefinitionOf(t: TemplateContext, service: any): string {
  const td = service.Properties.TaskDefinition;
  const found = target(td) ?? resources(t, 'AWS::ECS::TaskDefinition').find(([, r]) => r.Properties.Family === td)?.[0];
  if (!found) throw new Error(`${t.source}: no task definition ${JSON.stringify(td)}`);
  return found;
}
const serviceArn = (t: TemplateContext, serviceId: string) => resolveString({ Ref: serviceId }, t);
const clusterArnOf = (t: TemplateContext, service: any) => {
  const cluster = resolveString(service.Properties.Cluster, t);
  return cluster.startsWith('arn:') ? cluster : arn(t, 'ecs', `cluster/${cluster}`);
};

/** The ECR repository an image URI in the template comes from, if it comes from ECR. */
function repositoryOfImage(image: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(image);
  return m ? `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

export const ROLE_KINDS: RoleKind[] = [
  {
    role: 'task execution role (the ECS agent pulls the image, writes logs, reads secrets)',
    sources: [
      'AWS managed policy AmazonECSTaskExecutionRolePolicy (ecr:GetAuthorizationToken, BatchCheckLayerAvailability, GetDownloadUrlForLayer, BatchGetImage, logs:CreateLogStream, PutLogEvents)',
      '"Amazon ECS task execution IAM role", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html',
      '"Pass Secrets Manager secrets through Amazon ECS environment variables" (secretsmanager:GetSecretValue), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html',
    ],
    find: t => resources(t, 'AWS::ECS::TaskDefinition').filter(([, td]) => target(td.Properties.ExecutionRoleArn)).map(([, td]) => {
      const calls: RequiredCall[] = [];
      for (const c of td.Properties.ContainerDefinitions as any[]) {
        const repository = repositoryOfImage(resolveString(c.Image, t));
        if (repository) {
          calls.push({ action: 'ecr:GetAuthorizationToken', resource: '*' });
          for (const action of ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']) calls.push({ action, resource: repository });
        }
        const logs = c.LogConfiguration?.LogDriver === 'awslogs' ? c.LogConfiguration.Options : undefined;
        if (logs) {
          const stream = arn(t, 'logs', `log-group:${resolveString(logs['awslogs-group'], t)}:log-stream:${resolveString(logs['awslogs-stream-prefix'], t)}/${c.Name}/0123456789abcdef`);
          calls.push({ action: 'logs:CreateLogStream', resource: stream }, { action: 'logs:PutLogEvents', resource: stream });
        }
        for (const s of (c.Secrets ?? []) as any[]) {
          // ValueFrom may name a JSON key (`<arn>:<key>::`); the call is on the secret itself.
          const secret = resolveString(s.ValueFrom, t).replace(/^(arn:[^:]+:secretsmanager:[^:]+:\d+:secret:[^:]+):.*$/, '$1');
          calls.push({ action: secret.includes(':ssm:') ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue', resource: secret });
        }
      }
      return { roleId: target(td.Properties.ExecutionRoleArn)!, calls };
    }),
  },
  {
    role: 'ECS infrastructure role for load balancers (ECS-native blue/green, canary, linear)',
    sources: [
      'AWS managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers v6, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html',
      '"Amazon ECS infrastructure IAM role for load balancers", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html',
    ],
    find: t => resources(t, 'AWS::ECS::Service').flatMap(([, s]) => ((s.Properties.LoadBalancers ?? []) as any[])
      .filter(lb => lb.AdvancedConfiguration?.RoleArn)
      .map(lb => {
        const adv = lb.AdvancedConfiguration;
        const rules = [adv.ProductionListenerRule, adv.TestListenerRule].filter(Boolean).map(r => resolveString(r, t));
        const listeners = rules.map(rule => rule.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, ''));
        return {
          roleId: target(adv.RoleArn)!,
          calls: [
            ...['DescribeListeners', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetHealth'].map(a => ({ action: `elasticloadbalancing:${a}`, resource: '*' })),
            ...[lb.TargetGroupArn, adv.AlternateTargetGroupArn].flatMap(tg => ['RegisterTargets', 'DeregisterTargets']
              .map(a => ({ action: `elasticloadbalancing:${a}`, resource: resolveString(tg, t) }))),
            ...rules.map(resource => ({ action: 'elasticloadbalancing:ModifyRule', resource })),
            ...listeners.map(resource => ({ action: 'elasticloadbalancing:ModifyListener', resource })),
          ],
        };
      })),
  },
  {
    role: 'CodeDeploy service role for ECS blue/green',
    sources: [
      'AWS managed policy AWSCodeDeployRoleForECS, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html',
      '"Amazon ECS CodeDeploy IAM Role", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/codedeploy_IAM_role.html',
    ],
    find: t => resources(t, 'AWS::CodeDeploy::DeploymentGroup').map(([, g]) => {
      const p = g.Properties;
      const ecsService = p.ECSServices[0];
      const serviceId = resources(t, 'AWS::ECS::Service').find(([id]) => resolve({ 'Fn::GetAtt': [id, 'Name'] }, t) === resolve(ecsService.ServiceName, t))![0];
      const service = t.template.Resources[serviceId];
      const svc = serviceArn(t, serviceId);
      const taskSet = svc.replace(':service/', ':task-set/') + '/ecs-svc/1234567890123456789';
      const info = p.LoadBalancerInfo.TargetGroupPairInfoList[0];
      const listeners = [...info.ProdTrafficRoute.ListenerArns, ...(info.TestTrafficRoute?.ListenerArns ?? [])]
        .map((l: unknown) => resolveString(l, t));
      const alarms = ((p.AlarmConfiguration?.Alarms ?? []) as any[]).map(a => arn(t, 'cloudwatch', `alarm:${resolveString(a.Name, t)}`));
      return {
        roleId: target(p.ServiceRoleArn)!,
        calls: [
          { action: 'ecs:DescribeServices', resource: svc },
          { action: 'ecs:CreateTaskSet', resource: taskSet, context: { 'ecs:service': svc, 'ecs:cluster': clusterArnOf(t, service) } },
          { action: 'ecs:UpdateServicePrimaryTaskSet', resource: svc },
          { action: 'ecs:DeleteTaskSet', resource: taskSet, context: { 'ecs:service': svc, 'ecs:cluster': clusterArnOf(t, service) } },
          ...['DescribeListeners', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetHealth'].map(a => ({ action: `elasticloadbalancing:${a}`, resource: '*' })),
          ...listeners.map(resource => ({ action: 'elasticloadbalancing:ModifyListener', resource })),
          ...alarms.map(resource => ({ action: 'cloudwatch:DescribeAlarms', resource })),
          ...passTaskRoles(t, taskDefinitionOf(t, service)),
        ],
      };
    }),
  },
  {
    role: 'CodePipeline ECS (rolling / ECS-native blue/green) deploy action role',
    sources: ['"Amazon Elastic Container Service deploy action reference", service role permissions, https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html'],
    find: t => pipelineActions(t, 'ECS').map(({ roleId, pipelineId, action }) => {
      const [serviceId, service] = deployedService(t, action);
      const td = resolveString({ Ref: taskDefinitionOf(t, service) }, t);
      const cluster = clusterArnOf(t, service);
      const clusterName = cluster.split('/').pop();
      return {
        roleId,
        calls: [
          { action: 'ecs:DescribeServices', resource: serviceArn(t, serviceId) },
          { action: 'ecs:DescribeTaskDefinition', resource: '*' },
          { action: 'ecs:RegisterTaskDefinition', resource: td.replace(/:\d+$/, ':2') },
          { action: 'ecs:TagResource', resource: td.replace(/:\d+$/, ':2'), context: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
          { action: 'ecs:UpdateService', resource: serviceArn(t, serviceId) },
          { action: 'ecs:ListTasks', resource: arn(t, 'ecs', `container-instance/${clusterName}/0123456789abcdef`), context: { 'ecs:cluster': cluster } },
          { action: 'ecs:DescribeTasks', resource: arn(t, 'ecs', `task/${clusterName}/0123456789abcdef`), context: { 'ecs:cluster': cluster } },
          ...passTaskRoles(t, taskDefinitionOf(t, service)),
          ...readArtifacts(t, pipelineId),
        ],
      };
    }),
  },
  {
    role: 'CodePipeline CodeDeployToECS deploy action role',
    sources: ['"Amazon Elastic Container Service and CodeDeploy blue-green deploy action reference", service role permissions, https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECSbluegreen.html'],
    find: t => pipelineActions(t, 'CodeDeployToECS').map(({ roleId, pipelineId, action }) => {
      const app = resolveString(action.Configuration.ApplicationName, t);
      const group = resolveString(action.Configuration.DeploymentGroupName, t);
      const [, g] = resources(t, 'AWS::CodeDeploy::DeploymentGroup').find(([id]) => resolve({ Ref: id }, t) === group)!;
      const config = resolveString(g.Properties.DeploymentConfigName, t);
      const service = resources(t, 'AWS::ECS::Service').find(([id]) => resolve({ 'Fn::GetAtt': [id, 'Name'] }, t) === resolve(g.Properties.ECSServices[0].ServiceName, t))![1];
      const td = resolveString({ Ref: taskDefinitionOf(t, service) }, t);
      return {
        roleId,
        calls: [
          ...['GetApplication', 'GetApplicationRevision', 'RegisterApplicationRevision'].map(a => ({ action: `codedeploy:${a}`, resource: arn(t, 'codedeploy', `application:${app}`) })),
          ...['CreateDeployment', 'GetDeployment'].map(a => ({ action: `codedeploy:${a}`, resource: arn(t, 'codedeploy', `deploymentgroup:${app}/${group}`) })),
          { action: 'codedeploy:GetDeploymentConfig', resource: arn(t, 'codedeploy', `deploymentconfig:${config}`) },
          { action: 'ecs:RegisterTaskDefinition', resource: td.replace(/:\d+$/, ':2') },
          ...passTaskRoles(t, taskDefinitionOf(t, service)),
          ...readArtifacts(t, pipelineId),
        ],
      };
    }),
  },
  {
    role: 'CodeBuild project role: image build pushing to ECR, and the record step writing the SSM parameter',
    sources: [
      '"Create a CodeBuild service role" (logs:CreateLogStream, PutLogEvents; s3:GetObject, GetObjectVersion, PutObject, GetBucketAcl, GetBucketLocation), https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
      '"Amazon ECR sample for CodeBuild" / "Docker sample": pushing needs ecr:GetAuthorizationToken, BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, PutImage, https://docs.aws.amazon.com/codebuild/latest/userguide/sample-docker.html',
      'the record step calls ssm:PutParameter on the service\'s image parameter, then ecr:BatchGetImage and ecr:PutImage to tag the deployed image (src/private/buildspec.ts; "PutImage" and "BatchGetImage", Amazon ECR API Reference)',
    ],
    find: t => resources(t, 'AWS::CodeBuild::Project').map(([projectId, project]) => {
      const p = project.Properties;
      const group = resolveString(p.LogsConfig.CloudWatchLogs.GroupName, t);
      const stream = arn(t, 'logs', `log-group:${group}:log-stream:0123-4567`);
      const env = Object.fromEntries(((p.Environment.EnvironmentVariables ?? []) as any[]).map(v => [v.Name, v.Value]));
      const pipelineId = pipelineActions(t, 'CodeBuild').find(({ action }) => target(action.Configuration.ProjectName) === projectId)!.pipelineId;
      const bucket = resolveString(t.template.Resources[pipelineId].Properties.ArtifactStore.Location, t);
      const calls: RequiredCall[] = [
        { action: 'logs:CreateLogStream', resource: stream },
        { action: 'logs:PutLogEvents', resource: stream },
        { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${pipelineId}/Source/abcdefg` },
        { action: 's3:GetBucketAcl', resource: `arn:aws:s3:::${bucket}` },
        { action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${bucket}` },
      ];
      if (env.REPOSITORY_URI) {
        const repository = repositoryOfImage(resolveString(env.REPOSITORY_URI, t))!;
        calls.push({ action: 'ecr:GetAuthorizationToken', resource: '*' });
        for (const a of ['BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage', 'BatchGetImage']) {
          calls.push({ action: `ecr:${a}`, resource: repository });
        }
        calls.push({ action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${pipelineId}/Build/abcdefg` });
      }
      if (env.IMAGE_PARAMETER) {
        const name = resolveString(env.IMAGE_PARAMETER, t);
        calls.push({ action: 'ssm:PutParameter', resource: arn(t, 'ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`) });
      }
      if (env.REPOSITORY_NAME) {
        // The record step tags the deployed image: it reads the manifest and puts it with a new tag.
        const repository = arn(t, 'ecr', `repository/${resolveString(env.REPOSITORY_NAME, t)}`);
        calls.push({ action: 'ecr:BatchGetImage', resource: repository }, { action: 'ecr:PutImage', resource: repository });
      }
      return { roleId: target(p.ServiceRole)!, calls };
    }),
  },
  {
    role: 'EC2 container instance role (ECS agent on BaseInfra EC2 capacity)',
    sources: [
      'AWS managed policy AmazonEC2ContainerServiceforEC2Role v10 (the agent\'s calls: RegisterContainerInstance, DeregisterContainerInstance, DiscoverPollEndpoint, Poll, StartTelemetrySession, Submit*StateChange(s), PutSystemLogEvents, ecr:GetAuthorizationToken), https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerServiceforEC2Role.html',
      '"Amazon ECS container instance IAM role", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html',
    ],
    find: t => resources(t, 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'))
      .map(([roleId]) => {
        const clusterId = resources(t, 'AWS::ECS::Cluster')[0][0];
        const cluster = resolveString({ 'Fn::GetAtt': [clusterId, 'Arn'] }, t);
        const instance = arn(t, 'ecs', `container-instance/${resolveString({ Ref: clusterId }, t)}/0123456789abcdef`);
        return {
          roleId,
          calls: [
            ...['RegisterContainerInstance', 'DeregisterContainerInstance', 'SubmitTaskStateChange', 'SubmitContainerStateChange', 'SubmitAttachmentStateChanges']
              .map(a => ({ action: `ecs:${a}`, resource: cluster })),
            ...['Poll', 'StartTelemetrySession'].map(a => ({ action: `ecs:${a}`, resource: instance, context: { 'ecs:cluster': cluster } })),
            { action: 'ecs:PutSystemLogEvents', resource: instance },
            { action: 'ecs:DiscoverPollEndpoint', resource: '*' },
            { action: 'ecr:GetAuthorizationToken', resource: '*' },
          ],
        };
      }),
  },
  {
    role: 'EventBridge role running the load tester\'s task (ECS RunTask target)',
    sources: [
      'AWS managed policy AmazonEC2ContainerServiceEventsRole v3 (ecs:RunTask; iam:PassRole to ecs-tasks; ecs:TagResource only when the target tags tasks, which ours does not), https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerServiceEventsRole.html',
      '"Amazon ECS targets for EventBridge" / "Using IAM roles for EventBridge targets", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html',
    ],
    find: t => resources(t, 'AWS::Events::Rule').flatMap(([, rule]) => ((rule.Properties.Targets ?? []) as any[])
      .filter(x => x.EcsParameters && target(x.RoleArn))
      .map(x => ({
        roleId: target(x.RoleArn)!,
        calls: [
          { action: 'ecs:RunTask', resource: resolveString(x.EcsParameters.TaskDefinitionArn, t), context: { 'ecs:cluster': resolveString(x.Arn, t) } },
          ...passTaskRoles(t, target(x.EcsParameters.TaskDefinitionArn)!),
        ],
      }))),
  },
  {
    role: 'CodePipeline connection source action role (GitHub, GitLab, Bitbucket through CodeConnections)',
    sources: [
      '"CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise Server, GitLab.com, and GitLab self-managed actions", service role permissions (UseConnection), https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html',
      '"Connections rename - Summary of changes" (the action\'s service prefix matches the connection ARN\'s), https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html',
    ],
    find: t => pipelineActions(t, 'CodeStarSourceConnection').map(({ roleId, pipelineId, action }) => {
      const connection = resolveString(action.Configuration.ConnectionArn, t);
      const prefix = connection.split(':')[2];
      const bucket = resolveString(t.template.Resources[pipelineId].Properties.ArtifactStore.Location, t);
      return {
        roleId,
        calls: [
          { action: `${prefix}:UseConnection`, resource: connection },
          { action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${pipelineId}/Source/abcdefg` },
        ],
      };
    }),
  },
  {
    role: 'EventBridge Scheduler execution role running a ScheduledTask (ECS RunTask templated target)',
    sources: [
      '"Set up the execution role" (the role EventBridge Scheduler assumes to call the target, and sqs:SendMessage for its dead-letter queue), https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html',
      '"Using Amazon EventBridge Scheduler to schedule Amazon ECS tasks" (ecs:RunTask, iam:PassRole of the task\'s roles), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/tasks-scheduled.html',
      'RunTask, taskDefinition: "If a revision isn\'t specified, the latest ACTIVE revision is used" and the policy names a revision or all of them (family:*), Amazon ECS API Reference',
      '"Tagging your resources: tagging authorization" (ecs:TagResource with ecs:CreateAction when RunTask tags the task it creates), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html',
    ],
    find: t => resources(t, 'AWS::Scheduler::Schedule').filter(([, s]) => s.Properties.Target.EcsParameters).map(([, s]) => {
      const x = s.Properties.Target;
      const family = resolveString(x.EcsParameters.TaskDefinitionArn, t);
      const cluster = resolveString(x.Arn, t);
      const taskDefinitionId = resources(t, 'AWS::ECS::TaskDefinition').find(([, td]) => family.endsWith(`:task-definition/${td.Properties.Family}`))![0];
      const clusterName = cluster.split('/').pop();
      return {
        roleId: target(x.RoleArn)!,
        calls: [
          { action: 'ecs:RunTask', resource: `${family}:7`, context: { 'ecs:cluster': cluster } },
          ...passTaskRoles(t, taskDefinitionId),
          { action: 'ecs:TagResource', resource: arn(t, 'ecs', `task/${clusterName}/0123456789abcdef0123456789abcdef`), context: { 'ecs:CreateAction': 'RunTask' } },
          { action: 'sqs:SendMessage', resource: resolveString(x.DeadLetterConfig.Arn, t) },
        ],
      };
    }),
  },
  {
    role: 'CodeBuild deploy step of a ScheduledTask\'s pipeline (registers a revision of the task\'s family)',
    sources: [
      'the deploy step calls ecs:DescribeTaskDefinition, then ecs:RegisterTaskDefinition with the task\'s roles (src/private/register-revision-buildspec.ts)',
      '"Amazon ECS task execution IAM role" / "Task IAM role": registering a task definition with roles needs iam:PassRole on them, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html',
      '"Actions, resources, and condition keys for Amazon Elastic Container Service" (DescribeTaskDefinition on *; RegisterTaskDefinition on task-definition), https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
    ],
    find: t => resources(t, 'AWS::CodeBuild::Project').filter(([, p]) => /register-task-definition/.test(String(p.Properties.Source.BuildSpec))).map(([, p]) => {
      const env = Object.fromEntries(((p.Properties.Environment.EnvironmentVariables ?? []) as any[]).map(v => [v.Name, v.Value]));
      const family = resolveString(env.TASK_DEFINITION_FAMILY, t);
      const taskDefinitionId = resources(t, 'AWS::ECS::TaskDefinition').find(([, td]) => td.Properties.Family === family)![0];
      return {
        roleId: target(p.Properties.ServiceRole)!,
        calls: [
          { action: 'ecs:DescribeTaskDefinition', resource: '*' },
          { action: 'ecs:RegisterTaskDefinition', resource: arn(t, 'ecs', `task-definition/${family}:8`) },
          ...passTaskRoles(t, taskDefinitionId),
        ],
      };
    }),
  },
  {
    role: 'Step Functions role of a ScheduledTask\'s run-time limit (stops a run after maxRunTime)',
    sources: [
      '"AWS SDK service integrations" (the state machine\'s role needs the called API\'s permission: ecs:StopTask), https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html',
      '"Using CloudWatch Logs to log execution history" and "AWS X-Ray and Step Functions" (log delivery and trace actions on *), https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html',
      '"Actions, resources, and condition keys for Amazon Elastic Container Service" (StopTask on task, condition ecs:cluster), https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html',
    ],
    find: t => resources(t, 'AWS::StepFunctions::StateMachine').filter(([, m]) => JSON.stringify(m.Properties.DefinitionString).includes('aws-sdk:ecs:stopTask')).map(([, m]) => {
      const definition = resolveString(m.Properties.DefinitionString, t);
      const cluster = JSON.parse(definition).States.StopTask.Parameters.Cluster as string;
      return {
        roleId: target(m.Properties.RoleArn)!,
        calls: [
          { action: 'ecs:StopTask', resource: arn(t, 'ecs', `task/${cluster.split('/').pop()}/0123456789abcdef0123456789abcdef`), context: { 'ecs:cluster': cluster } },
          { action: 'logs:CreateLogDelivery', resource: '*' },
          { action: 'xray:PutTraceSegments', resource: '*' },
        ],
      };
    }),
  },
  {
    role: 'EventBridge role starting a state machine (a ScheduledTask\'s run-time limit)',
    sources: [
      '"Using IAM roles for EventBridge targets" (states:StartExecution on the state machine), https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html',
    ],
    find: t => resources(t, 'AWS::Events::Rule').flatMap(([, rule]) => ((rule.Properties.Targets ?? []) as any[])
      .filter(x => target(x.RoleArn) && t.template.Resources[target(x.Arn)!]?.Type === 'AWS::StepFunctions::StateMachine')
      .map(x => ({ roleId: target(x.RoleArn)!, calls: [{ action: 'states:StartExecution', resource: resolveString(x.Arn, t) }] }))),
  },
  {
    role: 'task role of a WorkerService (the application consumes its queue)',
    sources: [
      '"Amazon SQS API permissions: Actions and resource reference" (ReceiveMessage, DeleteMessage, ChangeMessageVisibility on the queue), https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html',
    ],
    find: t => resources(t, 'AWS::ECS::TaskDefinition').flatMap(([, td]) => ((td.Properties.ContainerDefinitions ?? []) as any[])
      .flatMap(c => ((c.Environment ?? []) as any[]).filter(e => e.Name === 'QUEUE_URL'))
      .map(e => {
        const queueId = target(e.Value)!;
        const queueArn = resolveString({ 'Fn::GetAtt': [queueId, 'Arn'] }, t);
        return {
          roleId: target(td.Properties.TaskRoleArn)!,
          calls: ['ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility'].map(a => ({ action: `sqs:${a}`, resource: queueArn })),
        };
      })),
  },
];
