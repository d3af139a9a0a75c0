import { describe, expect, it } from 'vitest';
import { subscriptionDelivery, subscriptionPattern } from '@kestrel/service-manifest';
import manifest, { pseudonymisationKeyParameter } from '../../service';

describe('analytics-ingest manifest', () => {
  it('subscribes the ingest function to every kestrel source, with an explicit retry policy', () => {
    // prepare
    const [subscription] = manifest.consumes;

    // act
    const pattern = subscription ? subscriptionPattern(subscription) : undefined;

    // assess
    expect(pattern).toEqual({ source: [{ prefix: 'kestrel.' }] });
    expect(subscription?.wide?.reason).toMatch(/every business event/);
    expect(subscription?.target).toBe('ingest');
    expect(subscription?.retry).toEqual({ maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 });
  });

  it('delivers in batches through a queue, so events pack into few Firehose records', () => {
    // prepare
    const [subscription] = manifest.consumes;

    // act
    const delivery = subscription ? subscriptionDelivery(subscription) : undefined;

    // assess
    expect(delivery).toEqual({ kind: 'queue', batchSize: 500, maximumBatchingWindowSeconds: 20, maxReceiveCount: 10, maximumConcurrency: 5 });
  });

  it('lets the function read only its own environment\'s key parameter and put to its own stream', () => {
    // act
    const { parameters, deliveryStreams } = manifest.functions.ingest.access;

    // assess
    expect(parameters).toEqual(['/kestrel/{env}/analytics-ingest/pseudonymisation-key']);
    expect(deliveryStreams).toEqual(['raw-events']);
    expect(pseudonymisationKeyParameter('staging')).toBe('/kestrel/staging/analytics-ingest/pseudonymisation-key');
  });
});
