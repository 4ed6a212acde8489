import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3Assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeWildcards, resourceFinding } from './iam-findings';
import { SidecarImpl, sidecarLogging } from './sidecar-plan';
import { checkGrammar } from './validation';
import type { FireLensOptions, FireLensS3Options } from '../sidecars/firelens-options';

/**
 * AWS for Fluent Bit's latest stable version (AWS_FOR_FLUENT_BIT_STABLE_VERSION in
 * https://github.com/aws/aws-for-fluent-bit, whose README asks to pin "a specific immutable
 * version tag" informed by it rather than `stable`), with the init process ("Using the init tag":
 * `init-<version>` images read extra configuration files from S3, on Fargate too).
 */
/**
 * The parser filter the image ships for JSON lines: `Key_Name log`, `Parser json`,
 * `Reserve_Data True`, so the metadata fields stay (aws/aws-for-fluent-bit, configs/parse-json.conf,
 * copied to /fluent-bit/configs/ in the image). FireLens includes a file of the image in the
 * configuration it generates ("Specifying a custom configuration file", config-file-type `file`,
 * the only type Fargate supports, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html);
 * the init process includes that configuration in its own (init-process-for-fluent-bit, "How init
 * process works", step 3).
 */
const PARSE_JSON: ecs.FirelensOptions = {
  configFileType: ecs.FirelensConfigFileType.FILE,
  configFileValue: '/fluent-bit/configs/parse-json.conf',
  enableECSLogMetadata: true,
};

export const FLUENT_BIT_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:init-2.34.3.20260623';

/** The port FireLens listens on in the task ("Custom log routing", considerations). */
const FIRELENS_PORT = 24224;

/**
 * The S3 output, added next to the CloudWatch Logs output the log driver options make. A log
 * driver's options make one output; a second needs a configuration file, and on Fargate only a
 * file in the image works as FireLens's `config-file-value` — so the file is an S3 asset that
 * the init process of AWS for Fluent Bit downloads and includes (`aws_fluent_bit_init_s3_<n>`,
 * use_cases/init-process-for-fluent-bit in aws/aws-for-fluent-bit), on Fargate and EC2 alike.
 * Its values come from the log router's environment, so one file serves every service. PutObject
 * uploads of small files every minute suit tasks without persistent storage
 * (aws-samples/amazon-ecs-firelens-examples, examples/fluent-bit/s3); `s3_key_format` must start
 * with `/`, which is not part of the key (Fluent Bit, out_s3).
 */
export const S3_OUTPUT_CONFIG = `[OUTPUT]
    Name              s3
    Match             \${FIRELENS_S3_MATCH}
    bucket            \${FIRELENS_S3_BUCKET}
    region            \${FIRELENS_S3_REGION}
    s3_key_format     /\${FIRELENS_S3_KEY_PREFIX}$TAG/%Y/%m/%d/%H-%M-%S-$UUID.gz
    compression       gzip
    use_put_object    On
    total_file_size   1M
    upload_timeout    1m
`;

/** A key prefix Fluent Bit writes as is: no `$` or `%` (its key-format syntax), no leading `/`. */
function keyPrefixProblem(prefix: string): string | undefined {
  return /^([A-Za-z0-9!_.*'()-]+\/)+$/.test(prefix) ? undefined : 'is not path segments of letters, digits and !-_.*\'() each ending with /';
}

export function fireLensSidecar(options: FireLensOptions): SidecarImpl {
  const containerName = options.containerName ?? 'log-router';
  const memoryLimitMiB = options.memoryLimitMiB ?? 128;
  return {
    containerName,
    memoryLimitMiB,
    cpu: options.cpu,
    // "We recommend that the [log router] container be marked as essential" ("Example Amazon ECS
    // task definition: Route logs to FireLens",
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html): a task
    // whose router stopped would keep running with nowhere for its logs to go.
    essential: true,
    // What ECS adds by default ("Custom log routing", considerations,
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html), written out.
    appStartCondition: ecs.ContainerDependencyCondition.START,
    hasHealthCheck: false,
    ports: [FIRELENS_PORT],
    routesLogs: true,
    setsEnvironment: options.s3 !== undefined,
    validate(scope, prop) {
      checkGrammar(scope, `${prop}.s3.keyPrefix`, options.s3?.keyPrefix, keyPrefixProblem, 'use a prefix such as \'logs/orders/\'');
    },
    appLogging(_scope, appName, logGroup) {
      const group = options.logGroup ?? logGroup;
      // Fluent Bit's cloudwatch_logs output, the one AWS for Fluent Bit recommends over the older
      // `cloudwatch` Go plugin; the group exists, so it only creates streams
      // (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch).
      return ecs.LogDrivers.firelens({
        options: {
          Name: 'cloudwatch_logs',
          region: group.env.region,
          log_group_name: group.logGroupName,
          log_stream_prefix: `${appName}/`,
          auto_create_group: 'false',
        },
      });
    },
    addTo(scope, ctx) {
      const s3 = options.s3;
      const config = s3 ? s3OutputAsset(scope, containerName) : undefined;
      const router = ctx.taskDefinition.addFirelensLogRouter(`Sidecar-${containerName}`, {
        containerName,
        image: options.image ?? ecs.ContainerImage.fromRegistry(FLUENT_BIT_IMAGE),
        memoryLimitMiB,
        cpu: options.cpu,
        essential: true,
        firelensConfig: { type: ecs.FirelensLogRouterType.FLUENTBIT, options: options.parseJson ? PARSE_JSON : undefined },
        // The router's own output goes to CloudWatch Logs directly, never through itself.
        logging: sidecarLogging(ctx, containerName),
        environment: s3 && config ? {
          aws_fluent_bit_init_s3_1: config.bucket.arnForObjects(config.s3ObjectKey),
          FIRELENS_S3_MATCH: `${ctx.appName}-firelens-*`,
          FIRELENS_S3_BUCKET: s3.bucket.bucketName,
          FIRELENS_S3_REGION: s3.bucket.env.region,
          FIRELENS_S3_KEY_PREFIX: s3.keyPrefix ?? `${ctx.appName}/`,
        } : undefined,
      });
      grantCloudWatch(ctx.taskDefinition, options.logGroup ?? ctx.logGroup);
      if (s3 && config) {
        grantS3(ctx.taskDefinition, s3, s3.keyPrefix ?? `${ctx.appName}/`, config);
      }
      return router;
    },
  };
}

/**
 * What the cloudwatch_logs output calls on an existing group: CreateLogStream, then PutLogEvents
 * (DescribeLogStreams is the older Go plugin's, fluent/fluent-bit-docs#913).
 */
function grantCloudWatch(taskDefinition: ecs.TaskDefinition, logGroup: logs.ILogGroup): void {
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
}

/**
 * The S3 output's uploads and the init process's download of its configuration. "The plugin
 * requires s3:PutObject" with `use_put_object` (Fluent Bit, out_s3); an object encrypted with a KMS
 * key needs kms:GenerateDataKey on it ("Using server-side encryption with AWS KMS keys",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html). The init process
 * calls GetBucketLocation and GetObject (init-process-for-fluent-bit, "Set up your ECS Task
 * role"), here on the asset only. Buckets without a key encrypt with SSE-S3 by default
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
 */
function grantS3(taskDefinition: ecs.TaskDefinition, s3: FireLensS3Options, keyPrefix: string, config: s3Assets.Asset): void {
  const objects = s3.bucket.arnForObjects(`${keyPrefix}*`);
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
  if (s3.bucket.encryptionKey) {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [s3.bucket.encryptionKey.keyArn] }));
  }
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [config.bucket.arnForObjects(config.s3ObjectKey)] }));
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [config.bucket.bucketArn] }));
  acknowledgeWildcards(taskDefinition.taskRole, [resourceFinding(taskDefinition.taskRole, objects)],
    `FireLens writes log objects under ${keyPrefix} of the bucket only, with keys Fluent Bit makes per task and time.`);
}

let configFile: string | undefined;

/** The S3 output's configuration as a file asset; the file is the same for every service. */
function s3OutputAsset(scope: Construct, containerName: string): s3Assets.Asset {
  if (!configFile || !fs.existsSync(configFile)) {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'firelens-')), 's3-output.conf');
    fs.writeFileSync(configFile, S3_OUTPUT_CONFIG);
  }
  return new s3Assets.Asset(scope, `${containerName}S3Output`, { path: configFile });
}
