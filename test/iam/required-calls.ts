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

/**
 * The CodeBuild projects a pipeline of the same template starts. A release stage's projects in
 * another account are started by a pipeline of another template.
 */
function pipelineProjects(t: TemplateContext): Array<[string, any]> {
  return resources(t, 'AWS::CodeBuild::Project').filter(([id]) => pipelineActions(t, 'CodeBuild').some(({ action }) => target(action.Configuration.ProjectName) === id));
}

/**
 * The ECS service a pipeline's ECS deploy action updates, and the template it is in: the
 * pipeline's, or another stack's of the same app (a release's stages).
 */
function deployedService(t: TemplateContext, action: any): [string, any, TemplateContext] {
  const name = action.Configuration.ServiceName;
  const wanted = resolve(name, t);
  for (const st of [t, ...t.siblings().filter(s => s !== t)]) {
    const found = resources(st, 'AWS::ECS::Service').find(([id]) => (st === t && target(name) === id) || wanted === resolve({ 'Fn::GetAtt': [id, 'Name'] }, st));
    if (found) return [found[0], found[1], st];
  }
  throw new Error(`${t.source}: no ECS service for ${JSON.stringify(name)}`);
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
      const [serviceId, service, st] = deployedService(t, action);
      const td = resolveString({ Ref: taskDefinitionOf(st, service) }, st);
      const cluster = clusterArnOf(st, service);
      const clusterName = cluster.split('/').pop();
      return {
        roleId,
        calls: [
          { action: 'ecs:DescribeServices', resource: serviceArn(st, serviceId) },
          { action: 'ecs:DescribeTaskDefinition', resource: '*' },
          { action: 'ecs:RegisterTaskDefinition', resource: td.replace(/:\d+$/, ':2') },
          { action: 'ecs:TagResource', resource: td.replace(/:\d+$/, ':2'), context: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
          { action: 'ecs:UpdateService', resource: serviceArn(st, serviceId) },
          { action: 'ecs:ListTasks', resource: arn(st, 'ecs', `container-instance/${clusterName}/0123456789abcdef`), context: { 'ecs:cluster': cluster } },
          { action: 'ecs:DescribeTasks', resource: arn(st, 'ecs', `task/${clusterName}/0123456789abcdef`), context: { 'ecs:cluster': cluster } },
          ...passTaskRoles(st, taskDefinitionOf(st, service)),
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
    find: t => pipelineProjects(t).map(([projectId, project]) => {
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
    role: 'CodeBuild project role of a release stage in another account (registers the revision or records the image there, reads the artifacts of the pipeline\'s account)',
    sources: [
      '"Create a CodeBuild service role" (logs:CreateLogStream, PutLogEvents; s3:GetObject, GetObjectVersion, GetBucketAcl, GetBucketLocation), https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
      'the record step calls ssm:PutParameter on the stage\'s image parameter, then ecr:BatchGetImage and ecr:PutImage in the build repository (src/private/release-buildspec.ts); the deploy step of a ScheduledTask calls ecs:DescribeTaskDefinition and ecs:RegisterTaskDefinition with its roles (src/private/register-revision-buildspec.ts)',
    ],
    find: t => resources(t, 'AWS::CodeBuild::Project').flatMap(([, project]) => {
      const p = project.Properties;
      const name = typeof p.Name === 'string' ? p.Name : undefined;
      const pipeline = t.siblings().filter(s => s !== t).flatMap(s => resources(s, 'AWS::CodePipeline::Pipeline').map(([, pl]) => ({ s, pl })))
        .find(({ pl }) => (pl.Properties.Stages as any[]).some(st => (st.Actions as any[]).some(a => a.Configuration?.ProjectName === name)));
      if (!name || !pipeline) return [];
      const tools = pipeline.s;
      // The stage's account, as the pipeline names the action's role in it.
      const startedBy = (pipeline.pl.Properties.Stages as any[]).flatMap(st => st.Actions as any[]).find(a => a.Configuration?.ProjectName === name);
      const account = resolveString(startedBy.RoleArn, tools).split(':')[4];
      const bucketId = target(pipeline.pl.Properties.ArtifactStore.Location)!;
      const bucket = tools.template.Resources[bucketId].Properties;
      const env = Object.fromEntries(((p.Environment.EnvironmentVariables ?? []) as any[]).map(v => [v.Name, v.Value]));
      const stream = arn(t, 'logs', `log-group:${resolveString(p.LogsConfig.CloudWatchLogs.GroupName, t)}:log-stream:0123-4567`);
      const calls: RequiredCall[] = [
        { action: 'logs:CreateLogStream', resource: stream },
        { action: 'logs:PutLogEvents', resource: stream },
        { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket.BucketName}/Release/Stage3/abcdefg` },
        { action: 's3:GetObjectVersion', resource: `arn:aws:s3:::${bucket.BucketName}/Release/Stage3/abcdefg` },
        { action: 's3:GetBucketAcl', resource: `arn:aws:s3:::${bucket.BucketName}` },
        // kms:Decrypt on the artifact key is left out: KMS authorizes with the key policy too, which
        // this simulation does not receive (test/pipelines/release-pipeline.test.ts asserts both statements).
      ];
      if (env.IMAGE_PARAMETER) {
        const parameter = resolveString(env.IMAGE_PARAMETER, t);
        const repository = `arn:aws:ecr:${resolveString(env.REGISTRY_REGION, t)}:${resolveString(env.REGISTRY_ID, t)}:repository/${resolveString(env.REPOSITORY_NAME, t)}`;
        calls.push(
          { action: 'ssm:PutParameter', resource: `arn:aws:ssm:${t.region}:${account}:parameter${parameter}` },
          { action: 'ecr:BatchGetImage', resource: repository },
          { action: 'ecr:PutImage', resource: repository },
        );
      }
      if (env.TASK_DEFINITION_FAMILY) {
        const family = resolveString(env.TASK_DEFINITION_FAMILY, t);
        const taskDefinitionId = resources(t, 'AWS::ECS::TaskDefinition').find(([, td]) => td.Properties.Family === family)![0];
        calls.push(
          { action: 'ecs:DescribeTaskDefinition', resource: '*' },
          { action: 'ecs:RegisterTaskDefinition', resource: arn(t, 'ecs', `task-definition/${family}:8`) },
          ...passTaskRoles(t, taskDefinitionId),
        );
      }
      return [{ roleId: target(p.ServiceRole)!, calls }];
    }),
  },
  {
    role: 'CodePipeline action role in a release stage\'s account (starts that account\'s CodeBuild projects)',
    sources: [
      '"AWS CodeBuild build and test action reference", service role permissions (codebuild:BatchGetBuilds, codebuild:StartBuild), https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html',
    ],
    // CodePipeline names the role by ARN; aws-cdk-lib creates it in the project's stack with a generated name.
    find: t => resources(t, 'AWS::IAM::Role').flatMap(([roleId, role]) => t.siblings().filter(s => s !== t)
      .flatMap(s => resources(s, 'AWS::CodePipeline::Pipeline').flatMap(([, pl]) => (pl.Properties.Stages as any[]).flatMap(st => st.Actions as any[])
        .filter(a => a.ActionTypeId.Provider === 'CodeBuild' && typeof role.Properties.RoleName === 'string' && resolveString(a.RoleArn, s).endsWith(`:role/${role.Properties.RoleName}`))
        .map(a => {
          const project = resources(t, 'AWS::CodeBuild::Project').find(([, p]) => p.Properties.Name === a.Configuration.ProjectName)!;
          const projectArn = resolveString({ 'Fn::GetAtt': [project[0], 'Arn'] }, t);
          return { roleId, calls: [{ action: 'codebuild:StartBuild', resource: projectArn }, { action: 'codebuild:BatchGetBuilds', resource: projectArn }] };
        })))),
  },
  {
    role: 'CodePipeline ECS deploy action role in a release stage\'s account (updates that account\'s service, reads the artifacts of the pipeline\'s account)',
    sources: [
      '"Amazon Elastic Container Service deploy action reference", service role permissions, https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html',
      '"Create a pipeline in CodePipeline that uses resources from another AWS account" (the action role in the other account reads the artifact bucket and its key), https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html',
    ],
    // CodePipeline names the role by ARN and the service and cluster by the names aws-cdk-lib generates for them.
    find: t => resources(t, 'AWS::IAM::Role').flatMap(([roleId, role]) => t.siblings().filter(s => s !== t)
      .flatMap(s => resources(s, 'AWS::CodePipeline::Pipeline').flatMap(([, pl]) => (pl.Properties.Stages as any[]).flatMap(st => st.Actions as any[])
        .filter(a => a.ActionTypeId.Provider === 'ECS' && typeof role.Properties.RoleName === 'string' && resolveString(a.RoleArn, s).endsWith(`:role/${role.Properties.RoleName}`))
        .map(a => {
          const [serviceId, service] = resources(t, 'AWS::ECS::Service').find(([, svc]) => svc.Properties.ServiceName === a.Configuration.ServiceName)!;
          const td = resolveString({ Ref: taskDefinitionOf(t, service) }, t);
          // A cluster named in the template (imported) has its ARN in the stage's account, as the pipeline names the role in it.
          const account = resolveString(a.RoleArn, s).split(':')[4];
          const named = resolveString(service.Properties.Cluster, t);
          const cluster = named.startsWith('arn:') ? named : `arn:aws:ecs:${t.region}:${account}:cluster/${named}`;
          const clusterName = cluster.split('/').pop();
          const bucket = s.template.Resources[target(pl.Properties.ArtifactStore.Location)!].Properties.BucketName;
          const object = `arn:aws:s3:::${bucket}/Release/Stage2/abcdefg`;
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
              { action: 's3:GetObject', resource: object },
              { action: 's3:GetObjectVersion', resource: object },
              // kms:Decrypt on the artifact key is left out, as for the stage's CodeBuild roles: KMS
              // authorizes with the key policy too (test/pipelines/release-cross-account.test.ts asserts both).
            ],
          };
        })))),
  },
  {
    role: 'CodePipeline pipeline role evaluating a stage\'s CloudWatchAlarm rules (a release\'s alarm bake)',
    sources: [
      '"CloudWatchAlarm" rule reference (the rule reads the alarm\'s state), https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html',
      '"Actions, resources, and condition keys for Amazon CloudWatch" (DescribeAlarms on the alarm resource type), https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html',
    ],
    find: t => resources(t, 'AWS::CodePipeline::Pipeline').flatMap(([, pl]) => {
      const rules = (pl.Properties.Stages as any[]).flatMap(st => (st.OnSuccess?.Conditions ?? []) as any[]).flatMap(c => c.Rules as any[])
        .filter(r => r.RuleTypeId.Provider === 'CloudWatchAlarm');
      return rules.length === 0 ? [] : [{
        roleId: target(pl.Properties.RoleArn)!,
        calls: rules.map(r => ({ action: 'cloudwatch:DescribeAlarms', resource: arn(t, 'cloudwatch', `alarm:${resolveString(r.Configuration.AlarmName, t)}`) })),
      }];
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
    role: 'load-test gate function role (runs the gate\'s task, waits for it, reports the verdict)',
    sources: [
      'assets/load-test-gate/index.js calls ecs:RunTask (launch type FARGATE, the gate\'s task definition, in its cluster), ecs:DescribeTasks and ecs:StopTask of that task, and, for CodeDeploy, codedeploy:PutLifecycleEventHookExecutionStatus; for an internet-facing load balancer ec2:DescribeNetworkInterfaces',
      '"RunTask", Amazon ECS API Reference, and "Amazon ECS task execution IAM role" (running a task with roles needs iam:PassRole on them), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html',
      '"Step 3: Create a lifecycle hook Lambda function" (codedeploy:PutLifecycleEventHookExecutionStatus), https://docs.aws.amazon.com/codedeploy/latest/userguide/tutorial-ecs-with-hooks-create-hooks.html',
      '"Sending Lambda function logs to CloudWatch Logs" (logs:CreateLogStream, logs:PutLogEvents on the function\'s log group), https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html',
    ],
    find: t => resources(t, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.GATE_TASK_DEFINITION).map(([functionId, f]) => {
      const env = f.Properties.Environment.Variables;
      const cluster = resolveString(env.GATE_CLUSTER, t);
      const task = arn(t, 'ecs', `task/${cluster.split('/').pop()}/0123456789abcdef0123456789abcdef`);
      const stream = arn(t, 'logs', `log-group:${resolveString(f.Properties.LoggingConfig.LogGroup, t)}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`);
      const ecsHooked = resources(t, 'AWS::ECS::Service').some(([, svc]) => ((svc.Properties.DeploymentConfiguration?.LifecycleHooks ?? []) as any[])
        .some(h => target(h.HookTargetArn) === functionId));
      return {
        roleId: target(f.Properties.Role)!,
        calls: [
          { action: 'logs:CreateLogStream', resource: stream },
          { action: 'logs:PutLogEvents', resource: stream },
          { action: 'ecs:RunTask', resource: resolveString(env.GATE_TASK_DEFINITION, t), context: { 'ecs:cluster': cluster } },
          { action: 'ecs:DescribeTasks', resource: task, context: { 'ecs:cluster': cluster } },
          { action: 'ecs:StopTask', resource: task, context: { 'ecs:cluster': cluster } },
          ...passTaskRoles(t, target(env.GATE_TASK_DEFINITION)!),
          ...(ecsHooked ? [] : [{ action: 'codedeploy:PutLifecycleEventHookExecutionStatus', resource: '*' }]),
          ...(env.GATE_LOAD_BALANCER_ENI ? [{ action: 'ec2:DescribeNetworkInterfaces', resource: '*' }] : []),
        ],
      };
    }),
  },
  {
    role: 'ECS lifecycle hook role (ECS invokes a hook function, such as a load-test gate)',
    sources: [
      '"Lambda hooks for Amazon ECS service deployments" (the role ECS assumes to invoke the function: lambda:InvokeFunction), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html',
    ],
    find: t => resources(t, 'AWS::ECS::Service').flatMap(([, svc]) => ((svc.Properties.DeploymentConfiguration?.LifecycleHooks ?? []) as any[])
      .map(h => ({ roleId: target(h.RoleArn)!, calls: [{ action: 'lambda:InvokeFunction', resource: resolveString(h.HookTargetArn, t) }] }))),
  },
  {
    role: 'CodeDeploy service role invoking the AfterAllowTestTraffic hook (a load-test gate)',
    sources: [
      '"AppSpec \'hooks\' section" (CodeDeploy invokes the hook\'s Lambda function with its service role), https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html',
      'AWS managed policy AWSCodeDeployRoleForECS (lambda:InvokeFunction on arn:aws:lambda:*:*:function:CodeDeployHook_*), https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html',
    ],
    // The gate's function and the deployment group of its service are in the same stack; a stack of
    // the check's templates holds one CodeDeploy service at most.
    find: t => {
      const hooked = new Set(resources(t, 'AWS::ECS::Service').flatMap(([, svc]) => ((svc.Properties.DeploymentConfiguration?.LifecycleHooks ?? []) as any[])
        .map(h => target(h.HookTargetArn))));
      const gates = resources(t, 'AWS::Lambda::Function').filter(([id, f]) => f.Properties.Environment?.Variables?.GATE_TASK_DEFINITION && !hooked.has(id));
      const groups = resources(t, 'AWS::CodeDeploy::DeploymentGroup');
      if (gates.length > 0 && groups.length !== 1) throw new Error(`${t.source}: a CodeDeploy gate needs exactly one deployment group in its stack`);
      return gates.map(([id]) => ({
        roleId: target(groups[0][1].Properties.ServiceRoleArn)!,
        calls: [{ action: 'lambda:InvokeFunction', resource: resolveString({ 'Fn::GetAtt': [id, 'Arn'] }, t) }],
      }));
    },
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
  {
    role: 'task role of a service with ECS Exec (the SSM agent in the container opens the session channels and logs the session)',
    sources: [
      '"Monitor Amazon ECS containers with ECS Exec", IAM permissions required for ECS Exec and for logging, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html',
      '"Amazon ECS task IAM role", ECS Exec permissions (kms:Decrypt on the cluster key), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html',
    ],
    // kms:Decrypt on the cluster's key is asserted in test/micro-service/exec.test.ts: the simulator
    // would need the key's policy too.
    find: t => resources(t, 'AWS::ECS::Service')
      .filter(([, svc]) => svc.Properties.EnableExecuteCommand === true)
      .map(([, svc]) => {
        const cluster = t.template.Resources[target(svc.Properties.Cluster)!];
        const exec = cluster.Properties.Configuration.ExecuteCommandConfiguration;
        const group = resolveString(exec.LogConfiguration.CloudWatchLogGroupName, t);
        const stream = arn(t, 'logs', `log-group:${group}:log-stream:ecs-execute-command-0123456789abcdef`);
        const taskDefinition = t.template.Resources[taskDefinitionOf(t, svc)];
        return {
          roleId: target(taskDefinition.Properties.TaskRoleArn)!,
          calls: [
            ...['CreateControlChannel', 'CreateDataChannel', 'OpenControlChannel', 'OpenDataChannel'].map(a => ({ action: `ssmmessages:${a}`, resource: '*' })),
            { action: 'logs:DescribeLogGroups', resource: '*' },
            { action: 'logs:CreateLogStream', resource: stream },
            { action: 'logs:PutLogEvents', resource: stream },
          ],
        };
      }),
  },
  {
    role: 'task role of a task that mounts EFS volumes with IAM authorization (ECS mounts as the task role)',
    sources: [
      '"Use Amazon EFS volumes with Amazon ECS", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html',
      '"Using access points in IAM policies" (ClientMount, ClientWrite, elasticfilesystem:AccessPointArn), https://docs.aws.amazon.com/efs/latest/ug/access-points-iam-policy.html',
    ],
    find: t => resources(t, 'AWS::ECS::TaskDefinition')
      .filter(([, td]) => ((td.Properties.Volumes ?? []) as any[]).some(v => v.EFSVolumeConfiguration?.AuthorizationConfig?.IAM === 'ENABLED'))
      .map(([, td]) => {
        const calls: RequiredCall[] = [];
        for (const v of td.Properties.Volumes as any[]) {
          const efs = v.EFSVolumeConfiguration;
          if (efs?.AuthorizationConfig?.IAM !== 'ENABLED') continue;
          const fileSystem = arn(t, 'elasticfilesystem', `file-system/${resolveString(efs.FilesystemId, t)}`);
          const accessPoint = arn(t, 'elasticfilesystem', `access-point/${resolveString(efs.AuthorizationConfig.AccessPointId, t)}`);
          const context = { 'elasticfilesystem:AccessPointArn': accessPoint };
          calls.push({ action: 'elasticfilesystem:ClientMount', resource: fileSystem, context });
          const writable = (td.Properties.ContainerDefinitions as any[])
            .some(c => ((c.MountPoints ?? []) as any[]).some(m => m.SourceVolume === v.Name && !m.ReadOnly));
          if (writable) calls.push({ action: 'elasticfilesystem:ClientWrite', resource: fileSystem, context });
        }
        return { roleId: target(td.Properties.TaskRoleArn)!, calls };
      }),
  },
  {
    role: 'task role of a task with a FireLens log router (Fluent Bit writes to CloudWatch Logs and S3; its init process reads the S3 output\'s configuration)',
    sources: [
      '"Example Amazon ECS task definition: Route logs to FireLens" (a task IAM role with the permissions to route the logs), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html',
      'Fluent Bit cloudwatch_logs output on an existing group (CreateLogStream, PutLogEvents), https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch',
      'Fluent Bit s3 output with use_put_object On (s3:PutObject), https://docs.fluentbit.io/manual/pipeline/outputs/s3',
      'aws/aws-for-fluent-bit use_cases/init-process-for-fluent-bit, "Set up your ECS Task role" (s3:GetObject, s3:GetBucketLocation on the configuration file)',
    ],
    find: t => resources(t, 'AWS::ECS::TaskDefinition').flatMap(([, td]) => {
      const definitions = td.Properties.ContainerDefinitions as any[];
      const router = definitions.find(c => c.FirelensConfiguration);
      if (!router) return [];
      const calls: RequiredCall[] = [];
      for (const c of definitions.filter(x => x.LogConfiguration?.LogDriver === 'awsfirelens')) {
        const o = c.LogConfiguration.Options;
        const stream = arn(t, 'logs', `log-group:${resolveString(o.log_group_name, t)}:log-stream:${o.log_stream_prefix}${c.Name}-firelens-0123456789abcdef`);
        calls.push({ action: 'logs:CreateLogStream', resource: stream }, { action: 'logs:PutLogEvents', resource: stream });
      }
      const env = Object.fromEntries(((router.Environment ?? []) as any[]).map(e => [e.Name, e.Value]));
      if (env.FIRELENS_S3_BUCKET) {
        const tag = String(env.FIRELENS_S3_MATCH).replace('*', '0123456789abcdef');
        calls.push({ action: 's3:PutObject', resource: `arn:aws:s3:::${resolveString(env.FIRELENS_S3_BUCKET, t)}/${env.FIRELENS_S3_KEY_PREFIX}${tag}/2026/01/31/23-59-59-AbCdEfGh.gz` });
        // kms:GenerateDataKey on the bucket's key is left out: KMS authorizes with the key policy too,
        // which this simulation does not receive (tests in test/sidecars assert the statement).
        const config = resolveString(env.aws_fluent_bit_init_s3_1, t);
        calls.push({ action: 's3:GetObject', resource: config }, { action: 's3:GetBucketLocation', resource: config.replace(/\/.*$/, '') });
      }
      return [{ roleId: target(td.Properties.TaskRoleArn)!, calls }];
    }),
  },
  {
    role: 'task role of a task with the AWS Distro for OpenTelemetry collector (traces to X-Ray, metrics as EMF to CloudWatch Logs)',
    sources: [
      'ADOT "Create IAM policy" for ECS (xray:PutTraceSegments, GetSamplingRules, GetSamplingTargets; logs:CreateLogStream, PutLogEvents), https://aws-otel.github.io/docs/setup/ecs/create-iam-policy',
      'awsemf exporter on an existing group (CreateLogStream, PutLogEvents), opentelemetry-collector-contrib internal/aws/cwlogs/cwlog_client.go',
      '"Actions, resources, and condition keys for AWS X-Ray" (no resource types, so "*"), https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
    ],
    find: t => resources(t, 'AWS::ECS::TaskDefinition').flatMap(([, td]) => ((td.Properties.ContainerDefinitions ?? []) as any[])
      .flatMap(c => ((c.Environment ?? []) as any[]).filter(e => e.Name === 'AOT_CONFIG_CONTENT'))
      .map(e => {
        const group = /log_group_name: '([^']+)'/.exec(resolveString(e.Value, t))![1];
        const stream = arn(t, 'logs', `log-group:${group}:log-stream:otel-metrics/0123456789abcdef`);
        return {
          roleId: target(td.Properties.TaskRoleArn)!,
          calls: [
            ...['PutTraceSegments', 'GetSamplingRules', 'GetSamplingTargets'].map(a => ({ action: `xray:${a}`, resource: '*' })),
            { action: 'logs:CreateLogStream', resource: stream },
            { action: 'logs:PutLogEvents', resource: stream },
          ],
        };
      })),
  },
];
