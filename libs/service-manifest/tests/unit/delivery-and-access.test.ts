import { describe, expect, it } from 'vitest';
import { ManifestError, defineService, resolveParameterName, subscriptionDelivery } from '../../src';
import type { QueuedDelivery, ServiceManifest } from '../../src';

const orderPlaced = { source: 'kestrel.orders', detailType: 'OrderPlaced', version: 1 };
const orderShipped = { source: 'kestrel.orders', detailType: 'OrderShipped', version: 1 };

const queued = (overrides: Partial<QueuedDelivery> = {}): QueuedDelivery => ({
  kind: 'queue',
  batchSize: 100,
  maximumBatchingWindowSeconds: 5,
  maxReceiveCount: 5,
  ...overrides,
});

function manifestWith(delivery?: ServiceManifest['consumes'][number]['delivery'], access?: ServiceManifest['functions'][string]['access']): ServiceManifest {
  return {
    name: 'reporting',
    description: 'Order reports built from the order events.',
    owner: { team: 'data-platform' },
    functions: {
      'on-order-event': {
        description: 'Adds each order event to the reports.',
        handler: 'src/handlers/on-order-event.ts',
        triggers: [{ kind: 'event', subscription: 'order-placed' }],
        timeoutSeconds: 30,
        ...(access ? { access } : {}),
      },
    },
    tables: {},
    publishes: [],
    consumes: [
      {
        name: 'order-placed',
        description: 'An order was placed.',
        events: [orderPlaced],
        target: 'on-order-event',
        retry: { maximumRetryAttempts: 10, maximumEventAgeSeconds: 3_600 },
        ...(delivery ? { delivery } : {}),
      },
    ],
  };
}

function issuesOf(manifest: ServiceManifest): string[] {
  try {
    defineService(manifest);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).issues;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('subscription delivery', () => {
  it('defaults to direct invocation', () => {
    // prepare
    const manifest = defineService(manifestWith());

    // act
    const delivery = subscriptionDelivery(manifest.consumes[0]!);

    // assess
    expect(delivery).toEqual({ kind: 'direct' });
  });

  it('accepts a queued delivery within Lambda\'s ranges', () => {
    // prepare
    const manifest = manifestWith(queued({ batchSize: 10_000, maximumBatchingWindowSeconds: 300, visibilityTimeoutSeconds: 30, maxReceiveCount: 1_000 }));

    // act
    const accepted = defineService(manifest);

    // assess
    expect(subscriptionDelivery(accepted.consumes[0]!)).toMatchObject({ kind: 'queue', batchSize: 10_000 });
  });

  it('refuses a batch size above 10 without a batching window, naming the field', () => {
    // act
    const issues = issuesOf(manifestWith(queued({ batchSize: 11, maximumBatchingWindowSeconds: 0 })));

    // assess
    expect(issues).toEqual([
      'consumes.0.delivery.maximumBatchingWindowSeconds: a batchSize above 10 needs maximumBatchingWindowSeconds of at least 1 (Lambda refuses the mapping otherwise)',
    ]);
  });

  it('refuses out-of-range batch size, window, visibility timeout and receive count', () => {
    // act
    const issues = issuesOf(manifestWith(queued({ batchSize: 10_001, maximumBatchingWindowSeconds: 301, visibilityTimeoutSeconds: 43_201, maxReceiveCount: 0 })));

    // assess
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^consumes\.0\.delivery\.batchSize: batchSize is 1 to 10000/),
        expect.stringMatching(/^consumes\.0\.delivery\.maximumBatchingWindowSeconds: maximumBatchingWindowSeconds is 0 to 300/),
        expect.stringMatching(/^consumes\.0\.delivery\.visibilityTimeoutSeconds: visibilityTimeoutSeconds is 0 to 43200/),
        expect.stringMatching(/^consumes\.0\.delivery\.maxReceiveCount: /),
      ]),
    );
  });

  it('refuses a maximum concurrency outside Lambda\'s 2 to 1000, naming the field', () => {
    // act
    const issues = [1, 1_001].flatMap((maximumConcurrency) => issuesOf(manifestWith(queued({ maximumConcurrency }))));

    // assess
    expect(issues).toEqual([
      'consumes.0.delivery.maximumConcurrency: maximumConcurrency is 2 to 1000 (Lambda\'s range for SQS)',
      'consumes.0.delivery.maximumConcurrency: maximumConcurrency is 2 to 1000 (Lambda\'s range for SQS)',
    ]);
  });

  it('refuses a maximum concurrency above the function\'s reserved concurrency, where the extra invocations would be throttled', () => {
    // prepare
    const manifest = manifestWith(queued({ maximumConcurrency: 5 }));
    const withinReserve = manifestWith(queued({ maximumConcurrency: 4 }));
    for (const m of [manifest, withinReserve]) m.functions['on-order-event'] = { ...m.functions['on-order-event']!, reservedConcurrency: 4 };

    // act
    const issues = issuesOf(manifest);

    // assess
    expect(issues).toEqual([expect.stringMatching(/^consumes\[0\]\.delivery\.maximumConcurrency: 5 is above function "on-order-event"'s reservedConcurrency 4/)]);
    expect(() => defineService(withinReserve)).not.toThrow();
  });

  it('refuses an unknown delivery kind', () => {
    // act
    const issues = issuesOf(manifestWith({ kind: 'stream' } as never));

    // assess
    expect(issues).toEqual([expect.stringMatching(/^consumes\.0\.delivery\.kind: /)]);
  });

  it('refuses a visibility timeout shorter than the function\'s timeout', () => {
    // act
    const issues = issuesOf(manifestWith(queued({ visibilityTimeoutSeconds: 29 })));

    // assess
    expect(issues).toEqual([expect.stringMatching(/^consumes\[0\]\.delivery\.visibilityTimeoutSeconds: 29 s is shorter than on-order-event's timeout of 30 s/)]);
  });

  it('refuses a function fed by both a direct and a queued subscription', () => {
    // prepare
    const manifest = manifestWith(queued());
    manifest.consumes.push({ ...manifest.consumes[0]!, name: 'order-shipped', events: [orderShipped], delivery: { kind: 'direct' } });
    manifest.functions['on-order-event']!.triggers.push({ kind: 'event', subscription: 'order-shipped' });

    // act
    const issues = issuesOf(manifest);

    // assess
    expect(issues).toEqual([expect.stringMatching(/^functions\.on-order-event: its subscriptions mix direct and queued delivery/)]);
  });
});

describe('access: parameters with {env} and delivery streams', () => {
  it('accepts {env} in parameter names and kebab-case delivery stream names', () => {
    // prepare
    const manifest = manifestWith(undefined, { parameters: ['/kestrel/{env}/reporting/key', '/kestrel/{env}/reporting/*'], deliveryStreams: ['raw-events'] });

    // act
    const accepted = defineService(manifest);

    // assess
    expect(accepted.functions['on-order-event']!.access?.deliveryStreams).toEqual(['raw-events']);
  });

  it('refuses other placeholders, names without a leading slash, and stream names that are not logical names', () => {
    // act
    const issues = issuesOf(manifestWith(undefined, { parameters: ['/kestrel/{stage}/key', 'kestrel/key'], deliveryStreams: ['raw-events', 'Raw_Events'] }));

    // assess
    expect(issues).toEqual([
      'functions.on-order-event.access.parameters.0: the only placeholder a parameter name may hold is {env}',
      'functions.on-order-event.access.parameters.1: SSM parameter names start with "/"',
      'functions.on-order-event.access.deliveryStreams.1: delivery streams are named by their kebab-case logical name, e.g. raw-events',
    ]);
  });

  it('resolves {env} wherever it appears', () => {
    // act
    const name = resolveParameterName('/kestrel/{env}/reporting/{env}-key', 'production');

    // assess
    expect(name).toBe('/kestrel/production/reporting/production-key');
  });
});
