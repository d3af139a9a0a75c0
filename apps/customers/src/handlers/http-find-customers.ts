// GET /customers?name=<family name>   — GetCustomersWithName (case- and accent-insensitive)
// GET /customers?preferred=true       — GetPreferredCustomers
// Staff only. Paginated: `limit` (1-100, default 20) and the opaque `cursor` of the previous page;
// the answer is { items, nextCursor? } and the last page has no cursor.
import { pageQuery, pageRequestOf, readParameters } from '@kestrel/http-api';
import { withHttpObservability } from '@kestrel/observability';
import { rule } from '@kestrel/contracts';
import * as z from 'zod/mini';
import { getCustomersWithName, getPreferredCustomers } from '../application/queries';
import { actorFrom } from '../adapters/http/auth';
import { customersRoute } from '../adapters/http/route';
import { queryServicesFromEnvironment } from '../adapters/environment';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../adapters/table';
import { searchableName } from '../domain/name-search';

const services = queryServicesFromEnvironment();

const query = z
  .strictObject({
    name: z.optional(
      z.string().check(
        z.maxLength(200, 'must be at most 200 characters'),
        rule((name: string) => searchableName(name) !== undefined, 'must contain letters'),
      ),
    ),
    preferred: z.optional(z.literal('true', { message: 'only preferred=true is supported' })),
    ...pageQuery({ defaultLimit: PAGE_SIZE_DEFAULT, maxLimit: PAGE_SIZE_MAX }),
  })
  .check(
    rule((q) => (q.name === undefined) !== (q.preferred === undefined), 'give exactly one of name=<family name> or preferred=true'),
  );

const route = customersRoute(async (event) => {
  const actor = actorFrom(event);
  const { query: q } = readParameters(event, { query });
  const page = pageRequestOf(q);
  const result = q.name !== undefined ? await getCustomersWithName(services, actor, q.name, page) : await getPreferredCustomers(services, actor, page);
  return { status: 200, body: { items: result.items, ...(result.nextCursor === undefined ? {} : { nextCursor: result.nextCursor }) } };
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-find-customers' });
