// Through the local cloud, with the synthesized platform and catalog staging stacks applied as
// Terraform would apply them: HTTP request (JWT from a Cognito user pool) → API Gateway → Lambda →
// one DynamoDB transaction (change + outbox) → stream → EventBridge pipe → platform bus → a test
// listener's SQS queue, where each event must satisfy its contract. And the catalog's own
// subscription: ProductRetired on the bus → on-product-retired → the product leaves every store
// collection, observed through the HTTP API as a shopper would see it.
// Needs `nx run platform:synth` and `nx run catalog:synth` (the `test` target depends on both).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEvent, ProductPublishedV1, ProductRetiredV1, StoreCollectionChangedV1 } from '@kestrel/contracts';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { busListener, standInIdentity, type BusListener } from '@kestrel/testing/cloud';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const stackDir = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const platformStack = stackDir('../../../../infra/platform/cdktf.out/stacks/platform-staging');
const catalogStack = stackDir('../../cdktf.out/stacks/catalog-staging');
const BUS = 'kestrel-staging-bus';
// The retirement crosses the bus twice (ProductRetired out, then the consumer's change back in):
// a bounded wait, not an assertion on time.
const REMOVAL_WAIT_MS = 20_000;

/** An event as EventBridge hands it to the listener queue (parsed with its contract before use). */
interface Received {
  source: string;
  'detail-type': string;
  detail: { metadata: { eventId: string; version: number }; data: Record<string, unknown> };
}

let cloud: LocalCloud;
let listener: BusListener<Received>;
let apiUrl: string;
let staffToken: string;
let shopperToken: string;

/** Reads the listener queue until `predicate` holds for what arrived so far (or the deadline passes). */
async function receiveUntil(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  await listener.receive(predicate, timeoutMs);
}

const receivedOf = (detailType: string, about: (data: Record<string, unknown>) => boolean) =>
  listener.received.filter((event) => event['detail-type'] === detailType && about(event.detail.data));

/** One call to the catalog's HTTP API with a bearer token (staff unless told otherwise). */
async function api(method: string, path: string, body?: unknown, token = staffToken) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
  return { status: response.status, body: (await response.json()) as any };
}

/** Every product id in a store's collection, all pages, read over HTTP. */
async function collectionOf(storeId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api('GET', `/stores/${storeId}/collection?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (page.status !== 200) throw new Error(`GET collection answered ${page.status}: ${JSON.stringify(page.body)}`);
    ids.push(...(page.body.items as { productId: string }[]).map((item) => item.productId));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

const product = (name: string) => ({ name, description: 'Loose-leaf, 100 g.', category: 'tea', tags: ['sleep'], price: { amountMinor: 695, currency: 'EUR' } });

/** A product created as a draft and published, over HTTP. */
async function publishedProduct(name: string): Promise<string> {
  const created = await api('POST', '/products', product(name));
  if (created.status !== 201) throw new Error(`POST /products answered ${created.status}: ${JSON.stringify(created.body)}`);
  const published = await api('POST', `/products/${created.body.productId}/publish`);
  if (published.status !== 200) throw new Error(`publish answered ${published.status}: ${JSON.stringify(published.body)}`);
  return created.body.productId as string;
}

beforeAll(async () => {
  for (const dir of [platformStack, catalogStack]) {
    if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`${dir} is missing: run npx nx run-many -t synth -p platform catalog`);
  }
  cloud = await startLocalCloud({ inMemory: true });
  const region = cloud.context.region;
  await cloud.applyStacks([platformStack]);

  // Identity stands in (as in the customers cloud test): a user pool with a staff group, a staff
  // member and a shopper, published where the catalog stack's JWT authorizer reads it (identity's
  // SSM parameters). The catalog only needs the issuer and client ids, not identity's triggers.
  const identity = await standInIdentity({
    endpoint: cloud.endpoint,
    region,
    env: 'staging',
    clientName: 'merchandising-console',
    groups: ['staff'],
    users: [{ username: 'merchandiser', group: 'staff' }, { username: 'shopper' }],
  });
  staffToken = identity.tokens.merchandiser as string;
  shopperToken = identity.tokens.shopper as string;

  await cloud.applyStacks([catalogStack]);
  apiUrl = String(cloud.stacks().find((stack) => stack.name === 'catalog-staging')?.outputs['http-api-url']).replace(/\/$/, '');

  // The test listener: everything the catalog publishes, into a queue.
  listener = await busListener<Received>({ endpoint: cloud.endpoint, region, busName: BUS, name: 'catalog-events-listener', pattern: { source: ['kestrel.catalog'] } });
}, 300_000);

// IAM is enforced at the edge: a call a function's role may not make fails the test naming the
// permission, with the smallest statement that would allow it.
afterEach(() => {
  expect(cloud.iamDenials()).toEqual([]);
});

afterAll(async () => {
  await listener?.close();
  await cloud?.stop();
}, 60_000);

describe('catalog on the local cloud', () => {
  it('publishing and a collection change over HTTP reach a listener on the bus; retiring removes the product from the collection', async () => {
    // Prepare: a published product and a few others, and a store
    const productId = await publishedProduct('Chamomile tea');
    const others = [await publishedProduct('Mint tea'), await publishedProduct('Rooibos')];
    const store = await api('POST', '/stores', { name: 'Corner shop' });
    const storeId = store.body.storeId as string;
    const isStore = (data: Record<string, unknown>) => data.storeId === storeId;

    // Act: one collection change, then the retirement
    const changed = await api('PATCH', `/stores/${storeId}/collection`, { add: [productId, ...others] });
    await receiveUntil(() => receivedOf('ProductPublished', (data) => data.productId === productId).length > 0 && receivedOf('StoreCollectionChanged', isStore).length > 0);
    const collectionBefore = await collectionOf(storeId);
    const retired = await api('POST', `/products/${productId}/retire`);
    await receiveUntil(
      () => receivedOf('ProductRetired', (data) => data.productId === productId).length > 0 && receivedOf('StoreCollectionChanged', isStore).length >= 2,
      REMOVAL_WAIT_MS,
    );
    let collectionAfter = await collectionOf(storeId);
    const removalDeadline = Date.now() + REMOVAL_WAIT_MS;
    while (collectionAfter.includes(productId) && Date.now() < removalDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      collectionAfter = await collectionOf(storeId);
    }

    // Assess: the HTTP answers
    expect(store.status).toBe(201);
    expect(changed).toMatchObject({ status: 200, body: { collectionSize: 3, collectionVersion: 2, removed: [] } });
    expect(retired.status).toBe(200);
    expect(collectionBefore.sort()).toEqual([productId, ...others].sort());
    expect(collectionAfter.sort()).toEqual([...others].sort());

    // Assess: the events, each valid against its contract
    const [publishedEvent] = receivedOf('ProductPublished', (data) => data.productId === productId);
    expect(parseEvent(ProductPublishedV1, publishedEvent).detail.data).toMatchObject({ productId, name: 'Chamomile tea', price: { amountMinor: 695, currency: 'EUR' } });
    const requestChanges = receivedOf('StoreCollectionChanged', isStore)
      .map((event) => parseEvent(StoreCollectionChangedV1, event).detail.data)
      .filter((data) => data.reason === 'request');
    expect(requestChanges).toHaveLength(1);
    expect(requestChanges[0]).toMatchObject({ removed: [], sizeAfter: 3, collectionVersion: 2, part: { number: 1, count: 1 } });
    expect([...(requestChanges[0]?.added ?? [])].sort()).toEqual([productId, ...others].sort());
    const retiredEvents = receivedOf('ProductRetired', (data) => data.productId === productId).map((event) => parseEvent(ProductRetiredV1, event).detail.data);
    expect(retiredEvents).toEqual([expect.objectContaining({ productId, wasPublished: true })]);
    const removal = receivedOf('StoreCollectionChanged', isStore)
      .map((event) => parseEvent(StoreCollectionChangedV1, event).detail.data)
      .filter((data) => data.reason === 'product-retired');
    expect(removal).toEqual([expect.objectContaining({ added: [], removed: [productId], sizeAfter: 2, collectionVersion: 3 })]);
  });

  it('a signed-in user who is not staff may read but not change the catalog', async () => {
    // Prepare
    const productId = await publishedProduct('Earl Grey');

    // Act
    const mutation = await api('POST', '/stores', { name: 'Not allowed' }, shopperToken);
    const read = await api('GET', `/products/${productId}`, undefined, shopperToken);

    // Assess
    expect(mutation).toMatchObject({ status: 403, body: { type: 'urn:kestrel:problem:forbidden' } });
    expect(read).toMatchObject({ status: 200, body: { productId, name: 'Earl Grey', status: 'published' } });
  });
});
