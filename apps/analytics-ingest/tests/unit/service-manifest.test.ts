import { describe, expect, it } from 'vitest';
import { subscriptionPattern } from '@kestrel/service-manifest';
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

  it('lets the function read only its own pseudonymisation key parameter', () => {
    // act
    const parameters = manifest.functions.ingest.access.parameters;

    // assess
    expect(parameters).toEqual(['/kestrel/*/analytics-ingest/pseudonymisation-key']);
    expect(pseudonymisationKeyParameter('staging')).toBe('/kestrel/staging/analytics-ingest/pseudonymisation-key');
  });
});
