/**
 * Terraform resources of SQS, as the local `apply` brings them to life.
 * Attribute names follow the AWS provider (`visibility_timeout_seconds` →
 * `VisibilityTimeout`…); exports match what the provider exports.
 */
import { createHash } from 'node:crypto';
import type { ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import type { SqsService } from './sqs-service';

/** Terraform argument → SQS attribute. */
const QUEUE_ARGUMENTS: Record<string, string> = {
  delay_seconds: 'DelaySeconds',
  max_message_size: 'MaximumMessageSize',
  message_retention_seconds: 'MessageRetentionPeriod',
  receive_wait_time_seconds: 'ReceiveMessageWaitTimeSeconds',
  visibility_timeout_seconds: 'VisibilityTimeout',
  redrive_policy: 'RedrivePolicy',
  redrive_allow_policy: 'RedriveAllowPolicy',
  policy: 'Policy',
  kms_master_key_id: 'KmsMasterKeyId',
  kms_data_key_reuse_period_seconds: 'KmsDataKeyReusePeriodSeconds',
  sqs_managed_sse_enabled: 'SqsManagedSseEnabled',
  content_based_deduplication: 'ContentBasedDeduplication',
  deduplication_scope: 'DeduplicationScope',
  fifo_throughput_limit: 'FifoThroughputLimit',
};

function asAttributeValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * A queue without `name` gets a generated one, as Terraform does; here it is
 * derived from the resource address so re-applying finds the same queue.
 */
function queueNameOf(resource: ResolvedResource): string {
  const config = resource.config;
  const fifo = config.fifo_queue === true || config.fifo_queue === 'true';
  if (typeof config.name === 'string' && config.name !== '') return config.name;
  const suffix = createHash('sha256').update(`${resource.stack}/${resource.address}`).digest('hex').slice(0, 26);
  const prefix = typeof config.name_prefix === 'string' ? config.name_prefix : 'terraform-';
  return `${prefix}${suffix}`.slice(0, fifo ? 75 : 80) + (fifo ? '.fifo' : '');
}

function queueAttributes(config: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [argument, attribute] of Object.entries(QUEUE_ARGUMENTS)) {
    const value = config[argument];
    if (value !== undefined && value !== null && value !== '') attributes[attribute] = asAttributeValue(value);
  }
  return attributes;
}

function requireString(resource: ResolvedResource, argument: string): string {
  const value = resource.config[argument];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${resource.address}: argument "${argument}" is required and must be a string`);
  }
  return value;
}

export function sqsProvisioners(sqs: SqsService): ResourceProvisioner[] {
  const exportsOf = (name: string): ResourceAttributes => ({
    id: sqs.urlOf(name),
    url: sqs.urlOf(name),
    arn: sqs.arnOf(name),
    name,
  });

  const queue: ResourceProvisioner = {
    type: 'aws_sqs_queue',
    async apply(resource) {
      const name = queueNameOf(resource);
      const attributes = queueAttributes(resource.config);
      const tags = (resource.config.tags ?? {}) as Record<string, string>;
      if (sqs.find(name)) {
        sqs.setAttributes(name, attributes);
        sqs.tag(name, tags);
      } else {
        const fifo = resource.config.fifo_queue === true || resource.config.fifo_queue === 'true';
        sqs.createQueue(name, { ...attributes, ...(fifo ? { FifoQueue: 'true' } : {}) }, tags);
      }
      return exportsOf(name);
    },
    async destroy(_resource, attributes) {
      const name = String(attributes.name ?? '');
      if (sqs.find(name)) sqs.deleteQueue(name);
    },
  };

  /** Resources that set one attribute of an existing queue (`queue_url` + a JSON document). */
  const attributeResource = (type: string, argument: string, attribute: string): ResourceProvisioner => ({
    type,
    async apply(resource) {
      const queueUrl = requireString(resource, 'queue_url');
      const value = resource.config[argument];
      sqs.setAttributes(queueUrl, { [attribute]: asAttributeValue(value ?? '') });
      return { id: queueUrl, queue_url: queueUrl, [argument]: value };
    },
    async destroy(resource) {
      const queueUrl = String(resource.config.queue_url ?? '');
      if (sqs.find(queueUrl)) sqs.setAttributes(queueUrl, { [attribute]: '' });
    },
  });

  return [
    queue,
    // Policies are recorded (GetQueueAttributes shows them) but not enforced: the local cloud has no IAM.
    attributeResource('aws_sqs_queue_policy', 'policy', 'Policy'),
    attributeResource('aws_sqs_queue_redrive_policy', 'redrive_policy', 'RedrivePolicy'),
    attributeResource('aws_sqs_queue_redrive_allow_policy', 'redrive_allow_policy', 'RedriveAllowPolicy'),
  ];
}
