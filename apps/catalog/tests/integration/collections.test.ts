import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProductRetiredV1 } from '@kestrel/contracts';
import { withObservability } from '@kestrel/observability';
import { eventRedactor } from '@kestrel/observability/redact';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as routes from '../../src/adapters/http/routes';
import { onProductRetired } from '../../src/adapters/on-product-retired';
import { changeStoreCollection, createNewStore, createProduct, publishProduct, retireProduct, type Services } from '../../src/application/use-cases';
import { productDetailsSchema } from '../../src/domain/product';
import { answer, httpEvent, outboxEvents, SHOPPER, useCatalogTable } from '../support/local-catalog';

const table = useCatalogTable('catalog-collections');
const origin = { correlationId: 'test', causationId: 'test' };
const details = productDetailsSchema.parse({ name: 'Tea', category: 'tea', price: { amountMinor: 100, currency: 'EUR' } });

async function publishedProducts(services: Services, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const product = await createProduct(services, details);
    await publishProduct(services, product.productId, origin);
    ids.push(product.productId);
  }
  return ids;
}

const change = (services: Services, storeId: string, body: unknown, claims?: Record<string, string>) =>
  routes.changeStoreCollectionRoute(services)(
    httpEvent({ method: 'PATCH', path: `/stores/${storeId}/collection`, pathParameters: { storeId }, body, ...(claims ? { claims } : {}) }),
  ).then(answer);
const collection = (services: Services, storeId: string, query: Record<string, string> = {}) =>
  routes.listStoreCollectionRoute(services)(httpEvent({ method: 'GET', path: `/stores/${storeId}/collection`, pathParameters: { storeId }, query, claims: SHOPPER })).then(answer);
const storeEvents = async (storeId: string) =>
  outboxEvents(await table.allItems(), 'StoreCollectionChanged').filter((e) => e.detail.data.storeId === storeId);

describe('store collections on DynamoDB Local', () => {
  it('adds 100 products in one request: one item per membership, one event, size after', async () => {
    // prepare
    const services = table.services();
    const ids = await publishedProducts(services, 100);
    const store = await createNewStore(services, 'Corner shop');
    // act
    const result = await change(services, store.storeId, { add: ids });
    const firstPage = await collection(services, store.storeId, { limit: '60' });
    const secondPage = await collection(services, store.storeId, { limit: '60', cursor: firstPage.body.nextCursor });
    // assess
    expect(result).toMatchObject({ status: 200, body: { collectionSize: 100, collectionVersion: 2, removed: [] } });
    expect(result.body.added).toEqual(ids);
    const memberships = (await table.allItems()).filter((item) => item.type === 'Membership' && item.storeId === store.storeId);
    expect(memberships).toHaveLength(100);
    const events = await storeEvents(store.storeId);
    expect(events).toHaveLength(1);
    expect(events[0]?.detail.data).toMatchObject({ added: ids, removed: [], sizeAfter: 100, collectionVersion: 2, part: { number: 1, count: 1 }, reason: 'request' });
    expect([...firstPage.body.items, ...secondPage.body.items].map((m: { productId: string }) => m.productId).sort()).toEqual([...ids].sort());
    expect(secondPage.body.nextCursor).toBeUndefined();
    expect((await table.allItems()).find((item) => item.type === 'Store' && item.storeId === store.storeId)?.pending).toBeUndefined();
  });

  it('refuses the whole batch naming unknown (404) and retired (409) products, and duplicates (400)', async () => {
    // prepare
    const services = table.services();
    const [good, retired] = await publishedProducts(services, 2);
    await retireProduct(services, retired!, origin);
    const draft = (await createProduct(services, details)).productId;
    const unknown = globalThis.crypto.randomUUID();
    const store = await createNewStore(services, 'Kiosk');
    // act
    const withUnknown = await change(services, store.storeId, { add: [good, retired, unknown] });
    const withRetired = await change(services, store.storeId, { add: [good, retired, draft] });
    const duplicate = await change(services, store.storeId, { add: [good], remove: [good] });
    const byShopper = await change(services, store.storeId, { add: [good] }, SHOPPER);
    const noStore = await change(services, globalThis.crypto.randomUUID(), { add: [good] });
    // assess
    expect(withUnknown).toMatchObject({ status: 404, body: { type: 'urn:kestrel:problem:products-not-found', unknownProductIds: [unknown] } });
    expect(withRetired).toMatchObject({
      status: 409,
      body: { unknownProductIds: [], unavailableProducts: [{ productId: retired, status: 'retired' }, { productId: draft, status: 'draft' }] },
    });
    expect(duplicate).toMatchObject({ status: 400, body: { errors: [{ field: 'body.remove[0]' }] } });
    expect(byShopper.status).toBe(403);
    expect(noStore).toMatchObject({ status: 404, body: { type: 'urn:kestrel:problem:store-not-found' } });
    expect((await table.allItems()).filter((item) => item.type === 'Membership' && item.storeId === store.storeId)).toEqual([]);
    expect(await storeEvents(store.storeId)).toEqual([]);
  });

  it('adds and removes in one request, treating repeats as no-ops without an event', async () => {
    // prepare
    const services = table.services();
    const [a, b, c] = await publishedProducts(services, 3);
    const store = await createNewStore(services, 'Market');
    await change(services, store.storeId, { add: [a, b] });
    // act
    const mixed = await change(services, store.storeId, { add: [c, a], remove: [b] });
    const repeat = await change(services, store.storeId, { add: [c, a], remove: [b] });
    // assess
    expect(mixed.body).toMatchObject({ added: [c], removed: [b], unchanged: { alreadyCarried: [a], notCarried: [] }, collectionSize: 2, collectionVersion: 3 });
    expect(repeat.body).toMatchObject({ added: [], removed: [], collectionSize: 2, collectionVersion: 3 });
    expect((await storeEvents(store.storeId)).map((e) => e.detail.data.collectionVersion).sort()).toEqual([2, 3]);
  });

  it('finishes a two-phase change whose writer died between the phases, exactly once', async () => {
    // prepare: a client that loses the second transaction, as if the function died after phase 1
    const services = table.services();
    const ids = await publishedProducts(services, 100);
    const store = await createNewStore(services, 'Interrupted');
    let transactions = 0;
    const dying = {
      send: (command: unknown) => {
        if (command instanceof TransactWriteCommand && ++transactions === 2) return Promise.reject(new Error('function timed out'));
        return table.documents.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(changeStoreCollection(table.services({ documents: dying }), { storeId: store.storeId, add: ids, remove: [], reason: 'request', origin })).rejects.toThrow('function timed out');
    const halfway = (await table.allItems()).find((item) => item.type === 'Store' && item.storeId === store.storeId);
    // act: the next change to the store rolls the pending one forward first
    const [extra] = await publishedProducts(services, 1);
    const next = await change(services, store.storeId, { add: [extra] });
    // assess
    expect(halfway?.pending).toBeDefined();
    expect(next.body).toMatchObject({ added: [extra], collectionSize: 101, collectionVersion: 3 });
    const events = await storeEvents(store.storeId);
    expect(events.map((e) => [e.detail.data.collectionVersion, (e.detail.data.added as string[]).length, e.detail.data.sizeAfter])).toEqual(
      expect.arrayContaining([
        [2, 100, 100],
        [3, 1, 101],
      ]),
    );
    expect(events).toHaveLength(2);
  });

  it('removes a retired product from every store carrying it, idempotently, seen through the API', async () => {
    // prepare
    const services = table.services();
    const [kept, doomed] = await publishedProducts(services, 2);
    const stores = [await createNewStore(services, 'North'), await createNewStore(services, 'South')];
    for (const store of stores) await change(services, store.storeId, { add: [kept, doomed] });
    const carrying = () =>
      routes.listProductStoresRoute(services)(httpEvent({ method: 'GET', path: `/products/${doomed}/stores`, pathParameters: { productId: doomed! }, claims: SHOPPER })).then(answer);
    const before = await carrying();
    await retireProduct(services, doomed!, origin);
    const retiredEvent = outboxEvents(await table.allItems(), 'ProductRetired').find((e) => e.detail.data.productId === doomed);
    const delivered = { version: '0', id: 'x', 'detail-type': 'ProductRetired', source: ProductRetiredV1.source, account: '1', time: '2026-01-01T00:00:00Z', region: 'eu-west-1', resources: [], detail: retiredEvent?.detail };
    // act: delivered twice (EventBridge delivers at least once)
    const first = await onProductRetired(services)(delivered);
    const second = await onProductRetired(services)(delivered);
    // assess
    expect(before.body.items.map((m: { storeId: string }) => m.storeId).sort()).toEqual(stores.map((s) => s.storeId).sort());
    expect(first.storesChanged.sort()).toEqual(stores.map((s) => s.storeId).sort());
    expect(second.storesChanged).toEqual([]);
    expect((await carrying()).body.items).toEqual([]);
    for (const store of stores) {
      const { body } = await collection(services, store.storeId);
      expect(body.items.map((m: { productId: string }) => m.productId)).toEqual([kept]);
      const removal = (await storeEvents(store.storeId)).find((e) => e.detail.data.reason === 'product-retired');
      expect(removal?.detail.data).toMatchObject({ removed: [doomed], added: [], sizeAfter: 1 });
      expect(removal?.detail.metadata.causationId).toBe(retiredEvent?.detail.metadata.eventId);
    }
  });

  it('continues the retirement\'s flow when deployed (withObservability): the collection change carries the incoming correlation id, is caused by the event and continues its trace', async () => {
    // prepare
    const services = table.services();
    const [doomed] = await publishedProducts(services, 1);
    const store = await createNewStore(services, 'West');
    await change(services, store.storeId, { add: [doomed] });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await retireProduct(services, doomed!, { correlationId: `retire-${doomed}`, causationId: 'api-request-9', traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const retiredEvent = outboxEvents(await table.allItems(), 'ProductRetired').find((e) => e.detail.data.productId === doomed);
    const delivered = { version: '0', id: 'y', 'detail-type': 'ProductRetired', source: ProductRetiredV1.source, account: '1', time: '2026-01-01T00:00:00Z', region: 'eu-west-1', resources: [], detail: retiredEvent?.detail };
    const handler = withObservability(onProductRetired(services), { service: 'catalog', functionName: 'on-product-retired', redact: eventRedactor([ProductRetiredV1]) });
    // act
    await handler(delivered, { awsRequestId: 'lambda-request-9' } as Context);
    // assess
    const removal = (await storeEvents(store.storeId)).find((e) => e.detail.data.reason === 'product-retired');
    expect(removal?.detail.metadata).toMatchObject({ correlationId: `retire-${doomed}`, causationId: retiredEvent?.detail.metadata.eventId });
    expect(removal?.detail.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`));
  });
});
