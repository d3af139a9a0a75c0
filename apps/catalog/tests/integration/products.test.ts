import { describe, expect, it } from 'vitest';
import * as routes from '../../src/adapters/http/routes';
import { answer, httpEvent, outboxEvents, SHOPPER, useCatalogTable } from '../support/local-catalog';

const table = useCatalogTable('catalog-products');

const tea = { name: 'Chamomile tea', category: 'tea', tags: ['sleep', 'caffeine-free'], price: { amountMinor: 695, currency: 'EUR' } };

async function createProduct(services: ReturnType<typeof table.services>, body: unknown = tea) {
  return answer(await routes.createProductRoute(services)(httpEvent({ method: 'POST', path: '/products', body })));
}
async function act(route: keyof typeof routes, services: ReturnType<typeof table.services>, productId: string, body?: unknown, claims?: Record<string, string>) {
  return answer(await routes[route](services)(httpEvent({ method: 'POST', path: `/products/${productId}`, pathParameters: { productId }, body, ...(claims ? { claims } : {}) })));
}

describe('products over HTTP on DynamoDB Local', () => {
  it('creates drafts (staff only), publishes, revises and retires, publishing exactly what changed', async () => {
    // prepare
    const services = table.services();
    const created = await createProduct(services);
    const productId = created.body.productId as string;
    // act
    const forbidden = answer(await routes.createProductRoute(services)(httpEvent({ method: 'POST', path: '/products', body: tea, claims: SHOPPER })));
    const published = await act('publishProductRoute', services, productId);
    const revised = await act('reviseProductRoute', services, productId, { price: { amountMinor: 745, currency: 'EUR' }, name: 'Chamomile tea' });
    const retired = await act('retireProductRoute', services, productId);
    const reviseRetired = await act('reviseProductRoute', services, productId, { name: 'Again' });
    const read = await act('getProductRoute', services, productId, undefined, SHOPPER);
    // assess
    expect(created).toMatchObject({ status: 201, body: { status: 'draft', version: 1, tags: ['caffeine-free', 'sleep'] } });
    expect(forbidden).toMatchObject({ status: 403, contentType: 'application/problem+json', body: { type: 'urn:kestrel:problem:forbidden' } });
    expect(published.body).toMatchObject({ status: 'published', version: 2 });
    expect(revised.body).toMatchObject({ version: 3, price: { amountMinor: 745 } });
    expect(retired.body).toMatchObject({ status: 'retired', version: 4 });
    expect(reviseRetired).toMatchObject({ status: 409, body: { type: 'urn:kestrel:problem:product-retired' } });
    expect(read.body).toMatchObject({ productId, status: 'retired' });
    const events = outboxEvents(await table.allItems()).filter((e) => e.detail.data.productId === productId);
    expect(events.map((e) => e.detailType).sort()).toEqual(['ProductPublished', 'ProductRetired', 'ProductRevised']);
    expect(events.find((e) => e.detailType === 'ProductRevised')?.detail.data).toEqual({
      productId,
      productVersion: 3,
      changes: { price: { from: { amountMinor: 695, currency: 'EUR' }, to: { amountMinor: 745, currency: 'EUR' } } },
    });
    expect(events.every((e) => e.source === 'kestrel.catalog' && typeof e.ttl === 'number')).toBe(true);
    // A retired product leaves the tag listing: its tag entries are gone.
    expect((await table.allItems()).filter((item) => item.type === 'ProductTag' && item.productId === productId)).toEqual([]);
  });

  it('shows a draft to staff only: anyone else gets the 404 of a product that does not exist', async () => {
    // prepare
    const services = table.services();
    const productId = (await createProduct(services)).body.productId as string;
    // act
    const asShopper = await act('getProductRoute', services, productId, undefined, SHOPPER);
    const asStaff = await act('getProductRoute', services, productId);
    const missing = await act('getProductRoute', services, crypto.randomUUID(), undefined, SHOPPER);
    // assess
    expect(asShopper).toMatchObject({ status: 404, body: { type: missing.body.type } });
    expect(asStaff).toMatchObject({ status: 200, body: { productId, status: 'draft' } });
  });

  it.each([
    ['NUL', 'Tea\u0000'],
    ['ESC', 'Tea\u001B[2J'],
    ['CRLF', 'Tea\r\nX-Injected: 1'],
    ['a bidi override', 'Tea\u202E'],
    ['a zero-width space', 'T\u200Bea'],
    ['markup', '<b>Tea</b>'],
  ])('refuses %s in product and store names, by the shared text rules', async (_kind, hostile) => {
    // act
    const product = await createProduct(table.services(), { ...tea, name: hostile, description: hostile });
    const store = answer(await routes.createStoreRoute(table.services())(httpEvent({ method: 'POST', path: '/stores', body: { name: hostile } })));
    // assess
    expect(product).toMatchObject({ status: 400 });
    expect((product.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['body.description', 'body.name']);
    expect(store).toMatchObject({ status: 400, body: { errors: [{ field: 'body.name' }] } });
  });

  it('answers bad input with every invalid field: float or negative price, bad currency, unknown field', async () => {
    // act
    const result = await createProduct(table.services(), { ...tea, price: { amountMinor: 6.95, currency: 'eur' }, colour: 'green', tags: ['a', 'a'] });
    const negative = await createProduct(table.services(), { ...tea, price: { amountMinor: -5, currency: 'EUR' } });
    const notJson = answer(await routes.createProductRoute(table.services())(httpEvent({ method: 'POST', path: '/products', body: '{"name":' })));
    // assess
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      { field: 'body.tags[1]', message: 'duplicate tag a' },
      { field: 'body.price.amountMinor', message: 'must be an integer amount in minor units (cents), not a decimal' },
      { field: 'body.price.currency', message: 'must be an ISO 4217 currency code like EUR' },
      { field: 'body.colour', message: 'is not a known field' },
    ]);
    expect(negative.body.errors).toEqual([{ field: 'body.price.amountMinor', message: 'must not be negative' }]);
    expect(notJson).toMatchObject({ status: 400, body: { type: 'urn:kestrel:problem:malformed-json' } });
  });

  it('lists published products by category and by tag, newest first, across pages with opaque cursors', async () => {
    // prepare: three published products a minute apart, one draft
    let minute = 0;
    const services = table.services({ clock: () => new Date(Date.UTC(2026, 0, 1, 12, minute++)) });
    const ids: string[] = [];
    for (const name of ['First', 'Second', 'Third']) {
      const { body } = await createProduct(services, { ...tea, name, category: 'herbal', tags: ['night'] });
      await act('publishProductRoute', services, body.productId);
      ids.push(body.productId);
    }
    await createProduct(services, { ...tea, name: 'Draft', category: 'herbal', tags: ['night'] });
    const find = async (query: Record<string, string>) => answer(await routes.findProductsRoute(services)(httpEvent({ method: 'GET', path: '/products', query, claims: SHOPPER })));
    // act
    const first = await find({ category: 'herbal', limit: '2' });
    const second = await find({ category: 'herbal', limit: '2', cursor: first.body.nextCursor });
    const byTag = await find({ tag: 'night' });
    const wrongCursor = await find({ tag: 'night', cursor: first.body.nextCursor });
    const both = await find({ tag: 'night', category: 'herbal' });
    // assess
    expect(first.body.items.map((p: { name: string }) => p.name)).toEqual(['Third', 'Second']);
    expect(second.body.items.map((p: { name: string }) => p.name)).toEqual(['First']);
    expect(second.body.nextCursor).toBeUndefined();
    expect(byTag.body.items.map((p: { productId: string }) => p.productId)).toEqual([...ids].reverse());
    expect(wrongCursor).toMatchObject({ status: 400, body: { errors: [{ field: 'query.cursor' }] } });
    expect(both).toMatchObject({ status: 400, body: { errors: [{ field: 'query.category', message: 'give exactly one of category or tag' }] } });
  });

  it('moves tag entries when a published product changes its tags', async () => {
    // prepare
    const services = table.services();
    const { body } = await createProduct(services, { ...tea, tags: ['calm', 'evening'] });
    await act('publishProductRoute', services, body.productId);
    // act
    await act('reviseProductRoute', services, body.productId, { tags: ['evening', 'organic'], name: 'Renamed' });
    // assess
    const entries = (await table.allItems()).filter((item) => item.type === 'ProductTag' && item.productId === body.productId);
    expect(entries.map((e) => [e.tag, e.name]).sort()).toEqual([
      ['evening', 'Renamed'],
      ['organic', 'Renamed'],
    ]);
  });
});
