import { createHash } from 'crypto';

/**
 * Turns the CloudFormation expressions in a policy (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::ImportValue, Fn::Select/Fn::Split) into concrete-looking strings, so that a resource ARN can be
 * matched against IAM's ARN formats and a request can be simulated with a real ARN.
 *
 * Every resource gets the account 111111111111, its stack's region and a name from its logical ID.
 * What `Ref` and `Fn::GetAtt` return per resource type follows the CloudFormation reference
 * ("Return values" of each `AWS::…` resource page); a type or attribute missing from the table
 * throws, so a policy that points at something new extends the table instead of passing unchecked.
 */

export const ACCOUNT = '111111111111';
const PARTITION = 'aws';

/** A synthesized template and what its expressions need: its stack's name and region, and its app's other templates (exports). */
export interface TemplateContext {
  /** Where the template came from, for messages: `integ/….template.json` or `sample:<stack>`. */
  readonly source: string;
  readonly stackName: string;
  readonly region: string;
  readonly template: any;
  /** Templates of the same app, to resolve `Fn::ImportValue`. */
  readonly siblings: () => TemplateContext[];
}

/** A resource of the template, as the table below sees it. */
interface Res {
  readonly id: string;
  readonly name: string;
  readonly props: any;
  readonly arn: (service: string, resource: string) => string;
  readonly ctx: TemplateContext;
}

/** `Ref` and the attributes of each resource type: what CloudFormation returns, with placeholder names. */
interface Shape {
  readonly ref: (r: Res) => string;
  readonly atts?: Record<string, (r: Res) => string>;
}

const byName = (r: Res) => r.name;
const lower = (r: Res) => r.name.toLowerCase();
const loadBalancerPath = (r: Res) => `${r.props.Type === 'network' ? 'net' : 'app'}/${r.name}/50dc6c495c0c9188`;
const loadBalancerOf = (r: Res, arnProp: unknown) => {
  // A listener's or rule's ARN is its load balancer's (…:loadbalancer/app/<name>/<id>) plus IDs.
  const parent = resolveString(arnProp, r.ctx);
  return parent.replace(/^.*?:(loadbalancer|listener)\//, '');
};

const SHAPES: Record<string, Shape> = {
  'AWS::IAM::Role': { ref: byName, atts: { Arn: r => `arn:${PARTITION}:iam::${ACCOUNT}:role/${r.name}`, RoleId: () => 'AROAEXAMPLE' } },
  'AWS::IAM::InstanceProfile': { ref: byName, atts: { Arn: r => `arn:${PARTITION}:iam::${ACCOUNT}:instance-profile/${r.name}` } },
  'AWS::S3::Bucket': {
    ref: lower,
    atts: { Arn: r => `arn:${PARTITION}:s3:::${lower(r)}`, DomainName: r => `${lower(r)}.s3.amazonaws.com`, RegionalDomainName: r => `${lower(r)}.s3.${r.ctx.region}.amazonaws.com` },
  },
  'AWS::ECR::Repository': { ref: lower, atts: { Arn: r => r.arn('ecr', `repository/${lower(r)}`), RepositoryUri: r => `${ACCOUNT}.dkr.ecr.${r.ctx.region}.amazonaws.com/${lower(r)}` } },
  // A log group's Arn attribute ends in ':*' (AWS::Logs::LogGroup return values).
  'AWS::Logs::LogGroup': { ref: byName, atts: { Arn: r => r.arn('logs', `log-group:${r.name}:*`) } },
  'AWS::ECS::Cluster': { ref: byName, atts: { Arn: r => r.arn('ecs', `cluster/${r.name}`) } },
  'AWS::ECS::Service': {
    // Ref of AWS::ECS::Service is the service ARN, in the long format with the cluster's name.
    ref: r => r.arn('ecs', `service/${clusterName(r)}/${r.name}`),
    atts: { Name: byName, ServiceArn: r => r.arn('ecs', `service/${clusterName(r)}/${r.name}`) },
  },
  'AWS::ECS::TaskDefinition': {
    ref: r => r.arn('ecs', `task-definition/${family(r)}:1`),
    atts: { TaskDefinitionArn: r => r.arn('ecs', `task-definition/${family(r)}:1`) },
  },
  'AWS::ECS::CapacityProvider': { ref: byName },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    ref: r => r.arn('elasticloadbalancing', `loadbalancer/${loadBalancerPath(r)}`),
    atts: {
      LoadBalancerFullName: loadBalancerPath,
      LoadBalancerName: byName,
      DNSName: r => `${r.name}.${r.ctx.region}.elb.amazonaws.com`,
      CanonicalHostedZoneID: () => 'Z35SXDOTRQ7X7K',
      LoadBalancerArn: r => r.arn('elasticloadbalancing', `loadbalancer/${loadBalancerPath(r)}`),
    },
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: r => r.arn('elasticloadbalancing', `listener/${loadBalancerOf(r, r.props.LoadBalancerArn)}/${hexId(r.id)}`),
    atts: { ListenerArn: r => r.arn('elasticloadbalancing', `listener/${loadBalancerOf(r, r.props.LoadBalancerArn)}/${hexId(r.id)}`) },
  },
  'AWS::ElasticLoadBalancingV2::ListenerRule': {
    ref: r => r.arn('elasticloadbalancing', `listener-rule/${loadBalancerOf(r, r.props.ListenerArn)}/${hexId(r.id)}`),
    atts: { RuleArn: r => r.arn('elasticloadbalancing', `listener-rule/${loadBalancerOf(r, r.props.ListenerArn)}/${hexId(r.id)}`) },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    ref: r => r.arn('elasticloadbalancing', `targetgroup/${r.name}/${hexId(r.id)}`),
    atts: {
      TargetGroupFullName: r => `targetgroup/${r.name}/${hexId(r.id)}`,
      TargetGroupName: byName,
      TargetGroupArn: r => r.arn('elasticloadbalancing', `targetgroup/${r.name}/${hexId(r.id)}`),
      LoadBalancerArns: () => '',
    },
  },
  // Ref of an alarm is its name; its Arn attribute names the alarm too (AWS::CloudWatch::Alarm return values).
  'AWS::CloudWatch::Alarm': {
    ref: r => (typeof r.props.AlarmName === 'string' ? r.props.AlarmName : r.name),
    atts: { Arn: r => r.arn('cloudwatch', `alarm:${typeof r.props.AlarmName === 'string' ? r.props.AlarmName : r.name}`) },
  },
  'AWS::SNS::Topic': { ref: r => r.arn('sns', r.name), atts: { TopicArn: r => r.arn('sns', r.name), TopicName: byName } },
  // Ref of a queue is its URL (AWS::SQS::Queue return values).
  'AWS::SQS::Queue': {
    ref: r => `https://sqs.${r.ctx.region}.amazonaws.com/${ACCOUNT}/${r.name}`,
    atts: { Arn: r => r.arn('sqs', r.name), QueueName: byName, QueueUrl: r => `https://sqs.${r.ctx.region}.amazonaws.com/${ACCOUNT}/${r.name}` },
  },
  'AWS::Scheduler::Schedule': { ref: byName, atts: { Arn: r => r.arn('scheduler', `schedule/default/${r.name}`) } },
  // Ref of AWS::SSM::Parameter is the parameter's name; CDK writes `parameter/<name>` (or `parameter<name>` for '/…').
  'AWS::SSM::Parameter': { ref: r => (typeof r.props.Name === 'string' ? r.props.Name : r.name) },
  'AWS::CodeBuild::Project': { ref: byName, atts: { Arn: r => r.arn('codebuild', `project/${r.name}`) } },
  'AWS::CodePipeline::Pipeline': { ref: byName },
  'AWS::CodeDeploy::Application': { ref: byName },
  'AWS::CodeDeploy::DeploymentGroup': { ref: byName },
  'AWS::CodeDeploy::DeploymentConfig': { ref: byName },
  'AWS::DynamoDB::Table': { ref: byName, atts: { Arn: r => r.arn('dynamodb', `table/${r.name}`), StreamArn: r => r.arn('dynamodb', `table/${r.name}/stream/2024-01-01T00:00:00.000`) } },
  'AWS::DynamoDB::GlobalTable': { ref: byName, atts: { Arn: r => r.arn('dynamodb', `table/${r.name}`), StreamArn: r => r.arn('dynamodb', `table/${r.name}/stream/2024-01-01T00:00:00.000`) } },
  // Ref of a secret (and of its target attachment) is the secret's ARN, with Secrets Manager's six-character suffix.
  'AWS::SecretsManager::Secret': { ref: r => r.arn('secretsmanager', `secret:${r.name}-AbCdEf`) },
  'AWS::SecretsManager::SecretTargetAttachment': { ref: r => resolveString(r.props.SecretId, r.ctx) },
  'AWS::Lambda::Function': { ref: byName, atts: { Arn: r => r.arn('lambda', `function:${r.name}`) } },
  'AWS::StepFunctions::StateMachine': { ref: r => r.arn('states', `stateMachine:${r.name}`), atts: { Name: byName } },
  'AWS::Events::Rule': { ref: byName, atts: { Arn: r => r.arn('events', `rule/${r.name}`) } },
  'AWS::EC2::VPC': { ref: r => `vpc-${hexId(r.id)}`, atts: { DefaultSecurityGroup: r => `sg-${hexId(r.id)}`, CidrBlock: () => '10.0.0.0/16' } },
  'AWS::EC2::SecurityGroup': { ref: r => `sg-${hexId(r.id)}`, atts: { GroupId: r => `sg-${hexId(r.id)}` } },
  'AWS::EC2::Subnet': { ref: r => `subnet-${hexId(r.id)}` },
  'AWS::KMS::Key': { ref: r => hexId(r.id), atts: { Arn: r => r.arn('kms', `key/${hexId(r.id)}`) } },
  'AWS::CloudFront::Distribution': { ref: r => `E${hexId(r.id).toUpperCase().slice(0, 13)}`, atts: { DomainName: r => `d${hexId(r.id).slice(0, 13)}.cloudfront.net` } },
  'AWS::ServiceDiscovery::Service': { ref: r => `srv-${hexId(r.id)}`, atts: { Arn: r => r.arn('servicediscovery', `service/srv-${hexId(r.id)}`), Name: byName } },
  'AWS::ServiceDiscovery::PrivateDnsNamespace': { ref: r => `ns-${hexId(r.id)}`, atts: { Id: r => `ns-${hexId(r.id)}`, Arn: r => r.arn('servicediscovery', `namespace/ns-${hexId(r.id)}`) } },
  'AWS::EFS::FileSystem': { ref: r => `fs-${hexId(r.id)}`, atts: { Arn: r => r.arn('elasticfilesystem', `file-system/fs-${hexId(r.id)}`) } },
  'AWS::EFS::AccessPoint': { ref: r => `fsap-${hexId(r.id)}`, atts: { Arn: r => r.arn('elasticfilesystem', `access-point/fsap-${hexId(r.id)}`) } },
  'AWS::RDS::DBInstance': { ref: lower, atts: { 'Endpoint.Address': r => `${lower(r)}.abcdefghijkl.${r.ctx.region}.rds.amazonaws.com`, 'Endpoint.Port': () => '5432', 'DBInstanceArn': r => r.arn('rds', `db:${lower(r)}`) } },
};

function clusterName(r: Res): string {
  const cluster = resolveString(r.props.Cluster, r.ctx);
  return cluster.split('/').pop()!;
}

function family(r: Res): string {
  return typeof r.props.Family === 'string' ? r.props.Family : r.name;
}

/** A stable 16-hex-digit ID from a logical ID, where AWS generates one (load balancer, listener, group IDs). */
function hexId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

function resource(ctx: TemplateContext, id: string): Res {
  const res = ctx.template.Resources?.[id];
  if (!res) throw new Error(`${ctx.source}: no resource ${id}`);
  return {
    id,
    // CloudFormation names what the template leaves unnamed <stack>-<logical ID>-<suffix>: two
    // stacks of one app may hold the same logical ID (two stages), never the same name.
    name: `${ctx.stackName}-${id}`,
    props: res.Properties ?? {},
    arn: (service, path) => `arn:${PARTITION}:${service}:${ctx.region}:${ACCOUNT}:${path}`,
    ctx,
  };
}

function shapeOf(ctx: TemplateContext, id: string): Shape {
  const type = ctx.template.Resources?.[id]?.Type as string | undefined;
  if (!type) throw new Error(`${ctx.source}: no resource or parameter ${id}`);
  const shape = SHAPES[type];
  if (!shape) throw new Error(`${ctx.source}: no ARN shape for ${type} (${id}); add it to test/iam/cfn-arns.ts`);
  return shape;
}

function pseudo(name: string, ctx: TemplateContext): string | undefined {
  switch (name) {
    case 'AWS::AccountId': return ACCOUNT;
    case 'AWS::Region': return ctx.region;
    case 'AWS::Partition': return PARTITION;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::StackId': return `arn:${PARTITION}:cloudformation:${ctx.region}:${ACCOUNT}:stack/${ctx.stackName}/1`;
    case 'AWS::NoValue': return undefined;
    default: return undefined;
  }
}

function ref(name: string, ctx: TemplateContext): string {
  const p = pseudo(name, ctx);
  if (p !== undefined) return p;
  const parameter = ctx.template.Parameters?.[name];
  if (parameter) return String(parameter.Default ?? name);
  return shapeOf(ctx, name).ref(resource(ctx, name));
}

function getAtt(id: string, attribute: string, ctx: TemplateContext): string {
  const att = shapeOf(ctx, id).atts?.[attribute];
  if (!att) throw new Error(`${ctx.source}: no value for Fn::GetAtt ${id}.${attribute} (${ctx.template.Resources[id].Type}); add it to test/iam/cfn-arns.ts`);
  return att(resource(ctx, id));
}

function importValue(name: string, ctx: TemplateContext): string {
  for (const sibling of ctx.siblings()) {
    for (const output of Object.values<any>(sibling.template.Outputs ?? {})) {
      if (output.Export && resolveString(output.Export.Name, sibling) === name) return resolveString(output.Value, sibling);
    }
  }
  throw new Error(`${ctx.source}: no stack of the app exports '${name}'`);
}

function sub(text: string, vars: Record<string, unknown>, ctx: TemplateContext): string {
  return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
    if (name in vars) return resolveString(vars[name], ctx);
    const p = pseudo(name, ctx);
    if (p !== undefined) return p;
    const [id, attribute] = name.split(/\.(.*)/);
    return attribute ? getAtt(id, attribute, ctx) : ref(id, ctx);
  });
}

/** The string a CloudFormation expression evaluates to, with placeholder names. */
export function resolveString(value: unknown, ctx: TemplateContext): string {
  const resolved = resolve(value, ctx);
  if (typeof resolved !== 'string') throw new Error(`${ctx.source}: ${JSON.stringify(value)} is not a string`);
  return resolved;
}

/** A CloudFormation value with every expression evaluated (strings, arrays and objects). */
export function resolve(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return value;
  if (Array.isArray(value)) return value.map(v => resolve(v, ctx));
  const o = value as Record<string, any>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = o[fn];
    switch (fn) {
      case 'Ref': return ref(arg, ctx);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof arg === 'string' ? arg.split(/\.(.*)/) : arg;
        return getAtt(id, attribute, ctx);
      }
      case 'Fn::Join': return (arg[1] as unknown[]).map(v => resolveString(v, ctx)).join(arg[0]);
      case 'Fn::Sub': return typeof arg === 'string' ? sub(arg, {}, ctx) : sub(arg[0], arg[1], ctx);
      case 'Fn::ImportValue': return importValue(resolveString(arg, ctx), ctx);
      case 'Fn::Select': return (resolve(arg[1], ctx) as unknown[])[Number(resolve(arg[0], ctx))];
      case 'Fn::Split': return resolveString(arg[1], ctx).split(arg[0]);
      case 'Fn::GetAZs': return [`${ctx.region}a`, `${ctx.region}b`, `${ctx.region}c`];
      default: break;
    }
  }
  return Object.fromEntries(keys.map(k => [k, resolve(o[k], ctx)]));
}
