/**
 * Queue attributes: their defaults, the ranges SQS accepts, and which ones a
 * caller may set. Values travel as strings, as they do on the wire.
 */
import { SqsErrors } from './errors';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Attributes SQS computes; asking for them is fine, setting them is not. */
export const READ_ONLY_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  // SQS raised the ceiling (and the default for new queues) from 256 KiB to 1 MiB in 2025.
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const BOOLEAN_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'SqsManagedSseEnabled']);
const FIFO_ONLY_ATTRIBUTES = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const FREE_FORM_ATTRIBUTES = new Set(['Policy', 'KmsMasterKeyId', 'RedriveAllowPolicy']);

export const SETTABLE_ATTRIBUTES = new Set([
  ...Object.keys(INTEGER_RANGES),
  ...BOOLEAN_ATTRIBUTES,
  ...FIFO_ONLY_ATTRIBUTES,
  ...FREE_FORM_ATTRIBUTES,
  'RedrivePolicy',
]);

export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const FIFO_DEFAULTS: Record<string, string> = {
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

export function defaultAttributes(fifo: boolean): Record<string, string> {
  return fifo ? { ...DEFAULT_ATTRIBUTES, FifoQueue: 'true', ...FIFO_DEFAULTS } : { ...DEFAULT_ATTRIBUTES };
}

/**
 * Parses a RedrivePolicy value (a JSON string; `maxReceiveCount` may be a
 * number or a numeric string, as Terraform and the console both send it).
 */
export function parseRedrivePolicy(value: string): RedrivePolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw SqsErrors.invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw SqsErrors.invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.`);
  }
  const record = parsed as Record<string, unknown>;
  const arn = record.deadLetterTargetArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw SqsErrors.invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`);
  }
  const count = Number(record.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw SqsErrors.invalidParameterValue(
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(record.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/**
 * Checks caller-supplied attributes one by one and returns them normalised
 * (booleans lower-cased). `creating` allows `FifoQueue`, which can't change later.
 */
export function validateAttributes(attributes: Record<string, string>, options: { fifo: boolean; creating: boolean }): Record<string, string> {
  const normalised: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    if ((READ_ONLY_ATTRIBUTES as readonly string[]).includes(name) || !SETTABLE_ATTRIBUTES.has(name)) {
      throw SqsErrors.invalidAttributeName(name);
    }
    if (name === 'FifoQueue' && !options.creating) {
      throw SqsErrors.invalidAttributeName(name);
    }
    if (FIFO_ONLY_ATTRIBUTES.has(name) && !options.fifo) {
      throw SqsErrors.invalidAttributeName(name);
    }
    const range = INTEGER_RANGES[name];
    if (range) {
      const number = Number(value);
      if (value.trim() === '' || !Number.isInteger(number) || number < range[0] || number > range[1]) {
        throw SqsErrors.invalidAttributeValue(name, `Must be an integer from ${range[0]} to ${range[1]}, got '${value}'.`);
      }
      normalised[name] = String(number);
      continue;
    }
    if (BOOLEAN_ATTRIBUTES.has(name)) {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        throw SqsErrors.invalidAttributeValue(name, `Must be true or false, got '${value}'.`);
      }
      normalised[name] = lower;
      continue;
    }
    if (name === 'DeduplicationScope' && value !== 'messageGroup' && value !== 'queue') {
      throw SqsErrors.invalidAttributeValue(name, `Must be messageGroup or queue, got '${value}'.`);
    }
    if (name === 'FifoThroughputLimit' && value !== 'perQueue' && value !== 'perMessageGroupId') {
      throw SqsErrors.invalidAttributeValue(name, `Must be perQueue or perMessageGroupId, got '${value}'.`);
    }
    if (name === 'RedrivePolicy' && value !== '') {
      const policy = parseRedrivePolicy(value);
      normalised[name] = JSON.stringify(policy);
      continue;
    }
    if ((name === 'Policy' || name === 'RedriveAllowPolicy') && value !== '') {
      try {
        JSON.parse(value);
      } catch {
        throw SqsErrors.invalidAttributeValue(name, 'Must be a JSON document.');
      }
    }
    normalised[name] = value;
  }
  return normalised;
}
