import { buildPutEventsEntry, ContractViolationError, UserRegisteredV1 } from '@kestrel/contracts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_TEST_ACCOUNT, loadHandlers } from '../../support/http';
import { outboxOf, profilesOf, useCustomersTable } from '../../support/local-table';

const table = useCustomersTable('customers-registered');
let handlers: Awaited<ReturnType<typeof loadHandlers>>;
beforeAll(async () => {
  handlers = await loadHandlers(table.endpoint, table.tableName);
  // The handler logs one line per event; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

/** UserRegistered v1 as EventBridge delivers it to the Lambda target. */
function delivered(data: Partial<typeof UserRegisteredV1.example> = {}, extraDetail: Record<string, unknown> = {}) {
  const entry = buildPutEventsEntry(
    UserRegisteredV1,
    { ...UserRegisteredV1.example, userId: crypto.randomUUID(), ...data },
    { correlationId: 'signup-42', causationId: 'cognito-post-confirmation', producer: 'identity' },
    { eventBusName: 'kestrel-test-platform-bus' },
  );
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: LOCAL_TEST_ACCOUNT,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { ...(JSON.parse(entry.Detail) as Record<string, unknown>), ...extraDetail },
  };
}

const itemsFor = async (customerId: string) => {
  const items = await table.allItems();
  return {
    profiles: profilesOf(items).filter((item) => item.customerId === customerId),
    created: outboxOf(items).filter((item) => item.subject === customerId && item.detailType === 'CustomerCreated'),
  };
};

describe('on-user-registered', () => {
  it('refuses a UserRegistered put by another account (a forged kestrel.identity event) and writes nothing', async () => {
    // prepare
    const event = { ...delivered(), account: '999999999999' };
    const userId = (event.detail.data as { userId: string }).userId;

    // act
    const attempt = handlers.onUserRegistered(event);

    // assess
    await expect(attempt).rejects.toThrow(/was put by account 999999999999, not by this account \(123456789012\): refused/);
    expect(await itemsFor(userId)).toEqual({ profiles: [], created: [] });
  });

  it('creates the customer profile from the registration, caused by the event', async () => {
    const event = delivered({ givenName: 'Grace', familyName: 'Hopper' });
    const userId = (event.detail.data as { userId: string }).userId;

    const result = await handlers.onUserRegistered(event);

    expect(result).toEqual({ customerId: userId, created: true });
    const { profiles, created } = await itemsFor(userId);
    expect(profiles).toEqual([expect.objectContaining({ customerId: userId, givenName: 'Grace', familyName: 'Hopper', origin: 'registration', version: 1 })]);
    const detail = JSON.parse(String(created[0]?.detail)) as { metadata: { correlationId: string; causationId: string } };
    expect(detail.metadata).toMatchObject({ correlationId: 'signup-42', causationId: (event.detail.metadata as { eventId: string }).eventId });
  });

  it('continues the registration\'s flow: the outbox item carries the incoming correlation id, is caused by the event and continues its trace', async () => {
    // Prepare
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const event = delivered({}, {});
    const metadata = event.detail.metadata as { correlationId: string; eventId: string; traceparent?: string };
    metadata.correlationId = `signup-${crypto.randomUUID()}`;
    metadata.traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const userId = (event.detail.data as { userId: string }).userId;

    // Act
    await handlers.onUserRegistered(event);

    // Assess
    const { created } = await itemsFor(userId);
    const outgoing = JSON.parse(String(created[0]?.detail)) as { metadata: { correlationId: string; causationId: string; traceparent?: string } };
    expect(outgoing.metadata.correlationId).toBe(metadata.correlationId);
    expect(outgoing.metadata.causationId).toBe(metadata.eventId);
    expect(outgoing.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(outgoing.metadata.traceparent).not.toBe(metadata.traceparent);
  });

  it('delivered twice — one after the other and concurrently — every event makes one customer and one CustomerCreated', async () => {
    // Prepare
    const events = Array.from({ length: 6 }, (_, index) => delivered({ givenName: `User${index}` }));

    // Act: at-least-once delivery: each event twice; a delivery that fails is retried, as EventBridge would
    const deliver = async (event: ReturnType<typeof delivered>) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await handlers.onUserRegistered(event);
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    };
    const sequential = events.slice(0, 3);
    for (const event of sequential) {
      await deliver(event);
      await deliver(event);
    }
    const concurrent = events.slice(3);
    const results = await Promise.all(concurrent.flatMap((event) => [deliver(event), deliver(event)]));

    // Assess
    for (const event of events) {
      const { profiles, created } = await itemsFor((event.detail.data as { userId: string }).userId);
      expect(profiles).toHaveLength(1);
      expect(created).toHaveLength(1);
    }
    expect(results.filter((result) => result.created)).toHaveLength(concurrent.length);
  });

  it('leaves a profile the customer created through the API first as it is', async () => {
    // Prepare
    const event = delivered({ familyName: 'Registered' });
    const userId = (event.detail.data as { userId: string }).userId;
    await handlers.onUserRegistered(delivered({ userId, familyName: 'ViaApi' }));

    // Act
    const result = await handlers.onUserRegistered(event);

    // Assess
    expect(result.created).toBe(false);
    expect((await itemsFor(userId)).profiles[0]).toMatchObject({ familyName: 'ViaApi', version: 1 });
  });

  it('tolerates unknown fields a tracer or a newer identity adds', async () => {
    const event = delivered({}, { _datadog: { 'x-datadog-trace-id': '1' } });
    (event.detail.data as Record<string, unknown>).marketingConsent = true;

    await expect(handlers.onUserRegistered(event)).resolves.toMatchObject({ created: true });
  });

  it('throws a ContractViolationError naming the field for an event that breaks the contract, writing nothing', async () => {
    const event = delivered();
    (event.detail.data as Record<string, unknown>).email = 'not-an-email';
    const before = await table.allItems();

    await expect(handlers.onUserRegistered(event)).rejects.toThrow(ContractViolationError);
    await expect(handlers.onUserRegistered(event)).rejects.toThrow(/detail\.data\.email/);
    expect(await table.allItems()).toHaveLength(before.length);
  });
});
