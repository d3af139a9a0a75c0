// Each catalog route maps the errors its use case can throw (it names them itself, so its bundle
// carries only those classes): driven here through the real routes and use cases, with a scripted
// document client standing in for DynamoDB, so every mapped failure is reached on purpose.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { catalogTable } from '../../../src/adapters/catalog-repository';
import * as routes from '../../../src/adapters/http/routes';
import { problemFor } from '../../../src/adapters/http/route';
import { productCodec, storeCodec } from '../../../src/adapters/table';
import type { Services } from '../../../src/application/use-cases';
import { createDraft } from '../../../src/domain/product';
import { createStore } from '../../../src/domain/store';
import { answer, httpEvent } from '../../support/local-catalog';

const now = new Date('2026-03-01T10:00:00.000Z');
const tea = { name: 'Chamomile tea', description: '', category: 'tea', tags: [], price: { amountMinor: 695, currency: 'EUR' } };
const productId = '7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47';
const storeId = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** Services whose table answers each command by its class name, in order; throws what it is given. */
function scripted(answers: Record<string, Array<unknown | (() => never)>>): Services {
  const documents = {
    send: async (command: { constructor: { name: string } }) => {
      const next = answers[command.constructor.name]?.shift();
      if (typeof next === 'function') return (next as () => never)();
      return next ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { catalog: catalogTable({ documents, tableName: 'catalog' }), clock: () => now, newId: () => productId };
}

const cancelled = () => {
  throw Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { version: 9 } }] });
};
const conditionFailed = () => {
  throw Object.assign(new Error('taken'), { name: 'ConditionalCheckFailedException' });
};
const productItem = (status: 'draft' | 'retired') => ({ ...productCodec.toItem({ ...withoutVersion(createDraft(productId, tea, now)), status }), version: 1 });
const storeItem = { ...storeCodec.toItem(createStore(storeId, 'Corner shop', now)), version: 1 };

function withoutVersion<T extends { version: number }>({ version: _version, ...rest }: T) {
  return rest;
}

const onProduct = (body?: unknown) => httpEvent({ method: 'POST', path: `/products/${productId}`, pathParameters: { productId }, ...(body === undefined ? {} : { body }) });

describe('catalog routes map the errors of their use cases to problems', () => {
  it('answers 404 product-not-found for a product that does not exist', async () => {
    // Act
    const result = answer(await routes.getProductRoute(scripted({ GetCommand: [{}] }))(onProduct()));

    // Assess
    expect(result).toMatchObject({ status: 404, body: { type: expect.stringContaining('product-not-found'), productId } });
  });

  it('answers 409 product-retired when a rule of the product refuses the change', async () => {
    // Act
    const result = answer(await routes.publishProductRoute(scripted({ GetCommand: [{ Item: productItem('retired') }] }))(onProduct()));

    // Assess
    expect(result).toMatchObject({ status: 409, body: { type: expect.stringContaining('product-retired') } });
  });

  it('answers 409 concurrent-modification when every attempt meets a newer version', async () => {
    // Prepare: four reads of the draft, four transactions cancelled by its version condition
    const services = scripted({ GetCommand: [1, 2, 3, 4].map(() => ({ Item: productItem('draft') })), TransactWriteCommand: [cancelled, cancelled, cancelled, cancelled] });

    // Act
    const result = answer(await routes.reviseProductRoute(services)(onProduct({ name: 'Sleep tea' })));

    // Assess
    expect(result).toMatchObject({ status: 409, body: { type: expect.stringContaining('concurrent-modification') } });
  });

  it('answers 409 already-exists when the new id is taken', async () => {
    // Act
    const result = answer(await routes.createStoreRoute(scripted({ PutCommand: [conditionFailed] }))(httpEvent({ method: 'POST', path: '/stores', body: { name: 'Corner shop' } })));

    // Assess
    expect(result).toMatchObject({ status: 409, body: { type: expect.stringContaining('already-exists') } });
  });

  it('answers 404 store-not-found and products-not-found for a collection change on what does not exist', async () => {
    // Prepare
    const change = { method: 'POST', path: `/stores/${storeId}/collection`, pathParameters: { storeId }, body: { add: [productId] } };

    // Act
    const noStore = answer(await routes.changeStoreCollectionRoute(scripted({ BatchGetCommand: [{ Responses: { catalog: [] } }] }))(httpEvent(change)));
    const noProduct = answer(await routes.changeStoreCollectionRoute(scripted({ BatchGetCommand: [{ Responses: { catalog: [storeItem] } }] }))(httpEvent(change)));

    // Assess
    expect(noStore).toMatchObject({ status: 404, body: { type: expect.stringContaining('store-not-found') } });
    expect(noProduct).toMatchObject({ status: 404, body: { type: expect.stringContaining('products-not-found'), unknownProductIds: [productId] } });
  });

  it('leaves errors no mapper knows to the 500 path', () => {
    // Act / Assess
    expect(problemFor(new Error('disk on fire'))).toBeUndefined();
  });
});
