/**
 * Seed data for a fresh local cloud, made the way a person would make it: a staff
 * user signs up and signs in, then creates a store and products, publishes them and
 * puts them in the store's collection through the catalog's own HTTP API (so the
 * events reach the bus and the lake as they would in AWS).
 *
 *   npm start -- --seed          # after the stacks apply
 *   npm run local:seed           # against a running local cloud
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalUser, readLocalState } from './local-user';
import type { LocalUser } from './local-user';

export const SEED_STAFF_EMAIL = 'staff@kestrel.example';

const SEED_STORE = { name: 'Kestrel Corner Shop' };
const SEED_PRODUCTS = [
  { name: 'Field notebook', description: 'A5, dotted, 120 pages.', category: 'stationery', tags: ['paper', 'notebooks'], price: { amountMinor: 1250, currency: 'EUR' } },
  { name: 'Brass pencil', description: 'Refillable, 2 mm lead.', category: 'stationery', tags: ['pencils'], price: { amountMinor: 2400, currency: 'EUR' } },
  { name: 'Canvas tote', description: 'Undyed cotton, 10 litres.', category: 'bags', tags: ['cotton'], price: { amountMinor: 1800, currency: 'EUR' } },
];

export interface SeedResult {
  staff: LocalUser;
  catalogUrl: string;
  storeId: string;
  productIds: string[];
}

/** The URL of the HTTP API whose name ends with `-<service>-http`. */
export async function httpApiUrl(endpoint: string, service: string): Promise<string> {
  const state = await readLocalState(endpoint);
  const api = (state.httpApis ?? []).find((candidate) => candidate.name.endsWith(`-${service}-http`));
  if (!api) throw new Error(`No ${service} HTTP API in the local cloud at ${endpoint} (APIs: ${(state.httpApis ?? []).map((candidate) => candidate.name).join(', ') || 'none'})`);
  return api.url.replace(/\/$/, '');
}

async function call(url: string, token: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Creates the staff user, one store, three published products and the store's collection.
 *
 * @example
 * const seeded = await seedCatalog({ endpoint: 'http://127.0.0.1:4566', log: console.log });
 * seeded.productIds; // ['01J…', '01J…', '01J…']
 */
export async function seedCatalog(options: { endpoint: string; log?: (message: string) => void }): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const staff = await createLocalUser({ endpoint: options.endpoint, email: SEED_STAFF_EMAIL, staff: true, log });
  const catalogUrl = await httpApiUrl(options.endpoint, 'catalog');
  const store = await call(`${catalogUrl}/stores`, staff.idToken, 'POST', SEED_STORE);
  const storeId = String(store.storeId);
  const productIds: string[] = [];
  for (const product of SEED_PRODUCTS) {
    const created = await call(`${catalogUrl}/products`, staff.idToken, 'POST', product);
    const productId = String(created.productId);
    await call(`${catalogUrl}/products/${productId}/publish`, staff.idToken, 'POST');
    productIds.push(productId);
  }
  await call(`${catalogUrl}/stores/${storeId}/collection`, staff.idToken, 'PATCH', { add: productIds });
  log(`Seeded: staff user ${SEED_STAFF_EMAIL} (password ${staff.password}), store ${storeId} '${SEED_STORE.name}', ${productIds.length} published products in its collection: ${productIds.join(', ')}`);
  return { staff, catalogUrl, storeId, productIds };
}

/**
 * {@link seedCatalog} unless this data dir was seeded before and its store still exists
 * (`<dataDir>/seed.json` records what was made), so `npm start -- --seed` can stay in a
 * shell alias without piling up stores.
 */
export async function seedCatalogOnce(options: { endpoint: string; dataDir: string; log?: (message: string) => void }): Promise<void> {
  const log = options.log ?? (() => undefined);
  const marker = join(options.dataDir, 'seed.json');
  if (existsSync(marker)) {
    const previous = JSON.parse(readFileSync(marker, 'utf8')) as { storeId: string; productIds: string[] };
    const staff = await createLocalUser({ endpoint: options.endpoint, email: SEED_STAFF_EMAIL, staff: true });
    const response = await fetch(`${await httpApiUrl(options.endpoint, 'catalog')}/stores/${previous.storeId}`, { headers: { authorization: `Bearer ${staff.idToken}` } });
    if (response.ok) {
      log(`Seed data already there: staff user ${SEED_STAFF_EMAIL} (password ${staff.password}), store ${previous.storeId}, products ${previous.productIds.join(', ')} (npm start -- --reset starts over)`);
      return;
    }
  }
  const seeded = await seedCatalog(options);
  writeFileSync(marker, JSON.stringify({ storeId: seeded.storeId, productIds: seeded.productIds }, null, 2));
}
