import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloudContext, ResolvedResource } from '../../src/core/types';
import { createSqsModule } from '../../src/services/sqs';

function context(): LocalCloudContext {
  return {
    accountId: '000000000000',
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:4566',
    dataDir: mkdtempSync(join(tmpdir(), 'sqs-prov-')),
    inMemory: true,
    peers: {
      lambda: () => { throw new Error('unused'); },
      sqs: () => { throw new Error('unused'); },
      events: () => { throw new Error('unused'); },
      firehose: () => { throw new Error('unused'); },
    },
    log: () => undefined,
  };
}

function resource(type: string, name: string, config: Record<string, unknown>): ResolvedResource {
  return { stack: 'orders', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' };
}

describe('SQS provisioners', () => {
  it('creates queues from Terraform config, wires the redrive policy and exports url/arn/name', async () => {
    // prepare
    const module = createSqsModule(context());
    const provisioner = (type: string) => module.provisioners.find((candidate) => candidate.type === type);
    // act
    const dlq = await provisioner('aws_sqs_queue')?.apply(resource('aws_sqs_queue', 'dlq', { name: 'orders-dlq', message_retention_seconds: 1209600 }));
    const main = await provisioner('aws_sqs_queue')?.apply(
      resource('aws_sqs_queue', 'main', {
        name: 'orders',
        visibility_timeout_seconds: 60,
        redrive_policy: JSON.stringify({ deadLetterTargetArn: dlq?.arn, maxReceiveCount: '3' }),
        tags: { team: 'orders' },
      }),
    );
    await provisioner('aws_sqs_queue_policy')?.apply(resource('aws_sqs_queue_policy', 'p', { queue_url: main?.url, policy: '{"Version":"2012-10-17","Statement":[]}' }));
    const reapplied = await provisioner('aws_sqs_queue')?.apply(resource('aws_sqs_queue', 'main', { name: 'orders', visibility_timeout_seconds: 90 }));
    // assess
    expect(main).toEqual({
      id: 'http://127.0.0.1:4566/000000000000/orders',
      url: 'http://127.0.0.1:4566/000000000000/orders',
      arn: 'arn:aws:sqs:eu-west-1:000000000000:orders',
      name: 'orders',
    });
    expect(reapplied).toEqual(main);
    const attributes = module.service.attributesOf('orders');
    expect(attributes.VisibilityTimeout).toBe('90');
    expect(JSON.parse(attributes.RedrivePolicy as string)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:orders-dlq', maxReceiveCount: 3 });
    expect(attributes.Policy).toContain('2012-10-17');
    expect(module.state[0]?.describe()).toEqual([
      expect.objectContaining({ name: 'orders', depth: 0, inFlight: 0 }),
      expect.objectContaining({ name: 'orders-dlq', dlqOf: ['orders'] }),
    ]);
  });

  it('names unnamed queues deterministically from the resource address and destroys them', async () => {
    // prepare
    const module = createSqsModule(context());
    const queue = module.provisioners.find((candidate) => candidate.type === 'aws_sqs_queue');
    const unnamed = resource('aws_sqs_queue', 'events', { fifo_queue: true, content_based_deduplication: true });
    // act
    const first = await queue?.apply(unnamed);
    const second = await queue?.apply(unnamed);
    await queue?.destroy?.(unnamed, first ?? {});
    // assess
    expect(first?.name).toMatch(/^terraform-[0-9a-f]{26}\.fifo$/);
    expect(second?.name).toBe(first?.name);
    expect(module.service.queueExists(String(first?.arn))).toBe(false);
  });

  it('fails with a field-level message when a redrive target does not exist', async () => {
    // prepare
    const module = createSqsModule(context());
    const queue = module.provisioners.find((candidate) => candidate.type === 'aws_sqs_queue');
    // act
    const failure = await queue
      ?.apply(resource('aws_sqs_queue', 'q', { name: 'q', redrive_policy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:missing","maxReceiveCount":1}' }))
      .catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toContain('Dead letter target does not exist');
  });
});
