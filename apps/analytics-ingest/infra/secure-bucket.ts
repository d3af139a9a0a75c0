import { Construct } from 'constructs';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import type { S3BucketLifecycleConfigurationRule } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';

export interface SecureBucketProps {
  bucketName: string;
  /** Customer-managed KMS key for SSE-KMS. */
  keyArn: string;
  /** Lifecycle rules (an abort-incomplete-uploads rule is always added). */
  lifecycle: S3BucketLifecycleConfigurationRule[];
}

/**
 * An S3 bucket with every protection the raw zone needs, each as its own
 * resource so a plan shows exactly what changes: all four Block Public
 * Access flags, bucket-owner-enforced ownership (ACLs off), SSE-KMS with a
 * bucket key (one KMS call per bucket-key period instead of per object),
 * versioning, a policy refusing plain HTTP and TLS below 1.2, and lifecycle.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  readonly lifecycle: S3BucketLifecycleConfiguration;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: false });
    const bucket = this.bucket.id;

    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.keyArn }, bucketKeyEnabled: true }],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });

    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyPlainHttp',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'DenyTlsBelow12',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
          },
        ],
      }),
      // A bucket policy is refused while Block Public Access is being set up.
      dependsOn: [publicAccess],
    });

    this.lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        ...props.lifecycle,
        { id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ],
      // Lifecycle rules on noncurrent versions need versioning in place first.
      dependsOn: [versioning],
    });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}
