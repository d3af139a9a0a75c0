import { subscriptionPattern, type FunctionDeclaration } from '@kestrel/service-manifest';
import { describe, expect, it } from 'vitest';
import service from '../../service';

const functions: Record<string, FunctionDeclaration> = service.functions;
const isQuery = (fn: FunctionDeclaration) => fn.triggers.some((t) => t.kind === 'http' && t.method === 'GET');

describe('catalog manifest', () => {
  it('gives query functions read-only access and every other function write access to the catalog table only', () => {
    // act
    const access = Object.entries(functions).map(([name, fn]) => [name, isQuery(fn), fn.access?.tables] as const);
    // assess
    for (const [name, query, tables] of access) expect(tables, name).toEqual([{ table: 'catalog', mode: query ? 'read' : 'write' }]);
    expect(access.filter(([, query]) => query)).toHaveLength(5);
  });

  it('publishes the four catalog events through the outbox only', () => {
    expect(Object.values(functions).every((fn) => (fn.access?.publishesDirectly ?? []).length === 0)).toBe(true);
    expect(service.publishes.map((p) => `${p.event.detailType}:${p.via}:${p.table}`).sort()).toEqual([
      'ProductPublished:outbox:catalog',
      'ProductRetired:outbox:catalog',
      'ProductRevised:outbox:catalog',
      'StoreCollectionChanged:outbox:catalog',
    ]);
  });

  it('consumes its own ProductRetired v1 with an explicit retry policy', () => {
    const [subscription] = service.consumes;
    expect(subscriptionPattern(subscription!)).toEqual({ source: ['kestrel.catalog'], 'detail-type': ['ProductRetired'], detail: { metadata: { version: [1] } } });
    expect(subscription!.retry).toEqual({ maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 });
  });
});
