import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** What differs between the library's buckets. Everything else is the one secure recipe. */
export interface SecureBucketOptions {
  readonly removalPolicy: RemovalPolicy;
  /** How long objects and their old versions are kept. */
  readonly lifecycleRules: s3.LifecycleRule[];
  /** Why this bucket logs no server access of its own (cdk-nag AwsSolutions-S1). */
  readonly noAccessLogsReason: string;
  /** A KMS key to encrypt with instead of SSE-S3, for objects other accounts read through the key's policy. */
  readonly encryptionKey?: kms.IKey;
  /** The bucket's name; `PhysicalName.GENERATE_IF_NEEDED` for a bucket roles in other accounts name in their policies. */
  readonly bucketName?: string;
}

/**
 * A bucket with SSE-S3 encryption (the only kind ALB access logs and the S3 source action accept
 * without a key policy), TLS-only access, public access blocked, ACLs off and versioning, so an
 * overwritten or deleted object stays recoverable until the lifecycle rules expire it.
 */
export function secureBucket(scope: Construct, id: string, options: SecureBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: options.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
    encryptionKey: options.encryptionKey,
    bucketName: options.bucketName,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: options.lifecycleRules,
    removalPolicy: options.removalPolicy,
  });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: options.noAccessLogsReason });
  return bucket;
}
