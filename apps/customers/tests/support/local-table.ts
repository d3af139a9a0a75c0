import { createTableInput, standardTable } from '@kestrel/table-keys';
import { useTestTable } from '@kestrel/testing/dynamodb-local';

/**
 * A fresh customers table (the standard single-table layout the stack deploys) on the shared
 * DynamoDB Local, created before the file's tests and deleted after. Read the fields inside tests.
 */
export function useCustomersTable(prefix = 'customers') {
  return useTestTable(createTableInput(standardTable, prefix), { timeToLiveAttribute: standardTable.timeToLiveAttribute });
}

/** Items of the outbox only. */
export const outboxOf = (items: Record<string, unknown>[]) => items.filter((item) => String(item.PK).startsWith('OUTBOX#'));
/** Items other than the outbox (profiles). */
export const profilesOf = (items: Record<string, unknown>[]) => items.filter((item) => item.type === 'Customer');
