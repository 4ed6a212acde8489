import { Annotations, Duration, Fn, Lazy, RemovalPolicy, Size, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { IBaseInfra } from './base-infra';
import { DeploymentStrategy, TrafficShiftingType } from './deployment-strategy';
import { instanceResources, schedulableMemoryMiB } from './private/instance-resources';
import { PipelineContainerImage } from './private/pipeline-image';
import {
  checkDnsLabel, checkElbName, checkFargateSize, checkPort, checkRange, checkSeconds, checkWholeMinutes, fail,
} from './private/validation';
import { ServiceCapacity } from './service-capacity';
import { ServiceImage } from './service-image';

/**
 * Who can reach a MicroService's load balancer.
 */
export enum LoadBalancerType {
  /** An internet-facing Application Load Balancer in the public subnets. */
  PUBLIC = 'PUBLIC',
  /** An internal Application Load Balancer in the private subnets, reachable from the VPC. */
  INTERNAL = 'INTERNAL',
  /** No load balancer: the service is reached only through its Cloud Map name. */
  NONE = 'NONE',
}

/**
 * Step scaling on average CPU: add tasks above one threshold, remove them below another.
 */
export interface CpuStepScaling {
  /**
   * Average CPU utilization (percent) above which tasks are added.
   *
   * @default 70
   */
  readonly scaleOutAbove?: number;

  /**
   * Average CPU utilization (percent) below which tasks are removed.
   *
   * @default 30
   */
  readonly scaleInBelow?: number;

  /**
   * How many tasks one step adds or removes.
   *
   * @default 1
   */
  readonly tasksPerStep?: number;
}

/**
 * A capacity change on a schedule, such as more tasks in business hours.
 */
export interface ScheduledScaling {
  /** A name for the schedule, unique within the service (it becomes a construct ID). */
  readonly name: string;

  /** When the change happens, for example `appscaling.Schedule.cron({ hour: '8', minute: '0' })`. */
  readonly schedule: appscaling.Schedule;

  /**
   * The new minimum number of tasks.
   *
   * @default - unchanged
   */
  readonly minCapacity?: number;

  /**
   * The new maximum number of tasks.
   *
   * @default - unchanged
   */
  readonly maxCapacity?: number;
}

/**
 * Auto scaling of a MicroService's task count. Set at least one policy or schedule.
 */
export interface ServiceAutoScaling {
  /**
   * The fewest tasks. It is also the task count the service starts with.
   *
   * @default 2
   */
  readonly minCapacity?: number;

  /** The most tasks. */
  readonly maxCapacity: number;

  /**
   * Keep average CPU utilization near this percentage (target tracking).
   *
   * @default - no CPU target tracking
   */
  readonly targetCpuUtilizationPercent?: number;

  /**
   * Keep average memory utilization near this percentage (target tracking).
   *
   * @default - no memory target tracking
   */
  readonly targetMemoryUtilizationPercent?: number;

  /**
   * Keep the load balancer's requests per task near this number per minute (target tracking).
   * Needs a load balancer.
   *
   * @default - no request-count target tracking
   */
  readonly targetRequestsPerTarget?: number;

  /**
   * Step scaling on CPU utilization. Not combinable with `targetCpuUtilizationPercent`, which
   * would fight it.
   *
   * @default - no step scaling
   */
  readonly cpuStepScaling?: CpuStepScaling;

  /**
   * Scheduled capacity changes.
   *
   * @default - none
   */
  readonly schedules?: ScheduledScaling[];

  /**
   * How long after a scale-in before another scale-in.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * How long after a scale-out before another scale-out.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/**
 * Properties of `MicroService`.
 */
export interface MicroServiceProps {
  /** The VPC, cluster and namespace to run in. */
  readonly infra: IBaseInfra;

  /**
   * The service's name: its Cloud Map name (`<serviceName>.<namespace>`), container name and log
   * stream prefix. A DNS label, unique within the namespace.
   */
  readonly serviceName: string;

  /** The container image. */
  readonly image: ServiceImage;

  /**
   * The port the container listens on.
   *
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * CPU units of the task (1024 = 1 vCPU). On Fargate: 256, 512, 1024, 2048, 4096, 8192 or
   * 16384. On EC2: 128 to 196608, and at most the instance type's vCPUs × 1024.
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Memory of the task in MiB. Fargate allows only certain values per `cpu`; on EC2 a task must
   * fit on one instance, with room left for the ECS agent and the OS.
   *
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * The CPU architecture of the tasks (and of images built from a local directory).
   *
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Where the tasks run: on-demand Fargate, Fargate Spot after an on-demand base, or EC2
   * container instances (`ServiceCapacity.ec2()`, with placement strategies and constraints).
   *
   * @default ServiceCapacity.fargate()
   */
  readonly capacity?: ServiceCapacity;

  /**
   * How many tasks run. Not combinable with `autoScaling`, whose `minCapacity` sets the count.
   *
   * @default 2
   */
  readonly desiredCount?: number;

  /**
   * Environment variables of the container: plain configuration, stored in clear text in the
   * task definition and the template. Credentials go through `secrets`: a variable whose name
   * looks like a credential (PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL)
   * with a literal value, or a URL with a password in it (`scheme://user:password@host`), is
   * refused. Names ending in `_ARN`, `_NAME`, `_ID` or `_FILE` point at a secret and are allowed.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets injected as environment variables when a task starts, from SSM Parameter Store
   * (`ecs.Secret.fromSsmParameter`) or Secrets Manager (`ecs.Secret.fromSecretsManager`), such as
   * `{ DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(db.secret!, 'password') }` for one field
   * of an RDS-generated secret. Only the task's execution role can read them.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * A health check run inside the container; the image must have the command it uses.
   *
   * @default - none; the load balancer's health check decides
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * The user the container runs as: a name, a UID, or `user:group` with names or IDs, such as
   * `node` or `1000:1000`. Naming a non-root user here lets compliance checks (Control Tower
   * CT.ECS.PR.3) see it in the task definition.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Whether the container's root filesystem is read-only.
   *
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * How long the container's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * An existing ECR repository for the service's images, instead of creating one.
   *
   * @default - a repository with scan on push, immutable tags and a lifecycle rule keeping `maxImageCount` images
   */
  readonly repository?: ecr.IRepository;

  /**
   * How many images the created repository keeps; older ones expire.
   *
   * @default 30
   */
  readonly maxImageCount?: number;

  /**
   * What happens to the stateful resources (repository, log group, access-log bucket) when they
   * leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Who can reach the service through a load balancer.
   *
   * @default LoadBalancerType.INTERNAL
   */
  readonly loadBalancerType?: LoadBalancerType;

  /**
   * The load balancer's name. Names are unique per account and region and changing one replaces
   * the load balancer, so prefer the generated one.
   *
   * @default - generated by CloudFormation
   */
  readonly loadBalancerName?: string;

  /**
   * The listener's protocol. HTTPS needs `certificate`.
   *
   * @default - HTTPS when `certificate` is given, otherwise HTTP
   */
  readonly protocol?: elbv2.ApplicationProtocol;

  /**
   * The ACM certificate of an HTTPS listener.
   *
   * @default - none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The TLS policy of an HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2 only)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * The listener's port.
   *
   * @default - 443 for HTTPS, 80 for HTTP
   */
  readonly listenerPort?: number;

  /**
   * Whether an HTTPS load balancer also listens on port 80 and redirects to HTTPS.
   *
   * @default true
   */
  readonly redirectHttp?: boolean;

  /**
   * Whether the load balancer writes access logs to S3. Needs the stack's region
   * (`env: { region }`), because the log bucket's policy names the region's ELB account.
   *
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * The bucket for access logs, for example one the platform team shares between services. It
   * must use SSE-S3 encryption.
   *
   * @default - a bucket owned by the service: SSE-S3, SSL only, public access blocked, versioned, objects expire after 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The load balancer's health check of each task. Unset fields keep the defaults, which bound a
   * rolling deployment's per-batch floor (interval × healthy threshold + deregistration delay)
   * at 10 s × 2 + 30 s = 50 s.
   *
   * @default - path '/', interval 10 s, timeout 5 s (or less for shorter intervals), healthy and unhealthy threshold 2, codes 200-399
   */
  readonly targetHealthCheck?: elbv2.HealthCheck;

  /**
   * How long the load balancer lets in-flight requests finish on a task that is stopping.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How long ECS ignores failed load-balancer health checks of a new task while it starts.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Whether the service also joins ECS Service Connect in the namespace, as a server reachable as
   * `http://<serviceName>:<containerPort>` from other Service Connect services (with retries and
   * metrics by the Service Connect proxy). The Cloud Map DNS name keeps working either way.
   *
   * @default false
   */
  readonly serviceConnect?: boolean;

  /**
   * Auto scaling of the task count.
   *
   * @default - a fixed `desiredCount`
   */
  readonly autoScaling?: ServiceAutoScaling;

  /**
   * How new versions replace running ones.
   *
   * @default DeploymentStrategy.rolling()
   */
  readonly deploymentStrategy?: DeploymentStrategy;

  /**
   * Alarms that roll a deployment back when they fire while it runs (and, for blue/green
   * strategies, during the bake time). On the ECS controller their names must be known at synth
   * (set `alarmName`): an alarm on this service's metrics whose name is a token would make a
   * circular dependency. With `DeploymentStrategy.codeDeploy()` the CodeDeploy deployment group
   * watches them. More can be added with `addDeploymentAlarms()`.
   *
   * @default - none; the circuit breaker alone decides
   */
  readonly deploymentAlarms?: cloudwatch.IAlarm[];
}

/**
 * One service team's runtime on ECS, on Fargate or on EC2 container instances: task
 * definition, container, service, ECR repository, optional Application Load Balancer, Cloud Map
 * registration, auto scaling, log group and deployment safety.
 *
 * Grant it access like any principal (`table.grantReadWriteData(service)`) and open
 * connections to or from it (`db.connections.allowDefaultPortFrom(service)`).
 */
export class MicroService extends Construct implements iam.IGrantable, ec2.IConnectable {
  /** The infrastructure the service runs on. */
  public readonly infra: IBaseInfra;
  /** The service's name in Cloud Map and in its container. */
  public readonly serviceName: string;
  /** The port the container listens on. */
  public readonly containerPort: number;
  /** The CPU architecture of the tasks. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** How new versions replace running ones. */
  public readonly deploymentStrategy: DeploymentStrategy;
  /** Where the tasks run; for `ServiceCapacity.ec2()`, with its capacity provider resolved. */
  public readonly capacity: ServiceCapacity;
  /** How long the load balancer lets in-flight requests finish on a task that is stopping. */
  public readonly deregistrationDelay: Duration;

  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECR repository for the service's images. */
  public readonly repository: ecr.IRepository;
  /** The container's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The Cloud Map service the tasks register in. */
  public readonly cloudMapService: servicediscovery.IService;
  /** The URL inside the VPC, through Cloud Map: `http://<serviceName>.<namespace>:<containerPort>`. */
  public readonly serviceDiscoveryUrl: string;

  /** The load balancer; undefined with `LoadBalancerType.NONE`. */
  public readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the service; undefined without a load balancer. */
  public readonly listener?: elbv2.ApplicationListener;
  /** The target group the tasks register in (the blue one of a blue/green strategy); undefined without a load balancer. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The second target group new tasks start behind; undefined for rolling updates. */
  public readonly greenTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener that reaches new tasks before production traffic does; undefined for rolling updates. */
  public readonly testListener?: elbv2.ApplicationListener;
  /** The production listener's rule whose weights ECS moves (ECS blue/green, canary, linear); undefined otherwise. */
  public readonly productionListenerRule?: elbv2.ApplicationListenerRule;
  /** The test listener's rule whose weights ECS moves (ECS blue/green, canary, linear); undefined otherwise. */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** The CodeDeploy deployment group; undefined unless the strategy is `DeploymentStrategy.codeDeploy()`. */
  public readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
  /** The parameter holding the image the pipeline deployed last; undefined unless the image is `ServiceImage.fromPipeline()`. */
  public readonly imageParameter?: ssm.IStringParameter;
  /** The load balancer's URL, such as `https://name-123.eu-west-1.elb.amazonaws.com`; undefined without one. */
  public readonly url?: string;
  /** The bucket the load balancer writes access logs to; undefined when access logs are off. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The task-count scaling target; undefined without `autoScaling`. */
  public readonly scaling?: ecs.ScalableTaskCount;

  /** The security groups of the tasks; the default port is the container port. */
  public readonly connections: ec2.Connections;
  /** The task role: what the application's AWS SDK calls run as. */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly deploymentAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: MicroServiceProps) {
    super(scope, id);

    const containerPort = props.containerPort ?? 8080;
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const cpuArchitecture = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
    const capacity = (props.capacity ?? ServiceCapacity.fargate())._bind(this, props.infra);
    const onEc2 = capacity.compatibility === ecs.Compatibility.EC2;
    const loadBalancerType = props.loadBalancerType ?? LoadBalancerType.INTERNAL;
    const protocol = props.protocol ?? (props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP);
    const listenerPort = props.listenerPort ?? (protocol === elbv2.ApplicationProtocol.HTTPS ? 443 : 80);
    const accessLogs = props.accessLogs ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const strategy = props.deploymentStrategy ?? DeploymentStrategy.rolling();
    const ecsBlueGreen = strategy.isBlueGreen && strategy.controller === ecs.DeploymentControllerType.ECS;
    const interval = props.targetHealthCheck?.interval ?? Duration.seconds(10);
    const healthCheck: elbv2.HealthCheck = {
      path: '/',
      interval,
      // The timeout must be shorter than the interval; 5 s unless the interval is shorter still.
      timeout: Duration.seconds(interval.isUnresolved() ? 5 : Math.max(2, Math.min(5, interval.toSeconds() - 1))),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      healthyHttpCodes: '200-399',
      ...props.targetHealthCheck,
    };
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);

    this.validate(props, {
      containerPort,
      cpu,
      memoryLimitMiB,
      cpuArchitecture,
      capacity,
      loadBalancerType,
      protocol,
      listenerPort,
      accessLogs,
      healthCheck,
      deregistrationDelay,
      strategy,
    });

    this.infra = props.infra;
    this.serviceName = props.serviceName;
    this.containerPort = containerPort;
    this.cpuArchitecture = cpuArchitecture;
    this.deploymentStrategy = strategy;
    this.capacity = capacity;
    this.deregistrationDelay = deregistrationDelay;

    this.repository = props.repository ?? new ecr.Repository(this, 'Repository', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      lifecycleRules: [{ description: 'Keep the newest images', maxImageCount: props.maxImageCount ?? 30 }],
      removalPolicy,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });

    this.taskDefinition = onEc2
      // awsvpc gives each task its own network interface and security group, as on Fargate, so the
      // load balancer targets, Cloud Map records and `connections` work the same. CDK refuses a
      // runtime platform for EC2 tasks: the architecture is checked against the instance type.
      ? new ecs.TaskDefinition(this, 'TaskDef', {
        compatibility: ecs.Compatibility.EC2,
        networkMode: ecs.NetworkMode.AWS_VPC,
        cpu: Tokenization.stringifyNumber(cpu),
        memoryMiB: Tokenization.stringifyNumber(memoryLimitMiB),
      })
      : new ecs.FargateTaskDefinition(this, 'TaskDef', {
        cpu,
        memoryLimitMiB,
        runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });

    const image = props.image.bind(this, { cpuArchitecture, repository: this.repository });
    if (image instanceof PipelineContainerImage) {
      this.imageParameter = image.parameter;
    }
    this.container = this.taskDefinition.addContainer('App', {
      containerName: props.serviceName,
      image,
      essential: true,
      // A hard limit equal to the task's memory: the container can use all of it, never more.
      memoryLimitMiB,
      portMappings: [{ name: 'http', containerPort, appProtocol: ecs.AppProtocol.http }],
      environment: props.environment,
      secrets: props.secrets,
      user: props.user,
      healthCheck: props.containerHealthCheck,
      readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: props.serviceName,
        // A full log buffer must not block the application's stdout (and so its requests).
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    if (image instanceof ecs.EcrImage || image instanceof ecs.AssetImage || image instanceof PipelineContainerImage) {
      Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, which every pull from ECR needs, is only authorized on *; the pull actions themselves are scoped to the image\'s repository.',
      });
    }
    if (props.environment && Object.keys(props.environment).length > 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason: 'Environment variables carry non-secret configuration set by the service team; credentials go through the secrets prop (SSM Parameter Store or Secrets Manager).',
      });
    }

    // What both service kinds share; only the EC2 one places tasks on instances.
    const serviceProps: ecs.BaseServiceOptions & Pick<ecs.FargateServiceProps, 'taskDefinition' | 'vpcSubnets' | 'assignPublicIp'> = {
      cluster: props.infra.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.autoScaling ? undefined : props.desiredCount ?? 2,
      capacityProviderStrategies: capacity.capacityProviderStrategies,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      deploymentController: { type: strategy.controller },
      minHealthyPercent: strategy.minHealthyPercent,
      maxHealthyPercent: strategy.maxHealthyPercent,
      circuitBreaker: strategy.controller === ecs.DeploymentControllerType.ECS
        ? { enable: true, rollback: strategy.rollbackOnFailure }
        : undefined,
      // A service its pipeline deploys runs the newest revision of its task definition family, which
      // is the pipeline's last one or the one CloudFormation registered last with the image the
      // pipeline deployed last; naming a revision would let an unrelated service update go back to
      // CloudFormation's older one. CodeDeploy services must name the family.
      taskDefinitionRevision: this.imageParameter || strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY
        ? ecs.TaskDefinitionRevision.LATEST
        : undefined,
      deploymentStrategy: strategy.isBlueGreen ? strategy.ecsStrategy : undefined,
      bakeTime: strategy.bakeTime,
      canaryConfiguration: strategy.ecsStrategy === ecs.DeploymentStrategy.CANARY
        ? { stepPercent: strategy.stepPercent, stepBakeTime: strategy.stepInterval }
        : undefined,
      linearConfiguration: strategy.ecsStrategy === ecs.DeploymentStrategy.LINEAR
        ? { stepPercent: strategy.stepPercent, stepBakeTime: strategy.stepInterval }
        : undefined,
      lifecycleHooks: strategy.lifecycleHooks.length > 0 ? strategy.lifecycleHooks : undefined,
      healthCheckGracePeriod: loadBalancerType === LoadBalancerType.NONE
        ? undefined
        : props.healthCheckGracePeriod ?? Duration.seconds(60),
      cloudMapOptions: {
        name: props.serviceName,
        cloudMapNamespace: props.infra.namespace,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        // Short TTL: clients notice replaced tasks within seconds of a deployment.
        dnsTtl: Duration.seconds(10),
      },
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    };
    const service = onEc2
      ? new ecs.Ec2Service(this, 'Service', {
        ...serviceProps,
        // An empty list would still be written to the template; leaving it out says the same.
        placementStrategies: capacity.placementStrategies.length > 0 ? capacity.placementStrategies : undefined,
        placementConstraints: capacity.placementConstraints.length > 0 ? capacity.placementConstraints : undefined,
      })
      : new ecs.FargateService(this, 'Service', serviceProps);
    if (onEc2) {
      // A capacity provider strategy may only name providers already associated with the cluster,
      // and nothing else orders the service after the association, which the cluster creates.
      service.node.addDependency(props.infra.cluster);
    }
    this.service = service;
    if (this.imageParameter && strategy.controller === ecs.DeploymentControllerType.ECS) {
      // The service names its family, so a revision CloudFormation registers (the task definition
      // changed in code) would not roll out by itself: its revision number starts a deployment.
      service.forceNewDeployment(Fn.select(6, Fn.split(':', this.taskDefinition.taskDefinitionArn)));
    }
    this.cloudMapService = service.cloudMapService!;
    this.serviceDiscoveryUrl = `http://${props.serviceName}.${props.infra.namespace.namespaceName}:${containerPort}`;
    (service.node.defaultChild as ecs.CfnService).addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
      produce: () => this.deploymentAlarmNames.length === 0
        ? undefined
        : { Enable: true, Rollback: true, AlarmNames: this.deploymentAlarmNames },
    }));

    if (props.serviceConnect) {
      service.enableServiceConnect({
        namespace: props.infra.namespace.namespaceArn,
        services: [{
          portMappingName: 'http',
          // Cloud Map already has `<serviceName>` for DNS discovery; Service Connect needs its own entry.
          discoveryName: `${props.serviceName}-sc`,
          dnsName: props.serviceName,
          port: containerPort,
        }],
        logDriver: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: `${props.serviceName}-proxy` }),
      });
    }

    this.connections = new ec2.Connections({
      securityGroups: service.connections.securityGroups,
      defaultPort: ec2.Port.tcp(containerPort),
    });
    this.grantPrincipal = this.taskDefinition.taskRole;

    if (loadBalancerType !== LoadBalancerType.NONE) {
      const internetFacing = loadBalancerType === LoadBalancerType.PUBLIC;
      const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
        vpc: props.infra.vpc,
        internetFacing,
        loadBalancerName: props.loadBalancerName,
        vpcSubnets: { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
        dropInvalidHeaderFields: true,
        desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
      });
      this.loadBalancer = loadBalancer;

      if (accessLogs) {
        this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket(removalPolicy);
        loadBalancer.logAccessLogs(this.accessLogsBucket, props.serviceName);
      }

      this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
        vpc: props.infra.vpc,
        port: containerPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        healthCheck,
        deregistrationDelay,
        // ECS-native blue/green attaches the service below, together with the green target group.
        targets: ecsBlueGreen ? undefined : [service],
      });

      const https = protocol === elbv2.ApplicationProtocol.HTTPS;
      const listenerOptions = {
        protocol,
        certificates: props.certificate ? [props.certificate] : undefined,
        sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      };
      this.listener = loadBalancer.addListener('Listener', {
        port: listenerPort,
        ...listenerOptions,
        // ECS moves traffic by changing the weights of a listener rule, so the rule carries it all.
        defaultAction: ecsBlueGreen ? elbv2.ListenerAction.fixedResponse(404) : undefined,
        defaultTargetGroups: ecsBlueGreen ? undefined : [this.targetGroup],
        open: internetFacing,
      });
      if (strategy.isBlueGreen) {
        const blueGreen = this.configureBlueGreen(loadBalancer, this.targetGroup, this.listener, listenerOptions, {
          healthCheck, deregistrationDelay, containerPort,
        });
        this.greenTargetGroup = blueGreen.greenTargetGroup;
        this.testListener = blueGreen.testListener;
        this.productionListenerRule = blueGreen.productionListenerRule;
        this.testListenerRule = blueGreen.testListenerRule;
        this.deploymentGroup = blueGreen.deploymentGroup;
      }
      const redirect = https && (props.redirectHttp ?? true);
      if (redirect) {
        loadBalancer.addRedirect({ sourcePort: 80, targetPort: listenerPort, open: internetFacing });
      }
      if (internetFacing) {
        Validations.of(loadBalancer).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'An internet-facing load balancer accepts traffic from any address on its listener ports only; the tasks behind it accept traffic from the load balancer only.',
        });
        if (!https) {
          Annotations.of(this).addWarningV2('cdk-ecs-devops:publicHttp',
            `the public load balancer of '${props.serviceName}' listens on plain HTTP: pass a certificate to serve HTTPS`);
        }
      } else {
        // An internal load balancer serves the whole VPC (other services, the load tester).
        const vpcPeer = ec2.Peer.ipv4(props.infra.vpc.vpcCidrBlock);
        loadBalancer.connections.allowFrom(vpcPeer, ec2.Port.tcp(listenerPort), 'Listener, from the VPC');
        Validations.of(loadBalancer).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'Ingress is from the VPC CIDR only; when the VPC comes from another stack the CIDR is an import cdk-nag cannot evaluate.',
        });
        if (redirect) {
          loadBalancer.connections.allowFrom(vpcPeer, ec2.Port.tcp(80), 'HTTP redirect, from the VPC');
        }
      }

      const scheme = https ? 'https' : 'http';
      const defaultPort = https ? 443 : 80;
      this.url = `${scheme}://${loadBalancer.loadBalancerDnsName}${listenerPort === defaultPort ? '' : `:${listenerPort}`}`;
    }

    if (props.autoScaling) {
      this.scaling = this.configureAutoScaling(props.autoScaling);
    }
    this.addDeploymentAlarms(...(props.deploymentAlarms ?? []));
  }

  /**
   * Adds alarms that roll a running deployment back when they fire. On the ECS controller their
   * names must be known at synth time (set `alarmName` on the alarm); with
   * `DeploymentStrategy.codeDeploy()` they go to the CodeDeploy deployment group, any name works.
   */
  public addDeploymentAlarms(...alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      const name = physicalAlarmName(alarm);
      if (this.deploymentGroup) {
        // CodeDeploy watches the alarms from its deployment group. An alarm of another stack is
        // referenced by its literal name: a Ref would make this stack depend on the alarm's stack,
        // which already depends on this one for the service's metrics.
        const crossStack = Stack.of(alarm) !== Stack.of(this) && !Token.isUnresolved(name);
        this.deploymentGroup.addAlarm(crossStack
          ? cloudwatch.Alarm.fromAlarmName(this, `DeploymentAlarm${this.node.children.length}`, name)
          : alarm);
        continue;
      }
      if (Token.isUnresolved(name)) {
        fail(this, `deployment alarm '${alarm.node.path}' has no alarmName known at synth: set alarmName, otherwise the alarm (which watches this service) and the service would depend on each other`);
      }
      if (!this.deploymentAlarmNames.includes(name)) {
        this.deploymentAlarmNames.push(name);
      }
    }
  }

  /** ECS CPUUtilization of the service, average over 5 minutes by default. */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricCpuUtilization(props);
  }

  /** ECS MemoryUtilization of the service, average over 5 minutes by default. */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.service.metricMemoryUtilization(props);
  }

  /** Container Insights RunningTaskCount of the service, average over 5 minutes by default. */
  public metricRunningTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('RunningTaskCount', props);
  }

  /** Container Insights DesiredTaskCount of the service, average over 5 minutes by default. */
  public metricDesiredTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('DesiredTaskCount', props);
  }

  /** ALB RequestCount of the service's target group, sum over 5 minutes by default. */
  public metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricRequestCount').metrics.requestCount(props);
  }

  /** ALB RequestCountPerTarget of the service's target group, sum over 5 minutes by default. */
  public metricRequestCountPerTarget(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricRequestCountPerTarget').metrics.requestCountPerTarget(props);
  }

  /** ALB HTTPCode_Target_<code>_Count: responses the tasks sent, sum over 5 minutes by default. */
  public metricHttpCodeTarget(code: elbv2.HttpCodeTarget, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricHttpCodeTarget').metrics.httpCodeTarget(code, props);
  }

  /** ALB HTTPCode_ELB_<code>_Count: responses the load balancer itself sent, sum over 5 minutes by default. */
  public metricHttpCodeElb(code: elbv2.HttpCodeElb, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireTargetGroup('metricHttpCodeElb');
    return this.loadBalancer!.metrics.httpCodeElb(code, props);
  }

  /** ALB TargetResponseTime of the service's target group in seconds, average over 5 minutes by default. */
  public metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricTargetResponseTime').metrics.targetResponseTime(props);
  }

  /** ALB HealthyHostCount of the service's target group, average over 5 minutes by default. */
  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricHealthyHostCount').metrics.healthyHostCount(props);
  }

  /** ALB UnHealthyHostCount of the service's target group, average over 5 minutes by default. */
  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricUnhealthyHostCount').metrics.unhealthyHostCount(props);
  }

  private containerInsightsMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: { ClusterName: this.infra.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.AVERAGE,
      ...props,
    });
  }

  private requireTargetGroup(method: string): elbv2.ApplicationTargetGroup {
    if (!this.targetGroup) {
      fail(this, `${method}() needs a load balancer, but loadBalancerType is NONE`);
    }
    return this.targetGroup;
  }

  /**
   * The second target group, the test listener and what moves traffic between blue and green:
   * listener rules and a role for ECS, or a deployment group for CodeDeploy.
   */
  private configureBlueGreen(
    loadBalancer: elbv2.ApplicationLoadBalancer,
    blue: elbv2.ApplicationTargetGroup,
    listener: elbv2.ApplicationListener,
    listenerOptions: { protocol: elbv2.ApplicationProtocol; certificates?: acm.ICertificate[]; sslPolicy?: elbv2.SslPolicy },
    v: { healthCheck: elbv2.HealthCheck; deregistrationDelay: Duration; containerPort: number },
  ): {
      greenTargetGroup: elbv2.ApplicationTargetGroup;
      testListener: elbv2.ApplicationListener;
      productionListenerRule?: elbv2.ApplicationListenerRule;
      testListenerRule?: elbv2.ApplicationListenerRule;
      deploymentGroup?: codedeploy.EcsDeploymentGroup;
    } {
    const strategy = this.deploymentStrategy;
    const green = new elbv2.ApplicationTargetGroup(this, 'GreenTargetGroup', {
      vpc: this.infra.vpc,
      port: v.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      healthCheck: v.healthCheck,
      deregistrationDelay: v.deregistrationDelay,
    });
    const testPort = strategy.testListenerPort!;
    const testListener = loadBalancer.addListener('TestListener', {
      port: testPort,
      ...listenerOptions,
      defaultAction: strategy.controller === ecs.DeploymentControllerType.ECS ? elbv2.ListenerAction.fixedResponse(404) : undefined,
      // CodeDeploy needs the green target group behind a listener before its first deployment.
      defaultTargetGroups: strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY ? [green] : undefined,
      // Test traffic is for tests and hooks inside the VPC, even on a public load balancer.
      open: false,
    });
    loadBalancer.connections.allowFrom(ec2.Peer.ipv4(this.infra.vpc.vpcCidrBlock), ec2.Port.tcp(testPort), 'Test listener, from the VPC');

    if (strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      return { greenTargetGroup: green, testListener, deploymentGroup: this.createDeploymentGroup(blue, green, listener, testListener) };
    }

    const weighted = (): elbv2.ListenerAction => elbv2.ListenerAction.weightedForward([
      { targetGroup: blue, weight: 100 },
      { targetGroup: green, weight: 0 },
    ]);
    const productionListenerRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: weighted(),
    });
    const testListenerRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
      listener: testListener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: weighted(),
    });

    // What ECS needs to move tasks and weights, on these resources only (instead of the AWS managed
    // AmazonECSInfrastructureRolePolicyForLoadBalancers, which allows it on every load balancer).
    const role = new iam.Role(this, 'LoadBalancerRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Lets ECS move blue/green traffic between the target groups of this service',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [blue.targetGroupArn, green.targetGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:ModifyListener'],
      resources: [listener.listenerArn, testListener.listenerArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:ModifyRule'],
      resources: [productionListenerRule.listenerRuleArn, testListenerRule.listenerRuleArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Elastic Load Balancing authorizes its Describe* actions on * only; every action that changes something is scoped to this service\'s target groups, listeners and rules.',
    });

    this.service.loadBalancerTarget({
      containerName: this.container.containerName,
      containerPort: v.containerPort,
      alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: green,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionListenerRule),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testListenerRule),
        role,
      }),
    }).attachToApplicationTargetGroup(blue);
    return { greenTargetGroup: green, testListener, productionListenerRule, testListenerRule };
  }

  private createDeploymentGroup(
    blue: elbv2.ApplicationTargetGroup,
    green: elbv2.ApplicationTargetGroup,
    listener: elbv2.ApplicationListener,
    testListener: elbv2.ApplicationListener,
  ): codedeploy.EcsDeploymentGroup {
    const strategy = this.deploymentStrategy;
    // What CodeDeploy's ECS blue/green needs, on this service only (instead of the AWS managed
    // AWSCodeDeployRoleForECS, which allows it on every service, listener and role).
    const role = new iam.Role(this, 'CodeDeployRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'Lets CodeDeploy run blue/green deployments of this service',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet'],
      resources: [this.service.serviceArn],
    }));
    // Task sets get their IDs during a deployment: allowed on this service's task sets by condition.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:CreateTaskSet', 'ecs:DeleteTaskSet'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:service': this.service.serviceArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:ModifyListener'],
      resources: [listener.listenerArn, testListener.listenerArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth', 'cloudwatch:DescribeAlarms'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Elastic Load Balancing\'s Describe* actions and cloudwatch:DescribeAlarms are authorized on * only; task sets get their IDs during a deployment, so creating and deleting them is allowed on * for this service only (ecs:service condition). Everything else is scoped to this service, its listeners and its roles.',
    });

    const shifting = strategy.trafficShifting!;
    const group = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
      service: this.service,
      blueGreenDeploymentConfig: {
        blueTargetGroup: blue,
        greenTargetGroup: green,
        listener,
        testListener,
        terminationWaitTime: strategy.terminationWaitTime,
      },
      deploymentConfig: this.codeDeployConfig(shifting.type, shifting.percentage, shifting.interval),
      autoRollback: { failedDeployment: true, stoppedDeployment: true },
      // The deployment group would attach AWSCodeDeployRoleForECS to any role it is given.
      role: role.withoutPolicyUpdates(),
    });
    group.node.addDependency(role);
    return group;
  }

  private codeDeployConfig(type: TrafficShiftingType, percentage: number, interval: Duration): codedeploy.IEcsDeploymentConfig {
    if (type === TrafficShiftingType.ALL_AT_ONCE) {
      return codedeploy.EcsDeploymentConfig.ALL_AT_ONCE;
    }
    const minutes = interval.isUnresolved() ? undefined : interval.toMinutes();
    const predefined: Record<string, codedeploy.IEcsDeploymentConfig> = {
      'CANARY/10/5': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      'CANARY/10/15': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES,
      'LINEAR/10/1': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
      'LINEAR/10/3': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
    };
    const known = predefined[`${type}/${percentage}/${minutes}`];
    if (known) {
      return known;
    }
    return new codedeploy.EcsDeploymentConfig(this, 'DeploymentConfig', {
      trafficRouting: type === TrafficShiftingType.CANARY
        ? codedeploy.TrafficRouting.timeBasedCanary({ percentage, interval })
        : codedeploy.TrafficRouting.timeBasedLinear({ percentage, interval }),
    });
  }

  private createAccessLogsBucket(removalPolicy: RemovalPolicy): s3.IBucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs support only SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioning keeps a log that was overwritten or deleted recoverable for 30 days.
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the load balancer\'s access logs; logging access to the log bucket itself would only log the log writes.',
    });
    return bucket;
  }

  private configureAutoScaling(options: ServiceAutoScaling): ecs.ScalableTaskCount {
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: options.minCapacity ?? 2,
      maxCapacity: options.maxCapacity,
    });
    const cooldowns = {
      scaleInCooldown: options.scaleInCooldown ?? Duration.minutes(5),
      scaleOutCooldown: options.scaleOutCooldown ?? Duration.minutes(1),
    };
    if (options.targetCpuUtilizationPercent !== undefined) {
      scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: options.targetCpuUtilizationPercent, ...cooldowns });
    }
    if (options.targetMemoryUtilizationPercent !== undefined) {
      scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: options.targetMemoryUtilizationPercent, ...cooldowns });
    }
    if (options.targetRequestsPerTarget !== undefined) {
      scaling.scaleOnRequestCount('Requests', {
        requestsPerTarget: options.targetRequestsPerTarget,
        targetGroup: this.targetGroup!,
        ...cooldowns,
      });
    }
    if (options.cpuStepScaling) {
      const step = options.cpuStepScaling;
      const change = step.tasksPerStep ?? 1;
      scaling.scaleOnMetric('CpuStep', {
        metric: this.metricCpuUtilization({ period: Duration.minutes(1) }),
        scalingSteps: [
          { upper: step.scaleInBelow ?? 30, change: -change },
          { lower: step.scaleOutAbove ?? 70, change: +change },
        ],
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        cooldown: cooldowns.scaleOutCooldown,
      });
    }
    for (const schedule of options.schedules ?? []) {
      scaling.scaleOnSchedule(schedule.name, {
        schedule: schedule.schedule,
        minCapacity: schedule.minCapacity,
        maxCapacity: schedule.maxCapacity,
      });
    }
    return scaling;
  }

  private validate(props: MicroServiceProps, v: {
    containerPort: number;
    cpu: number;
    memoryLimitMiB: number;
    cpuArchitecture: ecs.CpuArchitecture;
    capacity: ServiceCapacity;
    loadBalancerType: LoadBalancerType;
    protocol: elbv2.ApplicationProtocol;
    listenerPort: number;
    accessLogs: boolean;
    healthCheck: elbv2.HealthCheck;
    deregistrationDelay: Duration;
    strategy: DeploymentStrategy;
  }): void {
    checkDnsLabel(this, 'serviceName', props.serviceName);
    checkPort(this, 'containerPort', v.containerPort);
    checkPort(this, 'listenerPort', v.listenerPort);
    if (v.capacity.compatibility === ecs.Compatibility.EC2) {
      this.validateEc2(props.infra, v.cpu, v.memoryLimitMiB, v.cpuArchitecture, v.capacity, v.strategy);
    } else {
      checkFargateSize(this, v.cpu, v.memoryLimitMiB);
    }
    checkRange(this, 'desiredCount', props.desiredCount, 0, 5000);
    checkRange(this, 'maxImageCount', props.maxImageCount, 1, 10000);
    checkRange(this, 'capacity.onDemandBase', v.capacity.onDemandBase, 0, 100000);
    checkRange(this, 'deploymentStrategy minHealthyPercent', v.strategy.minHealthyPercent, 0, 100);
    checkRange(this, 'deploymentStrategy maxHealthyPercent', v.strategy.maxHealthyPercent, 100, 200);
    checkElbName(this, 'loadBalancerName', props.loadBalancerName);
    this.validateStrategy(props, v.strategy, v.loadBalancerType, v.protocol, v.listenerPort);

    if (v.capacity.spot && v.cpuArchitecture === ecs.CpuArchitecture.ARM64) {
      fail(this, 'capacity is Fargate Spot but cpuArchitecture is ARM64, which Fargate Spot does not run: use ServiceCapacity.fargate() or cpuArchitecture X86_64');
    }
    for (const name of Object.keys(props.secrets ?? {})) {
      if (props.environment && name in props.environment) {
        fail(this, `'${name}' is both in environment and in secrets: keep it in secrets only`);
      }
    }
    this.validateEnvironment(props.environment ?? {});
    if (props.user !== undefined && !Token.isUnresolved(props.user) && !/^[^\s:]+(:[^\s:]+)?$/.test(props.user)) {
      fail(this, `user ('${props.user}') must be a user or UID, optionally with a group or GID after a colon, such as 'node' or '1000:1000'`);
    }

    const https = v.protocol === elbv2.ApplicationProtocol.HTTPS;
    if (v.loadBalancerType === LoadBalancerType.NONE) {
      const lbOnly = ['loadBalancerName', 'protocol', 'certificate', 'sslPolicy', 'listenerPort', 'accessLogsBucket', 'targetHealthCheck', 'healthCheckGracePeriod'] as const;
      for (const prop of lbOnly) {
        if (props[prop] !== undefined) {
          fail(this, `${prop} is set but loadBalancerType is NONE: remove ${prop}, or choose LoadBalancerType.PUBLIC or INTERNAL`);
        }
      }
      if (props.autoScaling?.targetRequestsPerTarget !== undefined) {
        fail(this, 'autoScaling.targetRequestsPerTarget needs a load balancer, but loadBalancerType is NONE: scale on CPU or memory instead');
      }
    } else {
      if (https && !props.certificate) {
        fail(this, 'protocol is HTTPS but no certificate was given: pass an ACM certificate (certificate prop) or use protocol HTTP');
      }
      if (!https && props.certificate) {
        fail(this, 'a certificate was given but protocol is HTTP: remove protocol to serve HTTPS with it, or remove the certificate');
      }
      if (!https && props.sslPolicy !== undefined) {
        fail(this, 'sslPolicy only applies to HTTPS listeners: pass a certificate, or remove sslPolicy');
      }
      if (https && (props.redirectHttp ?? true) && v.listenerPort === 80) {
        fail(this, 'listenerPort is 80 for HTTPS while redirectHttp needs port 80 for the redirect: use listenerPort 443, or set redirectHttp to false');
      }
      if (v.accessLogs && Token.isUnresolved(Stack.of(this).region)) {
        fail(this, 'accessLogs needs the stack\'s region, because the log bucket\'s policy names the region\'s Elastic Load Balancing account: set env: { region } on the stack (no account needed), or set accessLogs to false');
      }
      if (!v.accessLogs && props.accessLogsBucket) {
        fail(this, 'accessLogsBucket is set but accessLogs is false: remove one of them');
      }
      this.validateHealthCheck(v.healthCheck);
      checkSeconds(this, 'deregistrationDelay', v.deregistrationDelay, 0, 3600);
      checkSeconds(this, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2147483647);
    }

    const scaling = props.autoScaling;
    if (scaling) {
      if (props.desiredCount !== undefined) {
        fail(this, `desiredCount (${props.desiredCount}) and autoScaling are both set: autoScaling.minCapacity sets the starting task count, so remove desiredCount`);
      }
      const min = scaling.minCapacity ?? 2;
      checkRange(this, 'autoScaling.minCapacity', min, 0, 5000);
      checkRange(this, 'autoScaling.maxCapacity', scaling.maxCapacity, 1, 5000);
      if (!Token.isUnresolved(min) && !Token.isUnresolved(scaling.maxCapacity) && min > scaling.maxCapacity) {
        fail(this, `autoScaling.minCapacity (${min}) must not exceed autoScaling.maxCapacity (${scaling.maxCapacity})`);
      }
      checkRange(this, 'autoScaling.targetCpuUtilizationPercent', scaling.targetCpuUtilizationPercent, 1, 100);
      checkRange(this, 'autoScaling.targetMemoryUtilizationPercent', scaling.targetMemoryUtilizationPercent, 1, 100);
      checkRange(this, 'autoScaling.targetRequestsPerTarget', scaling.targetRequestsPerTarget, 1, 1000000);
      const hasPolicy = [scaling.targetCpuUtilizationPercent, scaling.targetMemoryUtilizationPercent,
        scaling.targetRequestsPerTarget, scaling.cpuStepScaling].some(p => p !== undefined) || (scaling.schedules ?? []).length > 0;
      if (!hasPolicy) {
        fail(this, 'autoScaling has no policy: set targetCpuUtilizationPercent, targetMemoryUtilizationPercent, targetRequestsPerTarget, cpuStepScaling or schedules');
      }
      const step = scaling.cpuStepScaling;
      if (step) {
        if (scaling.targetCpuUtilizationPercent !== undefined) {
          fail(this, 'autoScaling has both targetCpuUtilizationPercent and cpuStepScaling, which would fight over the task count: keep one');
        }
        const outAbove = step.scaleOutAbove ?? 70;
        const inBelow = step.scaleInBelow ?? 30;
        checkRange(this, 'autoScaling.cpuStepScaling.scaleOutAbove', outAbove, 1, 100);
        checkRange(this, 'autoScaling.cpuStepScaling.scaleInBelow', inBelow, 0, 99);
        checkRange(this, 'autoScaling.cpuStepScaling.tasksPerStep', step.tasksPerStep, 1, 100);
        if (inBelow >= outAbove) {
          fail(this, `autoScaling.cpuStepScaling.scaleInBelow (${inBelow}) must be lower than scaleOutAbove (${outAbove})`);
        }
      }
      const names = new Set<string>();
      for (const s of scaling.schedules ?? []) {
        if (names.has(s.name)) {
          fail(this, `autoScaling.schedules has two schedules named '${s.name}': give each a unique name`);
        }
        names.add(s.name);
        if (s.minCapacity === undefined && s.maxCapacity === undefined) {
          fail(this, `autoScaling.schedules '${s.name}' changes nothing: set minCapacity, maxCapacity or both`);
        }
        if (s.minCapacity !== undefined && s.maxCapacity !== undefined && s.minCapacity > s.maxCapacity) {
          fail(this, `autoScaling.schedules '${s.name}' has minCapacity (${s.minCapacity}) above maxCapacity (${s.maxCapacity})`);
        }
      }
    }
  }

  /**
   * What only EC2 capacity needs: ECS's range for EC2 task sizes, a deployment controller that
   * runs there, and, when the instance type is known, a task that fits on one instance of the
   * same CPU architecture.
   */
  private validateEc2(infra: IBaseInfra, cpu: number, memoryLimitMiB: number, cpuArchitecture: ecs.CpuArchitecture,
    capacity: ServiceCapacity, strategy: DeploymentStrategy): void {
    checkRange(this, 'cpu', cpu, 128, 196608, 'ECS runs EC2 tasks of 128 to 196608 CPU units (1024 = 1 vCPU)');
    if (!Token.isUnresolved(memoryLimitMiB) && (!Number.isInteger(memoryLimitMiB) || memoryLimitMiB < 6)) {
      fail(this, `memoryLimitMiB (${memoryLimitMiB}) must be a whole number of at least 6: Docker gives a container at least 6 MiB`);
    }
    if (strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      fail(this, 'deploymentStrategy codeDeploy is not supported on EC2 capacity: CodeDeploy deploys ECS task sets, which take no placement strategies or constraints; use the ECS-native DeploymentStrategy.blueGreen(), canary() or linear(), which keep them, or rolling()');
    }
    // The instance type is known only for the infra's own capacity provider.
    const instanceType = capacity.capacityProvider === infra.ec2CapacityProvider ? infra.ec2InstanceType : undefined;
    if (!instanceType || Token.isUnresolved(instanceType.toString())) {
      return;
    }
    const instanceArm = instanceType.architecture === ec2.InstanceArchitecture.ARM_64;
    const taskArm = cpuArchitecture === ecs.CpuArchitecture.ARM64;
    if (instanceArm !== taskArm) {
      const [has, needs] = instanceArm ? ['ARM64 (Graviton)', 'ARM64'] : ['X86_64', 'X86_64'];
      fail(this, `cpuArchitecture (${taskArm ? 'ARM64' : 'X86_64'}) does not match the EC2 capacity's instance type ${instanceType}, which is ${has}: set cpuArchitecture to ecs.CpuArchitecture.${needs}, or give the BaseInfra an instance type of the task's architecture`);
    }
    const resources = instanceResources(instanceType.toString());
    if (!resources) {
      return;
    }
    const maxCpu = resources.vcpus * 1024;
    if (!Token.isUnresolved(cpu) && cpu > maxCpu) {
      fail(this, `cpu (${cpu}) is more than one ${instanceType} instance has (${resources.vcpus} vCPUs = ${maxCpu} CPU units), so no instance could run the task: use at most ${maxCpu}, or a larger instance type`);
    }
    const maxMemory = schedulableMemoryMiB(resources);
    if (!Token.isUnresolved(memoryLimitMiB) && memoryLimitMiB > maxMemory) {
      fail(this, `memoryLimitMiB (${memoryLimitMiB}) does not fit on one ${instanceType} instance: of its ${resources.memoryMiB} MiB, tasks can use ${maxMemory} MiB (the rest stays with the ECS agent and the OS): use at most ${maxMemory}, or a larger instance type`);
    }
  }

  /**
   * Credentials in plain environment variables end up in clear text in the task definition, the
   * template and every `DescribeTaskDefinition` answer. Values that are tokens (a table name, a
   * secret's ARN) are references resolved at deploy time, not credentials written into the code.
   */
  private validateEnvironment(environment: Record<string, string>): void {
    for (const [name, value] of Object.entries(environment)) {
      if (URL_WITH_PASSWORD.test(value)) {
        fail(this, `environment variable '${name}' has a password in a URL (scheme://user:password@host), which would be stored in clear text: pass the password through secrets, for example secrets: { DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') }, and build the URL in the application`);
      }
      if (value !== '' && !Token.isUnresolved(value) && CREDENTIAL_NAME.test(name) && !SECRET_REFERENCE_NAME.test(name)) {
        fail(this, `environment variable '${name}' looks like a credential and has a literal value, which would be stored in clear text: pass it through secrets, for example secrets: { ${name}: ecs.Secret.fromSecretsManager(secret, 'password') }`);
      }
    }
  }

  private validateStrategy(props: MicroServiceProps, strategy: DeploymentStrategy, loadBalancerType: LoadBalancerType,
    protocol: elbv2.ApplicationProtocol, listenerPort: number): void {
    if (!strategy.isBlueGreen) {
      return;
    }
    const name = strategy.describe();
    if (loadBalancerType === LoadBalancerType.NONE) {
      fail(this, `deploymentStrategy ${name} moves traffic between two target groups of a load balancer, but loadBalancerType is NONE: choose LoadBalancerType.PUBLIC or INTERNAL, or DeploymentStrategy.rolling()`);
    }
    const testPort = strategy.testListenerPort!;
    checkPort(this, 'deploymentStrategy testListenerPort', testPort);
    if (testPort === listenerPort) {
      fail(this, `deploymentStrategy testListenerPort (${testPort}) is also the production listenerPort: choose another test port, such as 8080 or 9000`);
    }
    const redirect = protocol === elbv2.ApplicationProtocol.HTTPS && (props.redirectHttp ?? true);
    if (redirect && testPort === 80) {
      fail(this, 'deploymentStrategy testListenerPort (80) is taken by the HTTP to HTTPS redirect: choose another test port, or set redirectHttp to false');
    }
    if (strategy.controller === ecs.DeploymentControllerType.CODE_DEPLOY) {
      if (props.serviceConnect) {
        fail(this, 'serviceConnect is set but deploymentStrategy is codeDeploy, which does not support Service Connect: use DeploymentStrategy.blueGreen(), canary() or linear(), or remove serviceConnect');
      }
      const shifting = strategy.trafficShifting!;
      if (shifting.type !== TrafficShiftingType.ALL_AT_ONCE) {
        checkRange(this, 'trafficShifting percentage', shifting.percentage, 1, 99, 'CodeDeploy shifts whole percentages and needs something left for the second step');
        checkWholeMinutes(this, 'trafficShifting interval', shifting.interval, 1, 2880);
      }
      checkWholeMinutes(this, 'deploymentStrategy terminationWaitTime', strategy.terminationWaitTime, 0, 2880);
      return;
    }
    checkWholeMinutes(this, 'deploymentStrategy bakeTime', strategy.bakeTime, 0, 1440);
    if (strategy.stepPercent !== undefined && !Token.isUnresolved(strategy.stepPercent)) {
      const linear = strategy.ecsStrategy === ecs.DeploymentStrategy.LINEAR;
      const [prop, min] = linear ? ['stepPercent', 3] : ['canaryPercent', 0.1];
      const p = strategy.stepPercent;
      if (p < min || p > 100 || Math.abs(p * 10 - Math.round(p * 10)) > 1e-9) {
        fail(this, `deploymentStrategy ${prop} (${p}) must be from ${min} to 100 in steps of 0.1`);
      }
      checkWholeMinutes(this, `deploymentStrategy ${linear ? 'stepInterval' : 'canaryInterval'}`, strategy.stepInterval, 0, 1440);
    }
  }

  private validateHealthCheck(hc: elbv2.HealthCheck): void {
    if (hc.path !== undefined && !Token.isUnresolved(hc.path) && (!hc.path.startsWith('/') || hc.path.length > 1024)) {
      fail(this, `targetHealthCheck.path ('${hc.path}') must start with '/' and be at most 1024 characters, for example '/health'`);
    }
    checkSeconds(this, 'targetHealthCheck.interval', hc.interval, 5, 300);
    checkSeconds(this, 'targetHealthCheck.timeout', hc.timeout, 2, 120);
    checkRange(this, 'targetHealthCheck.healthyThresholdCount', hc.healthyThresholdCount, 2, 10);
    checkRange(this, 'targetHealthCheck.unhealthyThresholdCount', hc.unhealthyThresholdCount, 2, 10);
    if (hc.interval && hc.timeout && !hc.interval.isUnresolved() && !hc.timeout.isUnresolved()
      && hc.timeout.toSeconds() >= hc.interval.toSeconds()) {
      fail(this, `targetHealthCheck.timeout (${hc.timeout.toSeconds()} s) must be shorter than targetHealthCheck.interval (${hc.interval.toSeconds()} s)`);
    }
  }
}

/** Environment variable names that say they hold a credential. */
const CREDENTIAL_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;
/** Names that say they point at a secret (its ARN, name, ID or a mounted file) rather than hold it. */
const SECRET_REFERENCE_NAME = /_(ARN|NAME|ID|FILE)$/i;
/** `scheme://user:password@` anywhere in the value, such as `postgres://app:hunter2@db/app`; the user may be empty. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;

/** The alarm's name as written in the template: an Alarm's `alarmName` is a Ref, its physical name sits on its L1. */
function physicalAlarmName(alarm: cloudwatch.IAlarm): string {
  const physical = (alarm.node.defaultChild as { alarmName?: unknown } | undefined)?.alarmName;
  return typeof physical === 'string' ? physical : alarm.alarmName;
}
