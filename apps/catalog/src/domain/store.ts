import * as z from 'zod/mini';
import { pure, isoDateTime } from '@kestrel/contracts';
import { idSchema, storeNameSchema } from './values';

/** A store: its name and its collection's size and version (the collection itself is one item per product). */
export const storedStoreSchema = /* @__PURE__ */ pure(() =>
  z.object({
    storeId: idSchema,
    name: storeNameSchema,
    collectionSize: z.int().check(z.nonnegative()),
    collectionVersion: z.int().check(z.positive()),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
  }),
);
export type Store = z.output<typeof storedStoreSchema>;

export const createStoreRequestSchema = /* @__PURE__ */ pure(() => z.strictObject({ name: storeNameSchema }));

/** A new store with an empty collection at version 1. */
export function createStore(storeId: string, name: string, now: Date): Store {
  const at = now.toISOString();
  return { storeId, name, collectionSize: 0, collectionVersion: 1, createdAt: at, updatedAt: at };
}

/** Whether a signed-in user may change the catalog: members of the `staff` group. */
export const STAFF_GROUP = 'staff';
export const isStaff = (groups: readonly string[]) => groups.includes(STAFF_GROUP);
