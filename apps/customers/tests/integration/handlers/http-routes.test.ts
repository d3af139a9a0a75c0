import { beforeAll, describe, expect, it } from 'vitest';
import { outboxOf, useCustomersTable } from '../../support/local-table';
import { call, customerClaims, loadHandlers, staffClaims, type RequestInput } from '../../support/http';

const table = useCustomersTable('customers-http');
let handlers: Awaited<ReturnType<typeof loadHandlers>>;
beforeAll(async () => {
  handlers = await loadHandlers(table.endpoint, table.tableName);
});

const staff = staffClaims();
const newId = () => crypto.randomUUID();
const customerRoute = (customerId: string) => ({ route: '/customers/{customerId}', pathParameters: { customerId } });
const subRoute = (customerId: string, sub: 'locale' | 'preferred' | 'delinquency') => ({
  route: `/customers/{customerId}/${sub}`,
  pathParameters: { customerId },
});

async function created(fields: Record<string, unknown> = {}) {
  const customerId = newId();
  const response = await call(handlers.createCustomer, {
    method: 'POST',
    route: '/customers',
    claims: customerClaims(customerId),
    body: { email: `${customerId.slice(0, 8)}@example.com`, locale: 'en-GB', givenName: 'Ada', familyName: 'Byron', ...fields },
  });
  expect(response.status).toBe(201);
  return customerId;
}

const eventsOf = async (customerId: string) =>
  outboxOf(await table.allItems())
    .filter((item) => item.subject === customerId)
    .map((item) => JSON.parse(String(item.detail)) as { metadata: { correlationId: string }; data: Record<string, unknown> });
const detailTypesOf = async (customerId: string) =>
  outboxOf(await table.allItems())
    .filter((item) => item.subject === customerId)
    .map((item) => String(item.detailType))
    .sort();

describe('POST /customers (CreateCustomer)', () => {
  it('creates the caller\'s own profile: 201, Location, ETag "1", and one CustomerCreated in the outbox', async () => {
    // Prepare
    const customerId = newId();

    // Act
    const response = await call(handlers.createCustomer, {
      method: 'POST',
      route: '/customers',
      claims: customerClaims(customerId),
      headers: { 'x-correlation-id': 'signup-flow-1' },
      body: { email: ' Ada@Example.com ', givenName: 'Ada', familyName: 'Lovelace', locale: 'en-GB' },
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ location: `/customers/${customerId}`, etag: '"1"', 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(response.body).toMatchObject({ customerId, version: 1, email: 'ada@example.com', origin: 'self-service', preferred: false, delinquent: false });
    const events = await eventsOf(customerId);
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata.correlationId).toBe('signup-flow-1');
  });

  it('answers 409 for an existing profile and writes nothing', async () => {
    const customerId = await created();
    const before = await table.allItems();

    const response = await call(handlers.createCustomer, {
      method: 'POST',
      route: '/customers',
      claims: customerClaims(customerId),
      body: { email: 'again@example.com', locale: 'fr' },
    });

    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: 'urn:kestrel:problem:customer-exists', status: 409 });
    expect(await table.allItems()).toHaveLength(before.length);
  });

  it('lets staff create any profile but requires them to name it, and forbids customers to create someone else\'s', async () => {
    const forOther = await call(handlers.createCustomer, {
      method: 'POST',
      route: '/customers',
      claims: customerClaims(newId()),
      body: { customerId: newId(), email: 'x@example.com', locale: 'en' },
    });
    const unnamed = await call(handlers.createCustomer, { method: 'POST', route: '/customers', claims: staff, body: { email: 'x@example.com', locale: 'en' } });
    const customerId = newId();
    const byStaff = await call(handlers.createCustomer, { method: 'POST', route: '/customers', claims: staff, body: { customerId, email: 'x@example.com', locale: 'en' } });

    expect(forOther.status).toBe(403);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body?.errors).toEqual([{ field: 'body.customerId', message: 'is required when staff create a customer' }]);
    expect(byStaff.status).toBe(201);
    expect(byStaff.body).toMatchObject({ customerId, origin: 'staff' });
  });
});

describe('bad input', () => {
  const post = (input: Partial<RequestInput>) => call(handlers.createCustomer, { method: 'POST', route: '/customers', claims: customerClaims(newId()), ...input });

  it('malformed JSON → 400 malformed-json', async () => {
    const response = await post({ body: '{"email": "a@example.com",' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: 'urn:kestrel:problem:malformed-json' });
  });

  it('unknown fields → 400 naming each of them', async () => {
    const response = await post({ body: { email: 'a@example.com', locale: 'en', nickname: 'Ada', preferred: true } });
    expect(response.status).toBe(400);
    expect(response.body?.errors).toEqual([
      { field: 'body.nickname', message: 'is not a known field' },
      { field: 'body.preferred', message: 'is not a known field' },
    ]);
  });

  it.each([
    ['a bidi override', 'Ada\u202Eecila'],
    ['a zero-width space', 'Ada\u200B'],
    ['a lone surrogate', 'Ada\uD800'],
    ['a line separator', 'Ada\u2028Byron'],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['NUL', 'Ada\u0000'],
  ])('refuses %s in names, as identity does → 400 naming each field, nothing written', async (_kind, hostile) => {
    const customerId = newId();
    const response = await call(handlers.createCustomer, {
      method: 'POST',
      route: '/customers',
      claims: customerClaims(customerId),
      body: { email: 'a@example.com', locale: 'en', givenName: hostile, familyName: `Byron${hostile}` },
    });
    expect(response.status).toBe(400);
    expect((response.body?.errors as { field: string }[]).map((error) => error.field).sort()).toEqual(['body.familyName', 'body.givenName']);
    expect(await eventsOf(customerId)).toEqual([]);
  });

  it('wrong types and lengths → 400 listing every invalid field', async () => {
    const response = await post({ body: { email: 42, givenName: 'x'.repeat(101), phoneNumber: '0123', familyName: '' } });
    expect(response.status).toBe(400);
    const fields = (response.body?.errors as { field: string }[]).map((error) => error.field).sort();
    expect(fields).toEqual(['body.email', 'body.familyName', 'body.givenName', 'body.locale', 'body.phoneNumber']);
    expect(response.body?.errors).toContainEqual({ field: 'body.locale', message: 'is required' });
  });

  it('a body that is not an object, or none at all → 400', async () => {
    expect((await post({ body: [1, 2] })).body?.errors).toEqual([{ field: 'body', message: expect.stringContaining('object') }]);
    expect((await post({})).body?.errors).toEqual([{ field: 'body', message: 'is required (a JSON object)' }]);
  });

  it('oversize body → 413, not JSON → 415, and nothing is written', async () => {
    const before = await table.allItems();
    const big = await post({ body: { email: 'a@example.com', locale: 'en', givenName: 'x'.repeat(20_000) } });
    const xml = await post({ body: '<customer/>', headers: { 'content-type': 'application/xml' } });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ type: 'urn:kestrel:problem:body-too-large', maxBytes: 16_384 });
    expect(xml.status).toBe(415);
    expect(await table.allItems()).toHaveLength(before.length);
  });

  it('accepts a base64-encoded JSON body as API Gateway sends some', async () => {
    expect((await post({ body: { email: 'b64@example.com', locale: 'en' }, base64: true })).status).toBe(201);
  });

  it('without verified claims → 401; a non-staff token without customerId → 403', async () => {
    expect((await post({ claims: null, body: { email: 'a@example.com', locale: 'en' } })).status).toBe(401);
    expect((await post({ claims: { sub: newId() }, body: { email: 'a@example.com', locale: 'en' } })).status).toBe(403);
  });

  it('path, header and body errors are reported together', async () => {
    const response = await call(handlers.changeLocale, {
      method: 'PUT',
      ...subRoute('not-a-uuid', 'locale'),
      claims: staff,
      headers: { 'if-match': 'version 3' },
      body: { locale: 'English' },
    });
    expect(response.status).toBe(400);
    expect((response.body?.errors as { field: string }[]).map((error) => error.field)).toEqual(['path.customerId', 'header.if-match', 'body.locale']);
  });
});

describe('GET /customers/{customerId} (GetCustomer)', () => {
  it('returns the caller\'s own profile with its ETag; another customer\'s is 403; an unknown one 404 (for staff)', async () => {
    const customerId = await created();

    const own = await call(handlers.getCustomer, { method: 'GET', ...customerRoute(customerId), claims: customerClaims(customerId) });
    const foreign = await call(handlers.getCustomer, { method: 'GET', ...customerRoute(customerId), claims: customerClaims(newId()) });
    const unknown = await call(handlers.getCustomer, { method: 'GET', ...customerRoute(newId()), claims: staff });

    expect(own.status).toBe(200);
    expect(own.headers.etag).toBe('"1"');
    expect(own.body).toMatchObject({ customerId, version: 1 });
    expect(foreign.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'urn:kestrel:problem:customer-not-found' });
  });
});

describe('PATCH /customers/{customerId} (change request)', () => {
  it('the delinquent customer made preferred: applies the details, rejects the preferred status, reports it', async () => {
    // Prepare: billing marked her delinquent after the support screen was opened
    const customerId = await created({ familyName: 'Byron' });
    expect((await call(handlers.markDelinquent, { method: 'PUT', ...subRoute(customerId, 'delinquency'), claims: staff, body: { reason: 'Invoice 7 unpaid' } })).status).toBe(200);

    // Act
    const response = await call(handlers.changeCustomer, {
      method: 'PATCH',
      ...customerRoute(customerId),
      claims: staff,
      body: {
        title: 'Mrs',
        familyName: 'Lovelace',
        maritalStatus: 'married',
        address: { line1: '12 St James Square', city: 'London', country: 'gb' },
        preferred: true,
      },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe('"3"');
    expect(response.body).toMatchObject({
      customer: { title: 'Mrs', familyName: 'Lovelace', maritalStatus: 'married', address: { country: 'GB' }, preferred: false, delinquent: true, version: 3 },
      outcomes: [
        { command: 'EditCustomerDetails', status: 'applied' },
        { command: 'MakeCustomerPreferred', status: 'rejected' },
      ],
      rejected: [{ command: 'MakeCustomerPreferred', code: 'customer-delinquent', message: expect.any(String) }],
    });
    expect(await detailTypesOf(customerId)).toEqual(['CustomerCreated', 'CustomerDelinquencyChanged', 'CustomerDetailsEdited']);
  });

  it('answers 409 listing the rejected part when nothing else was asked, and writes nothing', async () => {
    const customerId = await created();
    await call(handlers.markDelinquent, { method: 'PUT', ...subRoute(customerId, 'delinquency'), claims: staff, body: { reason: 'Unpaid' } });
    const before = await table.allItems();

    const response = await call(handlers.changeCustomer, { method: 'PATCH', ...customerRoute(customerId), claims: staff, body: { preferred: true } });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ type: 'urn:kestrel:problem:customer-delinquent', rejected: [{ command: 'MakeCustomerPreferred', code: 'customer-delinquent' }] });
    expect(await table.allItems()).toEqual(before);
  });

  it('honours If-Match: a stale ETag gets 412 with the current one and changes nothing; the current one succeeds', async () => {
    const customerId = await created();
    await call(handlers.changeLocale, { method: 'PUT', ...subRoute(customerId, 'locale'), claims: customerClaims(customerId), body: { locale: 'fr-FR' } });
    const before = await table.allItems();

    const stale = await call(handlers.changeCustomer, {
      method: 'PATCH',
      ...customerRoute(customerId),
      claims: customerClaims(customerId),
      headers: { 'if-match': '"1"' },
      body: { givenName: 'Augusta' },
    });
    const afterStale = await table.allItems();
    const fresh = await call(handlers.changeCustomer, {
      method: 'PATCH',
      ...customerRoute(customerId),
      claims: customerClaims(customerId),
      headers: { 'if-match': stale.headers.etag as string },
      body: { givenName: 'Augusta' },
    });

    expect(stale.status).toBe(412);
    expect(stale.headers.etag).toBe('"2"');
    expect(stale.body).toMatchObject({ type: 'urn:kestrel:problem:precondition-failed', currentVersion: 2 });
    expect(afterStale).toEqual(before);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"3"');
  });

  it('forbids a customer the staff-only part and writes none of the request', async () => {
    const customerId = await created();
    const before = await table.allItems();

    const response = await call(handlers.changeCustomer, {
      method: 'PATCH',
      ...customerRoute(customerId),
      claims: customerClaims(customerId),
      body: { givenName: 'Augusta', preferred: true },
    });

    expect(response.status).toBe(403);
    expect(await table.allItems()).toEqual(before);
  });

  it('clears a field with null, and an empty change request is a 400', async () => {
    const customerId = await created();

    const cleared = await call(handlers.changeCustomer, { method: 'PATCH', ...customerRoute(customerId), claims: customerClaims(customerId), body: { givenName: null } });
    const empty = await call(handlers.changeCustomer, { method: 'PATCH', ...customerRoute(customerId), claims: customerClaims(customerId), body: {} });

    expect(cleared.status).toBe(200);
    expect(cleared.body?.customer).not.toHaveProperty('givenName');
    expect(empty.status).toBe(400);
  });

  it('answers 404 for an unknown customer', async () => {
    const response = await call(handlers.changeCustomer, { method: 'PATCH', ...customerRoute(newId()), claims: staff, body: { title: 'Dr' } });
    expect(response.status).toBe(404);
  });
});

describe('standing routes (staff)', () => {
  it('make preferred, revoke, mark delinquent, refuse preferred while delinquent, clear', async () => {
    const customerId = await created();
    const send = (handler: typeof handlers.makePreferred, method: 'PUT' | 'DELETE', sub: 'preferred' | 'delinquency', body?: unknown) =>
      call(handler, { method, ...subRoute(customerId, sub), claims: staff, ...(body === undefined ? {} : { body }) });

    const preferred = await send(handlers.makePreferred, 'PUT', 'preferred');
    const again = await send(handlers.makePreferred, 'PUT', 'preferred', {});
    const revoked = await send(handlers.revokePreferred, 'DELETE', 'preferred');
    const delinquent = await send(handlers.markDelinquent, 'PUT', 'delinquency', { reason: 'Chargeback on order 42' });
    const refused = await send(handlers.makePreferred, 'PUT', 'preferred');
    const cleared = await send(handlers.clearDelinquency, 'DELETE', 'delinquency');

    expect([preferred, again, revoked, delinquent, refused, cleared].map((r) => r.status)).toEqual([200, 200, 200, 200, 409, 200]);
    expect([preferred, again, revoked, delinquent, cleared].map((r) => r.headers.etag)).toEqual(['"2"', '"2"', '"3"', '"4"', '"5"']);
    expect(refused.body).toMatchObject({ type: 'urn:kestrel:problem:customer-delinquent' });
    expect(cleared.body).toMatchObject({ delinquent: false, preferred: false });
    expect(cleared.body).not.toHaveProperty('delinquencyReason');
    expect(await detailTypesOf(customerId)).toEqual(
      ['CustomerCreated', 'CustomerPreferredStatusChanged', 'CustomerPreferredStatusChanged', 'CustomerDelinquencyChanged', 'CustomerDelinquencyChanged'].sort(),
    );
  });

  it('are forbidden to the customer themselves', async () => {
    const customerId = await created();
    const response = await call(handlers.makePreferred, { method: 'PUT', ...subRoute(customerId, 'preferred'), claims: customerClaims(customerId) });
    expect(response.status).toBe(403);
  });

  it('a delinquency needs a reason', async () => {
    const customerId = await created();
    const response = await call(handlers.markDelinquent, { method: 'PUT', ...subRoute(customerId, 'delinquency'), claims: staff, body: {} });
    expect(response.body?.errors).toEqual([{ field: 'body.reason', message: 'is required' }]);
  });
});

describe('GET /customers (GetCustomersWithName, GetPreferredCustomers)', () => {
  const find = (query: Record<string, string>, claims = staff) => call(handlers.findCustomers, { method: 'GET', route: '/customers', query, claims });

  it('finds by family name whatever the case and accents, page by page', async () => {
    for (const givenName of ['Chloé', 'Amélie', 'Béatrice']) await created({ givenName, familyName: 'Lefèvre-Routes' });

    const first = await find({ name: 'LEFEVRE-ROUTES', limit: '2' });
    const second = await find({ name: 'lefèvre-routes', limit: '2', cursor: first.body?.nextCursor as string });

    expect(first.status).toBe(200);
    expect((first.body?.items as { givenName: string }[]).map((c) => c.givenName)).toEqual(['Amélie', 'Béatrice']);
    expect((second.body?.items as { givenName: string }[]).map((c) => c.givenName)).toEqual(['Chloé']);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  it('lists preferred customers', async () => {
    const customerId = await created();
    await call(handlers.makePreferred, { method: 'PUT', ...subRoute(customerId, 'preferred'), claims: staff });

    const response = await find({ preferred: 'true', limit: '100' });

    expect((response.body?.items as { customerId: string }[]).map((c) => c.customerId)).toContain(customerId);
  });

  it('answers 400 for forged cursors and bad parameters, 403 for customers', async () => {
    const forged = await find({ name: 'x', cursor: Buffer.from('{"PK":"CUSTOMER#1"}').toString('base64url') });
    const neither = await find({});
    const both = await find({ name: 'x', preferred: 'true' });
    const unknown = await find({ name: 'x', sort: 'asc', limit: '1000' });
    const asCustomer = await find({ preferred: 'true' }, customerClaims(newId()));

    expect(forged.status).toBe(400);
    expect(forged.body?.errors).toEqual([{ field: 'query.cursor', message: expect.stringContaining('Invalid cursor') }]);
    expect(neither.status).toBe(400);
    expect(both.status).toBe(400);
    expect((unknown.body?.errors as { field: string }[]).map((error) => error.field).sort()).toEqual(['query.limit', 'query.sort']);
    expect(asCustomer.status).toBe(403);
  });
});
