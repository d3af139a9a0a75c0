import { CustomerCreatedV1, eventRegistry, parseEvent } from '@kestrel/contracts';
import { AlreadyExistsError, StaleVersionError } from '@kestrel/table-keys';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '@kestrel/http-api';
import { CustomerReader, CustomerRepository } from '../../../src/adapters/customer-repository';
import { createCustomer, decide, type CustomerCommand } from '../../../src/domain/commands';
import type { Customer } from '../../../src/domain/customer';
import { outboxOf, profilesOf, useCustomersTable } from '../../support/local-table';

const table = useCustomersTable('customers-repo');
const origin = { correlationId: 'corr-1', causationId: 'req-1' };
let repository: CustomerRepository;
// The searches live on the reader: the repository (commands) reads one customer by id only.
let reader: CustomerReader;
let clock = Date.parse('2026-03-01T08:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();

beforeAll(() => {
  repository = new CustomerRepository({ documents: table.documents, tableName: table.tableName });
  reader = new CustomerReader({ documents: table.documents, tableName: table.tableName });
});

async function newCustomer(fields: { givenName?: string; familyName?: string } = {}): Promise<Customer> {
  const created = createCustomer(
    { customerId: crypto.randomUUID(), email: `c${clock}@example.com`, locale: 'en-GB', origin: 'staff', ...fields },
    { now: now() },
  );
  await repository.create(created, origin);
  return created.customer;
}

async function apply(customer: Customer, ...commands: CustomerCommand[]): Promise<Customer> {
  const decision = decide(customer, commands, { now: now() });
  await repository.save(decision, customer.version, origin);
  return decision.customer;
}

/** A delivered EventBridge event built from an outbox item, the way the pipe builds it. */
function asDelivered(item: Record<string, unknown>) {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': item.detailType,
    source: item.source,
    account: '000000000000',
    time: '2026-03-01T08:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(String(item.detail)) as unknown,
  };
}

describe('CustomerRepository: writes', () => {
  it('creates the profile and its CustomerCreated outbox item in one transaction', async () => {
    // Prepare
    const before = outboxOf(await table.allItems()).length;

    // Act
    const customer = await newCustomer({ givenName: 'Ada', familyName: 'Lovelace' });

    // Assess
    expect(await repository.get(customer.customerId)).toEqual(customer);
    const items = await table.allItems();
    const outbox = outboxOf(items).filter((item) => item.subject === customer.customerId);
    expect(outboxOf(items)).toHaveLength(before + 1);
    expect(outbox).toHaveLength(1);
    const [item] = outbox as [Record<string, unknown>];
    expect(item).toMatchObject({ PK: expect.stringMatching(/^OUTBOX#/), SK: 'EVENT', source: 'kestrel.customers', detailType: 'CustomerCreated', type: 'OutboxEvent' });
    expect(item.ttl).toBe(Math.ceil(Date.parse(customer.createdAt) / 1000) + 7 * 24 * 3600);
    const event = parseEvent(CustomerCreatedV1, asDelivered(item));
    expect(event.detail.data).toEqual({
      customerId: customer.customerId,
      customerVersion: 1,
      email: customer.email,
      givenName: 'Ada',
      familyName: 'Lovelace',
      locale: 'en-GB',
      origin: 'staff',
    });
    expect(event.detail.metadata).toMatchObject({ eventId: String(item.PK).slice('OUTBOX#'.length), occurredAt: customer.createdAt, producer: 'customers', ...origin });
  });

  it('refuses a second create of the same id and writes nothing', async () => {
    // Prepare
    const customer = await newCustomer();
    const before = await table.allItems();

    // Act
    const second = repository.create(createCustomer({ ...customer, email: 'other@example.com' }, { now: now() }), origin);

    // Assess
    await expect(second).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await table.allItems()).toHaveLength(before.length);
    expect((await repository.get(customer.customerId))?.email).toBe(customer.email);
  });

  it('refuses a save based on a stale version: neither the profile nor any event is written', async () => {
    // Prepare
    const customer = await newCustomer({ familyName: 'Byron' });
    await apply(customer, { type: 'ChangeCustomerLocale', locale: 'fr-FR' });
    const before = await table.allItems();

    // Act: a decision taken on version 1 while version 2 is stored
    const stale = decide(customer, [{ type: 'EditCustomerDetails', changes: { familyName: 'Lovelace' } }], { now: now() });
    const write = repository.save(stale, customer.version, origin);

    // Assess
    await expect(write).rejects.toMatchObject({ name: 'StaleVersionError', expectedVersion: 1, actualVersion: 2 });
    await expect(write).rejects.toBeInstanceOf(StaleVersionError);
    expect(await table.allItems()).toEqual(expect.arrayContaining(before));
    expect(await table.allItems()).toHaveLength(before.length);
  });

  it('writes one outbox item per event of a change, all with the new version', async () => {
    // Prepare
    const customer = await newCustomer();

    // Act
    const changed = await apply(
      customer,
      { type: 'EditCustomerDetails', changes: { title: 'Dr' } },
      { type: 'ChangeCustomerLocale', locale: 'de' },
      { type: 'MakeCustomerPreferred' },
    );

    // Assess
    const outbox = outboxOf(await table.allItems()).filter((item) => item.subject === customer.customerId);
    const events = outbox.map((item) => {
      const delivered = asDelivered(item);
      const contract = eventRegistry.get('kestrel.customers', String(item.detailType), 1);
      return parseEvent(contract!, delivered);
    });
    expect(events.map((event) => event['detail-type']).sort()).toEqual(
      ['CustomerCreated', 'CustomerDetailsEdited', 'CustomerLocaleChanged', 'CustomerPreferredStatusChanged'].sort(),
    );
    expect(events.filter((event) => event['detail-type'] !== 'CustomerCreated').map((event) => event.detail.data.customerVersion)).toEqual([2, 2, 2]);
    expect(changed.version).toBe(2);
  });
});

describe('CustomerRepository: queries', () => {
  it('finds customers by family name, case- and accent-insensitively, and follows name changes', async () => {
    // Prepare
    const zoe = await newCustomer({ givenName: 'Zoë', familyName: 'Ångström-Test' });

    // Act
    const found = await reader.findByName('  ANGSTRÖM-test ', { limit: 10 });
    const renamed = await apply(zoe, { type: 'EditCustomerDetails', changes: { familyName: 'Lindqvist-Test' } });
    const afterRename = await reader.findByName('angstrom-test', { limit: 10 });
    const byNewName = await reader.findByName('LINDQVIST-TEST', { limit: 10 });

    // Assess
    expect(found.items.map((c) => c.customerId)).toEqual([zoe.customerId]);
    expect(found.items[0]?.version).toBe(1);
    expect(afterRename.items).toEqual([]);
    expect(byNewName.items).toEqual([renamed]);
  });

  it('pages through a name with a cursor, ordered by given name, the last page without a cursor', async () => {
    // Prepare
    const names = ['Eve', 'Bob', 'Dan', 'Ann', 'Cy'];
    for (const givenName of names) await newCustomer({ givenName, familyName: 'Pagetest' });

    // Act
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await reader.findByName('pagetest', { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    // Assess
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.items.map((c) => c.givenName))).toEqual(['Ann', 'Bob', 'Cy', 'Dan', 'Eve']);
  });

  it('lists exactly the preferred customers from the sparse index, and drops revoked ones', async () => {
    // Prepare
    const standard = await newCustomer({ familyName: 'Standard' });
    const preferred = await apply(await newCustomer({ familyName: 'Preferred' }), { type: 'MakeCustomerPreferred' });
    const revoked = await apply(await apply(await newCustomer(), { type: 'MakeCustomerPreferred' }), { type: 'RevokePreferredStatus' });

    // Act
    const listed = await reader.listPreferred({ limit: 100 });

    // Assess
    const ids = listed.items.map((c) => c.customerId);
    expect(ids).toContain(preferred.customerId);
    expect(ids).not.toContain(standard.customerId);
    expect(ids).not.toContain(revoked.customerId);
    expect(listed.items.every((c) => c.preferred)).toBe(true);
    const indexed = profilesOf(await table.allItems()).filter((item) => item.GSI2PK !== undefined);
    expect(indexed.every((item) => item.preferred === true)).toBe(true);
  });

  it('rejects forged, foreign and malformed cursors with InvalidCursorError before calling DynamoDB', async () => {
    // Prepare
    for (const givenName of ['A', 'B']) await newCustomer({ givenName, familyName: 'Cursortest' });
    const first = await reader.findByName('cursortest', { limit: 1 });
    const genuine = first.nextCursor as string;
    const decoded = JSON.parse(Buffer.from(genuine, 'base64url').toString()) as Record<string, string>;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = [
      'not a cursor!',
      encode([1, 2]),
      encode('text'),
      Buffer.from('{"PK":').toString('base64url'),
      encode({ ...decoded, extra: 'x' }),
      encode({ ...decoded, GSI1PK: 'CUSTOMER_NAME#someone-else' }),
      encode({ ...decoded, PK: 'OUTBOX#1' }),
      encode({ ...decoded, SK: 42 }),
      encode({ ...decoded, GSI1SK: 'x'.repeat(2000) }),
      encode({ ...decoded, GSI1SK: 'a#' + crypto.randomUUID() }),
      encode({ ...decoded, GSI1SK: '\ud800' }),
      'A'.repeat(20_000),
    ];

    // Act + Assess
    expect((await reader.findByName('cursortest', { limit: 1, cursor: genuine })).items).toHaveLength(1);
    for (const cursor of forged) {
      await expect(reader.findByName('cursortest', { limit: 1, cursor }), cursor.slice(0, 40)).rejects.toBeInstanceOf(InvalidCursorError);
    }
    await expect(reader.listPreferred({ limit: 1, cursor: genuine })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
