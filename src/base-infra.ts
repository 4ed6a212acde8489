import { PhysicalName, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { Ec2Capacity } from './private/ec2-capacity';
import { instanceResources, KNOWN_INSTANCE_FAMILIES } from './private/instance-resources';
import { checkDnsName, checkRange, fail } from './private/validation';

/**
 * The shared layer every MicroService runs on: a VPC, an ECS cluster and a Cloud Map namespace.
 *
 * Implemented by `BaseInfra`, and by `BaseInfra.fromBaseInfraAttributes()` for infrastructure
 * that another stack or another CDK app created.
 */
export interface IBaseInfra {
  /** The VPC the services and load balancers run in. */
  readonly vpc: ec2.IVpc;
  /** The ECS cluster the services run in. */
  readonly cluster: ecs.ICluster;
  /** The Cloud Map private DNS namespace the services register in. */
  readonly namespace: servicediscovery.IPrivateDnsNamespace;
  /**
   * The EC2 capacity provider, when the cluster has EC2 container instances next to Fargate.
   *
   * @default - none: services run on Fargate only
   */
  readonly ec2CapacityProvider?: ecs.AsgCapacityProvider;
  /**
   * The instance type of the EC2 capacity, so services can check that their tasks fit.
   *
   * @default - none
   */
  readonly ec2InstanceType?: ec2.InstanceType;
  /**
   * The KMS key of the cluster's ECS Exec configuration: it encrypts the sessions' data channel and
   * their log group. Services with `enableExecuteCommand` need it.
   *
   * @default - none: the cluster is not configured for ECS Exec
   */
  readonly executeCommandKey?: kms.IKey;
  /**
   * The log group ECS Exec sessions of the cluster are logged to.
   *
   * @default - none: the cluster is not configured for ECS Exec
   */
  readonly executeCommandLogGroup?: logs.ILogGroup;
  /**
   * The bucket ECS Exec sessions of the cluster are also logged to.
   *
   * @default - none
   */
  readonly executeCommandLogsBucket?: s3.IBucket;
}

/**
 * EC2 container instances for `BaseInfra`: an Auto Scaling group of ECS-optimized Amazon Linux 2023
 * instances, registered as a capacity provider with managed scaling and termination protection.
 */
export interface Ec2CapacityOptions {
  /**
   * The instance type. Its architecture (Graviton or x86_64) picks the AMI. It must be a type whose
   * vCPUs and memory the library knows (m, c and r families from the 5th generation, t2, t3, t3a,
   * t4g), so that services can be checked to fit on it; for others, create the capacity provider
   * yourself and pass it with `ServiceCapacity.ec2({ capacityProvider })`.
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The fewest instances. 0 lets managed scaling remove every instance when no task needs one.
   *
   * @default 0
   */
  readonly minCapacity?: number;

  /**
   * The most instances.
   *
   * @default 4
   */
  readonly maxCapacity?: number;

  /**
   * How full managed scaling keeps the instances, in percent. 100 packs them; lower values keep
   * spare capacity so new tasks start without waiting for an instance.
   *
   * @default 100
   */
  readonly targetCapacityPercent?: number;

  /**
   * Size of each instance's root volume.
   *
   * @default 30 GiB, encrypted gp3
   */
  readonly rootVolumeSizeGiB?: number;
}

/**
 * Attributes of base infrastructure created elsewhere, for `BaseInfra.fromBaseInfraAttributes()`.
 */
export interface BaseInfraAttributes {
  /**
   * The VPC, for example from `ec2.Vpc.fromVpcAttributes()` or `ec2.Vpc.fromLookup()`.
   * It must have private subnets with egress (NAT or VPC endpoints) for the tasks.
   */
  readonly vpc: ec2.IVpc;
  /** Name of the ECS cluster in that VPC. It must have the FARGATE and FARGATE_SPOT capacity providers. */
  readonly clusterName: string;
  /** Name of the Cloud Map private DNS namespace, for example `svc.internal`. */
  readonly namespaceName: string;
  /** ID of the Cloud Map namespace, for example `ns-abcd1234efgh5678`. */
  readonly namespaceId: string;
  /** ARN of the Cloud Map namespace. */
  readonly namespaceArn: string;
  /**
   * The KMS key of the cluster's ECS Exec configuration (`executeCommandConfiguration.kmsKeyId`).
   *
   * @default - none: services on this infrastructure cannot enable ECS Exec
   */
  readonly executeCommandKey?: kms.IKey;
  /**
   * The log group of the cluster's ECS Exec configuration. Needed with `executeCommandKey`.
   *
   * @default - none
   */
  readonly executeCommandLogGroup?: logs.ILogGroup;
  /**
   * The bucket of the cluster's ECS Exec configuration, if it has one.
   *
   * @default - none
   */
  readonly executeCommandLogsBucket?: s3.IBucket;
}

/**
 * Properties of `BaseInfra`.
 */
export interface BaseInfraProps {
  /**
   * An existing VPC to use instead of creating one. Its private subnets need egress (NAT gateways
   * or VPC endpoints) for image pulls.
   *
   * @default - a VPC over `maxAzs` Availability Zones with a public and a private subnet in each,
   * `natGateways` NAT gateways and flow logs to CloudWatch Logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How many Availability Zones the created VPC spans. Ignored when `vpc` is given. A stack without
   * an account knows two zones of its region, so more needs `env: { account, region }`.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * How many NAT gateways the created VPC gets, for outbound traffic from the private subnets
   * (image pulls, AWS APIs). Ignored when `vpc` is given.
   *
   * One NAT gateway per Availability Zone keeps egress working when a zone fails; each one costs
   * roughly 33 USD a month plus data processing. A single NAT gateway halves the cost but an
   * outage of its zone cuts egress for every zone (tasks elsewhere can no longer pull images).
   *
   * @default - one per Availability Zone (`maxAzs`)
   */
  readonly natGateways?: number;

  /**
   * How long the created VPC's flow logs are kept. Ignored when `vpc` is given.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * An existing ECS cluster to use instead of creating one. It must have the FARGATE and
   * FARGATE_SPOT capacity providers. When `vpc` is not given, the cluster's VPC is used.
   *
   * @default - a cluster with Container Insights (enhanced) and the Fargate and Fargate Spot capacity providers
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The name of the Cloud Map private DNS namespace. Services are reachable inside the VPC as
   * `http://<serviceName>.<namespaceName>:<port>`.
   *
   * @default 'svc.internal'
   */
  readonly namespaceName?: string;

  /**
   * EC2 container instances next to Fargate, for services that need EC2 (placement strategies,
   * instance types Fargate lacks, daemon tasks).
   *
   * @default - none: Fargate and Fargate Spot only
   */
  readonly ec2Capacity?: Ec2CapacityOptions;

  /**
   * Whether the cluster BaseInfra creates is configured for ECS Exec (`aws ecs execute-command`) in
   * services that opt in with `enableExecuteCommand`: every session is encrypted with a KMS key
   * BaseInfra creates (rotated yearly) and logged, commands and output, to a log group encrypted
   * with that key (logging OVERRIDE), and to `executeCommandLogsBucket` if given.
   *
   * @default false
   */
  readonly executeCommand?: boolean;

  /**
   * How long ECS Exec session logs are kept. Only with `executeCommand`.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly executeCommandLogRetention?: logs.RetentionDays;

  /**
   * A bucket ECS Exec sessions are also logged to (under `ecs-exec/`), for example the platform
   * team's audit bucket. It must be encrypted with SSE-S3. Only with `executeCommand`.
   *
   * @default - session logs go to CloudWatch Logs only
   */
  readonly executeCommandLogsBucket?: s3.IBucket;

  /**
   * What happens to the flow-log group, and the ECS Exec key and log group, when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The platform team's shared layer: a VPC, an ECS cluster with Fargate and Fargate Spot capacity,
 * and a Cloud Map private DNS namespace for service discovery.
 *
 * @example
 * const infra = new BaseInfra(stack, 'Infra', { natGateways: 1 });
 */
export class BaseInfra extends Construct implements IBaseInfra {
  /**
   * Uses base infrastructure created by another stack or another CDK app.
   */
  public static fromBaseInfraAttributes(scope: Construct, id: string, attrs: BaseInfraAttributes): IBaseInfra {
    const imported = new Construct(scope, id);
    const cluster = ecs.Cluster.fromClusterAttributes(imported, 'Cluster', {
      clusterName: attrs.clusterName,
      vpc: attrs.vpc,
    });
    const namespace = servicediscovery.PrivateDnsNamespace.fromPrivateDnsNamespaceAttributes(imported, 'Namespace', {
      namespaceName: attrs.namespaceName,
      namespaceId: attrs.namespaceId,
      namespaceArn: attrs.namespaceArn,
    });
    if (!attrs.executeCommandKey !== !attrs.executeCommandLogGroup) {
      fail(imported, 'executeCommandKey and executeCommandLogGroup describe one ECS Exec configuration: give both, or neither');
    }
    return {
      vpc: attrs.vpc,
      cluster,
      namespace,
      executeCommandKey: attrs.executeCommandKey,
      executeCommandLogGroup: attrs.executeCommandLogGroup,
      executeCommandLogsBucket: attrs.executeCommandLogsBucket,
    };
  }

  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.ICluster;
  public readonly namespace: servicediscovery.IPrivateDnsNamespace;
  public readonly ec2CapacityProvider?: ecs.AsgCapacityProvider;
  public readonly ec2InstanceType?: ec2.InstanceType;

  /** The Auto Scaling group of the EC2 capacity. Undefined without `ec2Capacity`. */
  public readonly autoScalingGroup?: autoscaling.AutoScalingGroup;

  /** The flow-log group of the created VPC. Undefined when `vpc` was given. */
  public readonly flowLogGroup?: logs.ILogGroup;

  public readonly executeCommandKey?: kms.IKey;
  public readonly executeCommandLogGroup?: logs.ILogGroup;
  public readonly executeCommandLogsBucket?: s3.IBucket;

  /**
   * @param scope the construct to create the VPC, cluster and namespace in
   * @param id the ID of this BaseInfra, unique within `scope` (the CloudFormation logical IDs of its children derive from it)
   * @param props the BaseInfra's properties
   */
  constructor(scope: Construct, id: string, props: BaseInfraProps = {}) {
    super(scope, id);

    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? maxAzs;
    const namespaceName = props.namespaceName ?? 'svc.internal';
    const existingVpc = props.vpc ?? props.cluster?.vpc;
    if (existingVpc) {
      for (const prop of ['maxAzs', 'natGateways', 'flowLogRetention'] as const) {
        if (props[prop] !== undefined) {
          fail(this, `${prop} only applies to the VPC BaseInfra creates, but an existing vpc or cluster was given: remove ${prop}`);
        }
      }
    }
    checkRange(this, 'maxAzs', maxAzs, 1, 6);
    if (!existingVpc) {
      checkZonesKnown(this, maxAzs);
    }
    if (!Token.isUnresolved(natGateways) && natGateways === 0) {
      fail(this, 'natGateways (0) leaves the private subnets without egress, so tasks cannot pull images or reach AWS APIs: use 1 or more, or pass a vpc that has VPC endpoints');
    }
    checkRange(this, 'natGateways', natGateways, 1, maxAzs, 'at least one for egress, at most one per Availability Zone (maxAzs)');
    checkDnsName(this, 'namespaceName', namespaceName);
    if (props.ec2Capacity?.instanceType) {
      checkInstanceTypeKnown(this, props.ec2Capacity.instanceType);
    }
    validateExecuteCommand(this, props);

    if (existingVpc) {
      this.vpc = existingVpc;
    } else {
      this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
        retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      this.vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs,
        natGateways,
        subnetConfiguration: [
          // Nothing in the public subnets needs an automatic public IP: NAT gateways have Elastic IPs.
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
          { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        ],
        flowLogs: {
          All: { destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
        },
      });
    }

    const exec = props.executeCommand ? createExecuteCommandLogging(this, props) : undefined;
    this.executeCommandKey = exec?.kmsKey;
    this.executeCommandLogGroup = exec?.logGroup;
    this.executeCommandLogsBucket = exec && props.executeCommandLogsBucket;
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      // Named at synth only when a stack in another account or region refers to it (a
      // ReleasePipeline's deploy action names it); CloudFormation names it otherwise.
      clusterName: PhysicalName.GENERATE_IF_NEEDED,
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
      executeCommandConfiguration: exec?.configuration,
    });

    if (props.ec2Capacity) {
      if (!(this.cluster instanceof ecs.Cluster)) {
        fail(this, 'ec2Capacity needs a cluster BaseInfra creates or an ecs.Cluster of this app; an imported cluster cannot get capacity providers: remove cluster or ec2Capacity');
      }
      const capacity = new Ec2Capacity(this, 'Ec2Capacity', { cluster: this.cluster, vpc: this.vpc, ...props.ec2Capacity });
      this.ec2CapacityProvider = capacity.capacityProvider;
      this.ec2InstanceType = capacity.instanceType;
      this.autoScalingGroup = capacity.autoScalingGroup;
    }

    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: namespaceName,
      vpc: this.vpc,
      description: 'Service discovery for the services of this BaseInfra',
    });
  }
}

function validateExecuteCommand(scope: Construct, props: BaseInfraProps): void {
  if (!props.executeCommand) {
    for (const prop of ['executeCommandLogRetention', 'executeCommandLogsBucket'] as const) {
      if (props[prop] !== undefined) {
        fail(scope, `${prop} is set but executeCommand is not: set executeCommand to true, or remove ${prop}`);
      }
    }
    return;
  }
  if (props.cluster) {
    fail(scope, 'executeCommand configures the cluster BaseInfra creates, but an existing cluster was given: remove cluster, or configure ECS Exec on that cluster and pass its key and log group to BaseInfra.fromBaseInfraAttributes()');
  }
  if (props.executeCommandLogsBucket?.encryptionKey) {
    fail(scope, `executeCommandLogsBucket (${props.executeCommandLogsBucket.node.path}) is encrypted with a KMS key the tasks would also need to use: use a bucket with encryption: s3.BucketEncryption.S3_MANAGED`);
  }
}

/** The cluster's ECS Exec configuration and the key and log group it names. */
interface ExecuteCommandLogging {
  readonly kmsKey: kms.IKey;
  readonly logGroup: logs.ILogGroup;
  readonly configuration: ecs.ExecuteCommandConfiguration;
}

/**
 * The cluster's ECS Exec configuration: sessions encrypted with a key of their own and logged with
 * logging OVERRIDE ("Monitor Amazon ECS containers with ECS Exec", logging and auditing,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
 */
function createExecuteCommandLogging(scope: Construct, props: BaseInfraProps): ExecuteCommandLogging {
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const kmsKey = new kms.Key(scope, 'ExecKey', {
    description: `Encrypts ECS Exec sessions and their logs (${scope.node.path})`,
    enableKeyRotation: true,
    removalPolicy,
  });
  // CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets
  // the regional logs principal use it for that account's log groups ("Encrypt log data in
  // CloudWatch Logs using AWS Key Management Service", step 2,
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
  const stack = Stack.of(scope);
  kmsKey.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
  // Nothing that uses this key needs grants (CloudWatch Logs and the sessions use it directly), so
  // only AWS services may create them ("Grants in AWS KMS",
  // https://docs.aws.amazon.com/kms/latest/developerguide/grants.html; Control Tower CT.KMS.PR.3).
  kmsKey.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  const logGroup = new logs.LogGroup(scope, 'ExecLogs', {
    retention: props.executeCommandLogRetention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: kmsKey,
    removalPolicy,
  });
  const bucket = props.executeCommandLogsBucket;
  const configuration: ecs.ExecuteCommandConfiguration = {
    kmsKey,
    logging: ecs.ExecuteCommandLogging.OVERRIDE,
    logConfiguration: {
      cloudWatchLogGroup: logGroup,
      cloudWatchEncryptionEnabled: true,
      s3Bucket: bucket,
      s3EncryptionEnabled: bucket ? true : undefined,
      s3KeyPrefix: bucket ? 'ecs-exec' : undefined,
    },
  };
  return { kmsKey, logGroup, configuration };
}

/**
 * A stack without an account cannot look its region's zones up, so aws-cdk-lib gives it two
 * (`Fn::GetAZs` picks 0 and 1) and a VPC asked to span more silently spans two. With an account the
 * zones come from a context look-up, whose first pass uses placeholders: nothing is checked then.
 */
function checkZonesKnown(scope: Construct, maxAzs: number): void {
  const stack = Stack.of(scope);
  const zones = stack.availabilityZones.length;
  if (Token.isUnresolved(maxAzs) || !Token.isUnresolved(stack.account) || maxAzs <= zones) {
    return;
  }
  fail(scope, `maxAzs (${maxAzs}) is more than the ${zones} Availability Zones a stack without an account gets (aws-cdk-lib cannot look the region's zones up without one), so the VPC would span ${zones}: use maxAzs ${zones}, or set env: { account, region } on the stack and synthesize once with credentials, which records the region's zones in cdk.context.json`);
}

/**
 * Services check that their tasks fit on one instance of the EC2 capacity, which needs the type's
 * vCPUs and memory: a type the size table does not know, or one that does not exist, is refused
 * rather than left unchecked.
 */
function checkInstanceTypeKnown(scope: Construct, instanceType: ec2.InstanceType): void {
  const name = instanceType.toString();
  if (Token.isUnresolved(name) || instanceResources(name)) {
    return;
  }
  fail(scope, `ec2Capacity.instanceType (${name}) is not an instance type whose vCPUs and memory this library knows (${KNOWN_INSTANCE_FAMILIES}), so no service could be checked to fit on it: use a type of those families, or create the Auto Scaling group capacity provider yourself and give services ServiceCapacity.ec2({ capacityProvider }), whose tasks are not size-checked`);
}
