// Property: whatever body, headers and caller a command route receives, it never answers 5xx,
// and it writes nothing unless it answers 2xx (the table is read back after every case).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { address, email, locale, maritalStatus, personName, phoneNumber, reason, title } from '../../support/arbitraries';
import { call, customerClaims, loadHandlers, staffClaims, type HttpHandler, type RequestInput } from '../../support/http';
import { useCustomersTable } from '../../support/local-table';

const table = useCustomersTable('customers-fuzz');
let handlers: Awaited<ReturnType<typeof loadHandlers>>;
let customerIds: string[] = [];

beforeAll(async () => {
  handlers = await loadHandlers(table.endpoint, table.tableName);
  // A few customers in different standings for the commands to act on.
  customerIds = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  for (const customerId of customerIds) {
    const response = await call(handlers.createCustomer, {
      method: 'POST',
      route: '/customers',
      claims: customerClaims(customerId),
      body: { email: `${customerId.slice(0, 8)}@example.com`, locale: 'en', familyName: 'Fuzz' },
    });
    expect(response.status).toBe(201);
  }
  await call(handlers.markDelinquent, {
    method: 'PUT',
    route: '/customers/{customerId}/delinquency',
    pathParameters: { customerId: customerIds[1] as string },
    claims: staffClaims(),
    body: { reason: 'Unpaid' },
  });
});

/** Plausible field values, wrong-typed values and junk. */
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(email, locale, personName, phoneNumber, title, maritalStatus, reason, address) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e300, '', ' ', 'x'.repeat(300), '\u0000', {}, []) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const fieldName = fc.constantFrom(
  'customerId', 'email', 'givenName', 'familyName', 'phoneNumber', 'locale', 'title', 'address', 'maritalStatus', 'preferred', 'reason', 'delinquent', 'version', '__proto__', 'constructor', 'PK',
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 4 });
const defined = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

/**
 * Bodies around a route's valid body: valid as is (so cases reach the table), with one field
 * replaced, removed or added, or junk altogether (non-objects, huge strings, nothing).
 */
function bodiesAround(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const mutated = fc.tuple(valid, fieldName, anyValue, fc.constantFrom('set', 'delete')).map(([body, name, value, operation]) => {
    const copy: Record<string, unknown> = { ...body };
    if (operation === 'set') Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
    else delete copy[name];
    return copy;
  });
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 3, arbitrary: mutated },
    { weight: 1, arbitrary: fc.dictionary(fieldName, anyValue, { maxKeys: 5 }) },
    { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 50 }), fc.constant(undefined), fc.constant('x'.repeat(17_000))) },
  );
}

const headers = fc
  .record({
    ifMatch: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom('*', '"1"', '"2"', '"3"', '"4"', '"5"', '"1", "2", "3"') },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('W/"1"', 'garbage', ''), fc.string({ maxLength: 10 })) },
    ),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/merge-patch+json', 'application/x-www-form-urlencoded') },
    ),
  })
  .map(({ ifMatch, contentType }) => ({ 'content-type': contentType, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) }));

const detailsBody = fc
  .record(
    {
      title: nullable(title),
      givenName: nullable(personName),
      familyName: nullable(personName),
      phoneNumber: nullable(phoneNumber),
      address: nullable(address),
      maritalStatus: nullable(maritalStatus),
      locale,
      // Rarely: customers may not send it (403), and the other fields should reach the table.
      preferred: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.boolean() }),
    },
    { requiredKeys: [] },
  )
  .map(defined);

const routes: Array<{
  name: string;
  method: RequestInput['method'];
  route: string;
  handler: () => HttpHandler;
  body: fc.Arbitrary<Record<string, unknown>>;
  staffOnly?: boolean;
}> = [
  {
    name: 'POST /customers',
    method: 'POST',
    route: '/customers',
    handler: () => handlers.createCustomer,
    body: fc
      .record({ customerId: fc.uuid({ version: 4 }), email, givenName: optional(personName), familyName: optional(personName), phoneNumber: optional(phoneNumber), locale })
      .map(defined),
    staffOnly: true,
  },
  { name: 'PATCH /customers/{customerId}', method: 'PATCH', route: '/customers/{customerId}', handler: () => handlers.changeCustomer, body: detailsBody },
  { name: 'PUT /customers/{customerId}/locale', method: 'PUT', route: '/customers/{customerId}/locale', handler: () => handlers.changeLocale, body: fc.record({ locale }) },
  { name: 'PUT /customers/{customerId}/preferred', method: 'PUT', route: '/customers/{customerId}/preferred', handler: () => handlers.makePreferred, body: fc.constant({}), staffOnly: true },
  { name: 'DELETE /customers/{customerId}/preferred', method: 'DELETE', route: '/customers/{customerId}/preferred', handler: () => handlers.revokePreferred, body: fc.constant({}), staffOnly: true },
  { name: 'PUT /customers/{customerId}/delinquency', method: 'PUT', route: '/customers/{customerId}/delinquency', handler: () => handlers.markDelinquent, body: fc.record({ reason }), staffOnly: true },
  { name: 'DELETE /customers/{customerId}/delinquency', method: 'DELETE', route: '/customers/{customerId}/delinquency', handler: () => handlers.clearDelinquency, body: fc.constant({}), staffOnly: true },
];

describe.each(routes)('$name with random input', ({ method, route, handler, body, staffOnly }) => {
  it('never answers 5xx and writes nothing unless it answers 2xx', async () => {
    const statuses: number[] = [];
    const target = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...customerIds) },
      { weight: 1, arbitrary: fc.uuid({ version: 4 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    );
    const caller = fc.oneof(
      { weight: staffOnly ? 6 : 3, arbitrary: fc.constant(staffClaims()) },
      { weight: staffOnly ? 1 : 4, arbitrary: fc.constantFrom(...customerIds).map(customerClaims) },
      { weight: 1, arbitrary: fc.constant({ sub: 'no-customer-claim' }) },
    );
    await fc.assert(
      fc.asyncProperty(target, caller, bodiesAround(body), headers, fc.boolean(), async (customerId, claims, requestBody, requestHeaders, base64) => {
        // Prepare
        const before = await table.allItems();

        // Act
        const response = await call(handler(), {
          method,
          route,
          pathParameters: { customerId },
          claims,
          headers: requestHeaders,
          ...(requestBody === undefined ? {} : { body: typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody) }),
          base64,
        });

        // Assess
        statuses.push(response.status);
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
        if (response.status >= 300) {
          expect(response.headers['content-type']).toBe('application/problem+json');
          expect(await table.allItems()).toEqual(before);
        }
      }),
      { numRuns: 60 },
    );
    // The generators are meant to reach the table as well as to be refused.
    expect(statuses.some((status) => status < 300)).toBe(true);
    expect(statuses.some((status) => status >= 400)).toBe(true);
  });
});
