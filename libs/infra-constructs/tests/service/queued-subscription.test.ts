import { describe, expect, it } from 'vitest';
import { defineService } from '@kestrel/service-manifest';
import { environment } from '../../src/environments';
import { ServiceStack } from '../../src/service/service-stack';
import type { PolicyDocument } from '../../src/service/iam';
import { onlyResourceOfType, reference, resourcesOfType, synthStack, testApp } from '../../src/testing';
import { fixtureBundles } from './fixtures/bundles';
import { grants, policyOfRole, resourceWhere } from './fixtures/orders-stack';

const OrderPlacedV1 = { source: 'kestrel.orders', detailType: 'OrderPlaced', version: 1 };
const CustomerRegisteredV1 = { source: 'kestrel.customers', detailType: 'CustomerRegistered', version: 1 };

/** A `reports` service: one function fed in batches through a queue, one invoked directly, and a Firehose grant. */
const reportsManifest = defineService({
  name: 'reports',
  description: 'Order reports: every order into a Firehose stream, in batches.',
  owner: { team: 'data-platform' },
  functions: {
    'on-order-placed': {
      description: 'Appends each placed order to the report stream.',
      handler: 'src/handlers/on-order-placed.ts',
      triggers: [{ kind: 'event', subscription: 'order-placed' }],
      timeoutSeconds: 30,
      access: { deliveryStreams: ['order-lines'], parameters: ['/kestrel/{env}/reports/key'] },
    },
    'on-customer-registered': {
      description: 'Starts a report page for each new customer.',
      handler: 'src/handlers/on-customer-registered.ts',
      triggers: [{ kind: 'event', subscription: 'customer-registered' }],
    },
  },
  tables: {},
  publishes: [],
  consumes: [
    {
      name: 'order-placed',
      description: 'Orders, in batches of up to 200.',
      events: [OrderPlacedV1],
      target: 'on-order-placed',
      retry: { maximumRetryAttempts: 20, maximumEventAgeSeconds: 3_600 },
      delivery: { kind: 'queue', batchSize: 200, maximumBatchingWindowSeconds: 10, maxReceiveCount: 5 },
    },
    {
      name: 'customer-registered',
      description: 'A new customer, one at a time.',
      events: [CustomerRegisteredV1],
      target: 'on-customer-registered',
      retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 7_200 },
    },
  ],
});

const env = environment('staging');
const stack = new ServiceStack(testApp(), { manifest: reportsManifest, env, bundlesDir: fixtureBundles(reportsManifest) });
const json = synthStack(stack);
const name = (thing: string) => `kestrel-staging-reports-${thing}`;
const queue = resourceWhere(json, 'aws_sqs_queue', 'name', name('order-placed-queue'));
const failedMessages = resourceWhere(json, 'aws_sqs_queue', 'name', name('order-placed-queue-dlq'));
const ruleDeadLetters = resourceWhere(json, 'aws_sqs_queue', 'name', name('order-placed-dlq'));
const rule = resourceWhere(json, 'aws_cloudwatch_event_rule', 'name', name('order-placed'));
const consumer = resourceWhere(json, 'aws_lambda_function', 'function_name', name('on-order-placed'));
const key = onlyResourceOfType(json, 'aws_kms_key');
const statementsOf = (policy: unknown) => (JSON.parse(String(policy)) as PolicyDocument).Statement;

describe('queued subscription: rule → queue → event source mapping', () => {
  it('targets the queue from the rule, with an explicit retry policy and its own dead-letter queue', () => {
    // act
    const target = resourcesOfType(json, 'aws_cloudwatch_event_target').find((t) => t.values.rule === reference(rule.address, 'name'));

    // assess
    expect(target?.values).toMatchObject({
      target_id: 'queue',
      arn: reference(queue.address, 'arn'),
      retry_policy: { maximum_retry_attempts: 20, maximum_event_age_in_seconds: 3_600 },
      dead_letter_config: { arn: reference(ruleDeadLetters.address, 'arn') },
    });
    expect(JSON.parse(String(rule.values.event_pattern))).toEqual({
      source: ['kestrel.orders'],
      'detail-type': ['OrderPlaced'],
      detail: { metadata: { version: [1] } },
    });
  });

  it('encrypts the queue with the service key, redrives after maxReceiveCount, and derives the visibility timeout', () => {
    // assess: 6 × 30 s timeout + 10 s window
    expect(queue.values).toMatchObject({ kms_master_key_id: reference(key.address, 'arn'), visibility_timeout_seconds: 190, message_retention_seconds: 345_600 });
    expect(JSON.parse(String(queue.values.redrive_policy))).toEqual({ deadLetterTargetArn: reference(failedMessages.address, 'arn'), maxReceiveCount: 5 });
    expect(failedMessages.values).toMatchObject({ kms_master_key_id: reference(key.address, 'arn'), message_retention_seconds: 1_209_600 });
  });

  it('lets only its rule send to the queue, and only over TLS', () => {
    // act
    const policy = resourcesOfType(json, 'aws_sqs_queue_policy').find((p) => p.values.queue_url === reference(queue.address, 'url'));

    // assess
    expect(statementsOf(policy?.values.policy)).toEqual([
      {
        Sid: 'OnlyItsRuleSends',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: reference(queue.address, 'arn'),
        Condition: { ArnEquals: { 'aws:SourceArn': reference(rule.address, 'arn') } },
      },
      { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: reference(queue.address, 'arn'), Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ]);
  });

  it('maps the queue to the function with the batch size, window and partial batch responses', () => {
    // act
    const mapping = resourcesOfType(json, 'aws_lambda_event_source_mapping').find((m) => m.values.event_source_arn === reference(queue.address, 'arn'));

    // assess
    expect(mapping?.values).toMatchObject({
      function_name: reference(consumer.address, 'arn'),
      enabled: true,
      batch_size: 200,
      maximum_batching_window_in_seconds: 10,
      function_response_types: ['ReportBatchItemFailures'],
    });
  });

  it('grants the function exactly this queue, its key through SQS, its stream and its environment\'s parameter', () => {
    // act
    const policy = policyOfRole(json, name('on-order-placed'));

    // assess
    expect(grants(policy).filter((grant) => /^(sqs|firehose|ssm|kms):/.test(grant))).toEqual(
      [
        'firehose:PutRecord on arn:aws:firehose:eu-west-1:111111111111:deliverystream/kestrel-staging-reports-order-lines',
        'firehose:PutRecordBatch on arn:aws:firehose:eu-west-1:111111111111:deliverystream/kestrel-staging-reports-order-lines',
        `kms:Decrypt on ${reference(key.address, 'arn')}`,
        'ssm:GetParameter on arn:aws:ssm:eu-west-1:111111111111:parameter/kestrel/staging/reports/key',
        'ssm:GetParameters on arn:aws:ssm:eu-west-1:111111111111:parameter/kestrel/staging/reports/key',
        ...['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'].map((action) => `${action} on ${reference(queue.address, 'arn')}`),
      ].sort(),
    );
    expect(policy.Statement.find((s) => s.Action.includes('kms:Decrypt'))?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } });
  });

  it('gives the queued function no asynchronous-invocation config, and the direct one keeps its own', () => {
    // act
    const configs = resourcesOfType(json, 'aws_lambda_function_event_invoke_config').map((c) => c.values.function_name);
    const direct = resourceWhere(json, 'aws_lambda_function', 'function_name', name('on-customer-registered'));

    // assess
    expect(configs).toEqual([reference(direct.address, 'function_name')]);
    expect(resourcesOfType(json, 'aws_sqs_queue').map((q) => q.values.name).sort()).toEqual(
      [name('customer-registered-dlq'), name('on-customer-registered-failures'), name('order-placed-dlq'), name('order-placed-queue'), name('order-placed-queue-dlq')].sort(),
    );
  });

  it('refuses a visibility timeout shorter than the default function timeout the manifest could not check', () => {
    // prepare: no timeoutSeconds in the manifest, so only the stack knows the 10 s default
    const manifest = defineService({
      ...reportsManifest,
      functions: { 'on-order-placed': { ...reportsManifest.functions['on-order-placed'], timeoutSeconds: undefined } },
      consumes: [{ ...reportsManifest.consumes[0], delivery: { kind: 'queue', batchSize: 10, maximumBatchingWindowSeconds: 0, visibilityTimeoutSeconds: 5, maxReceiveCount: 5 } }],
    });

    // act
    const build = () => new ServiceStack(testApp(), { manifest, env, bundlesDir: fixtureBundles(manifest) });

    // assess
    expect(build).toThrow(/order-placed: the queue's visibility timeout \(5 s\) is shorter than kestrel-staging-reports-on-order-placed's timeout \(10 s\)/);
  });
});
