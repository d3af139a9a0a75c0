import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, standardTable } from '@kestrel/table-keys';
import { useTestTable } from '@kestrel/testing/dynamodb-local';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { catalogTable } from '../../src/adapters/catalog-repository';
import type { HttpEvent } from '@kestrel/http-api';
import type { Services } from '../../src/application/use-cases';

export interface CapacityRecord {
  readonly operation: string;
  readonly consumed: readonly ConsumedCapacity[];
}

/**
 * A fresh catalog table (the standard single-table layout the stack deploys) on the shared
 * DynamoDB Local for one test file, with services over it. `capacity` records every request.
 */
export function useCatalogTable(prefix = 'catalog') {
  const table = useTestTable(createTableInput(standardTable, prefix), { timeToLiveAttribute: standardTable.timeToLiveAttribute });
  const capacity: CapacityRecord[] = [];
  return Object.assign(table, {
    capacity,
    services(overrides: { documents?: DynamoDBDocumentClient; clock?: () => Date } = {}): Services {
      const newId = () => globalThis.crypto.randomUUID();
      return {
        catalog: catalogTable({
          documents: overrides.documents ?? table.documents,
          tableName: table.tableName,
          newId,
          onConsumedCapacity: (operation, consumed) => capacity.push({ operation, consumed }),
        }),
        clock: overrides.clock ?? (() => new Date()),
        newId,
      };
    },
  });
}

/** The events in the outbox, parsed (`detail` JSON), optionally of one detail-type. */
export function outboxEvents(items: Record<string, unknown>[], detailType?: string) {
  return items
    .filter((item) => String(item.PK).startsWith('OUTBOX#') && (detailType === undefined || item.detailType === detailType))
    .map((item) => ({ detailType: item.detailType as string, source: item.source as string, ttl: item.ttl, detail: JSON.parse(item.detail as string) as { metadata: Record<string, unknown>; data: Record<string, unknown> } }));
}

export const STAFF = { sub: '11111111-1111-4111-8111-111111111111', 'cognito:groups': '[staff]' };
export const SHOPPER = { sub: '22222222-2222-4222-8222-222222222222' };

/** A payload-2.0 API Gateway event as the JWT authorizer hands it over. */
export function httpEvent(options: {
  method: string;
  path: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  claims?: Record<string, string> | null;
}): HttpEvent {
  const claims = options.claims === undefined ? STAFF : options.claims;
  return {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json' },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: false,
    requestContext: {
      requestId: globalThis.crypto.randomUUID(),
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      ...(claims === null ? {} : { authorizer: { jwt: { claims, scopes: [] } } }),
    },
  } as unknown as HttpEvent;
}

/** The status and parsed JSON body of a handler result (`any`: assertions read arbitrary response JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function answer(result: APIGatewayProxyStructuredResultV2): { status: number; body: any; contentType: string | undefined } {
  return { status: result.statusCode ?? 0, body: result.body === undefined ? undefined : JSON.parse(result.body), contentType: result.headers?.['content-type'] as string | undefined };
}
