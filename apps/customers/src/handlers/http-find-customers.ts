// GET /customers?name=<family name>   — GetCustomersWithName (case- and accent-insensitive)
// GET /customers?preferred=true       — GetPreferredCustomers
// Staff only. Paginated: `limit` (1-100, default 20) and the opaque `cursor` of the previous page;
// the answer is { items, nextCursor? } and the last page has no cursor.
import * as z from 'zod';
import { getCustomersWithName, getPreferredCustomers } from '../application/queries';
import { actorFrom } from '../adapters/http/auth';
import { readRequest } from '../adapters/http/request';
import { httpRoute } from '../adapters/http/route';
import { servicesFromEnvironment } from '../adapters/environment';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../adapters/table';
import { searchableName } from '../domain/name-search';

const services = servicesFromEnvironment();

const query = z
  .strictObject({
    name: z
      .string()
      .max(200, 'must be at most 200 characters')
      .refine((name) => searchableName(name) !== undefined, 'must contain letters')
      .optional(),
    preferred: z.literal('true', { message: 'only preferred=true is supported' }).optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${PAGE_SIZE_MAX}`)
      .transform(Number)
      .pipe(z.int().min(1, 'must be at least 1').max(PAGE_SIZE_MAX, `must be at most ${PAGE_SIZE_MAX}`))
      .optional(),
    cursor: z.string().min(1).optional(),
  })
  .refine((q) => (q.name === undefined) !== (q.preferred === undefined), {
    message: 'give exactly one of name=<family name> or preferred=true',
  });

export const handler = httpRoute(async (event) => {
  const actor = actorFrom(event);
  const { query: q } = readRequest(event, { query });
  const page = { limit: q.limit ?? PAGE_SIZE_DEFAULT, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) };
  const result = q.name !== undefined ? await getCustomersWithName(services, actor, q.name, page) : await getPreferredCustomers(services, actor, page);
  return { status: 200, body: { items: result.items, ...(result.nextCursor === undefined ? {} : { nextCursor: result.nextCursor }) } };
});
