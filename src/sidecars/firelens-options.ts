import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Where a FireLens log router copies the application's log records in S3.
 */
export interface FireLensS3Options {
  /**
   * The bucket. Objects are encrypted with the bucket's default encryption; when the bucket has a
   * KMS key (`encryptionKey`), the task role may generate data keys with it.
   */
  readonly bucket: s3.IBucket;

  /**
   * The start of every object key: path segments of letters, digits and `!-_.*'()`, each ending
   * with `/`. Objects are `<keyPrefix><container>-firelens-<task ID>/<yyyy>/<mm>/<dd>/<HH-MM-SS>-<UUID>.gz`,
   * gzipped JSON lines, and the task role may put objects under this prefix only.
   *
   * @default `<service name>/`
   */
  readonly keyPrefix?: string;
}

/**
 * A FireLens log router: AWS for Fluent Bit beside the application container.
 */
export interface FireLensOptions {
  /**
   * The log group the application's output goes to.
   *
   * @default - the service's log group
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Also copy the application's output to S3.
   *
   * @default - CloudWatch Logs only
   */
  readonly s3?: FireLensS3Options;

  /**
   * Whether the router parses each line the application writes as JSON and sends its fields as
   * top-level fields of the record, next to the ECS metadata FireLens adds (`ecs_task_arn`,
   * `container_name`…). For applications that log JSON lines: without it, each line arrives as
   * one string in the record's `log` field, and CloudWatch Logs Insights cannot query its fields.
   * Lines that are not JSON pass unchanged. Uses the `parse-json.conf` the AWS for Fluent Bit
   * image ships, so a custom `image` must carry `/fluent-bit/configs/parse-json.conf` too.
   *
   * @default false
   */
  readonly parseJson?: boolean;

  /**
   * The log router's image. With `s3`, the image must carry the init process of AWS for Fluent
   * Bit's `init-` tags, which reads the S3 output's configuration.
   *
   * @default - `public.ecr.aws/aws-observability/aws-for-fluent-bit:init-2.34.3.20260623`, the stable release
   */
  readonly image?: ecs.ContainerImage;

  /**
   * The log router's container name.
   *
   * @default 'log-router'
   */
  readonly containerName?: string;

  /**
   * The log router's hard memory limit in MiB, out of the task's memory.
   *
   * @default 128
   */
  readonly memoryLimitMiB?: number;

  /**
   * CPU units reserved for the log router.
   *
   * @default - none reserved
   */
  readonly cpu?: number;
}
